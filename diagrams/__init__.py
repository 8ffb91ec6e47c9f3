"""Diagrams of the sign-in machine, generated from its declaration."""

__all__: list[str] = []
