"""Diagrams of the sign-in machine, generated from its declaration.

>>> from cognitoflow.diagrams import render_mermaid
>>> render_mermaid().splitlines()[0]
'stateDiagram-v2'
"""

from .render import (
    FAMILIES,
    FAMILY_NAMES,
    FORMATS,
    GraphvizMissingError,
    Transition,
    render,
    render_dot,
    render_family,
    render_mermaid,
    render_overview,
    transitions,
)

__all__ = [
    "FAMILIES",
    "FAMILY_NAMES",
    "FORMATS",
    "GraphvizMissingError",
    "Transition",
    "render",
    "render_dot",
    "render_family",
    "render_mermaid",
    "render_overview",
    "transitions",
]
