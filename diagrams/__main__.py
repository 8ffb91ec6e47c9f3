"""``python -m cognitoflow.diagrams``: the same as ``cognitoflow diagram``."""

from cognitoflow.engine.cli.main import diagram

if __name__ == "__main__":
    diagram(prog_name="python -m cognitoflow.diagrams")
