"""The README's Python examples run as written, and it starts with the two commands."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_examples_run() -> None:
    """Every ```python block of the README runs, in order, in one namespace."""
    text = README.read_text()
    assert "run in order, as one script" in text
    # A block that cannot run here says why, on the line before it.
    text = re.sub(r"<!-- not run: [^>]+ -->\n```python\n.*?```", "", text, flags=re.S)
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) >= 7
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)


def test_readme_is_short_and_links_to_pages_that_exist() -> None:
    text = README.read_text()
    assert len(text.splitlines()) <= 300
    for link in re.findall(r"\]\(((?:docs|diagrams)/[^)#]*)\)", text):
        assert (README.parent / link).exists(), link


def test_readme_starts_with_the_two_commands() -> None:
    """The first block holds exactly the demo command and the test command; CI runs the second."""
    first = re.search(r"```bash\n(.*?)```", README.read_text(), flags=re.S)
    assert first is not None
    commands = [line for line in first.group(1).splitlines() if line.strip()]
    assert len(commands) == 2
    assert commands[0].endswith("cognitoflow demo")
    assert commands[1].endswith("pytest")
    ci = (README.parent / ".ci" / "run").read_text()
    assert commands[1] in ci
