"""The ``cognitoflow`` program: the demo, the interactive sign-in, diagrams, the fake server.

This is the command line, apart from the library: ``import cognitoflow.engine`` never
imports this package (nor click, segno, werkzeug or the fake user pool it uses).
"""

from .main import cli, main

__all__ = ["cli", "main"]
