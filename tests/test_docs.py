"""The pages under docs/ whose examples are runnable: every ```python block runs, in order,
in one namespace per page (the page says the blocks belong together)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
RUNNABLE = ["async.md"]


@pytest.mark.parametrize("page", RUNNABLE)
def test_every_python_block_of_the_page_runs(page: str) -> None:
    text = (DOCS / page).read_text()
    assert "run in order, as one script" in text
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) >= 3
    namespace: dict[str, object] = {"__name__": f"docs_{page.removesuffix('.md')}"}
    for block in blocks:
        exec(compile(block, str(DOCS / page), "exec"), namespace)
