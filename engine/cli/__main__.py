"""``python -m cognitoflow.engine.cli``: the ``cognitoflow`` command."""

from .main import main

main()
