"""Every page under docs/: each ```python block runs, in order, in one namespace per page
(each page says its blocks belong together). A block that cannot run here is marked
``<!-- not run: why -->`` on the line before it, and the reason is checked to be there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cognitoflow.diagrams import render_mermaid

DOCS = Path(__file__).resolve().parent.parent / "docs"
PAGES = sorted(page.name for page in DOCS.glob("*.md"))
_BLOCK = re.compile(r"(<!-- not run: [^>]+ -->\n)?```python\n(.*?)```", re.S)


def runnable_blocks(text: str) -> list[str]:
    """The page's python blocks, but those marked as not run (each with its reason)."""
    return [code for marker, code in _BLOCK.findall(text) if not marker]


@pytest.mark.parametrize("page", PAGES)
def test_every_python_block_of_the_page_runs(
    page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (DOCS / page).read_text()
    blocks = runnable_blocks(text)
    if blocks:
        assert "run in order, as one script" in text, page
    monkeypatch.chdir(tmp_path)  # a block that writes a file writes it here
    namespace: dict[str, object] = {"__name__": f"docs_{page.removesuffix('.md')}"}
    for block in blocks:
        exec(compile(block, str(DOCS / page), "exec"), namespace)


def test_the_docs_count_their_blocks() -> None:
    counts = {page: len(runnable_blocks((DOCS / page).read_text())) for page in PAGES}
    print(f"\nruns: {counts}, {sum(counts.values())} blocks in all")
    assert sum(counts.values()) >= 20


def test_the_machine_page_shows_the_current_machine() -> None:
    text = (DOCS / "machine.md").read_text()
    block = re.search(r"```mermaid\n(.*?)```", text, flags=re.S)
    assert block is not None
    assert block.group(1) == render_mermaid(), "copy diagrams/signin.mmd into docs/machine.md"
