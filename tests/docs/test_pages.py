"""The pages themselves: every relative link in ``docs/*.md`` resolves, every page is linked
from ``docs/index.md``, every Python block of a guide page is copied verbatim from a tested
example file, and every example file is loaded by a test."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.doc_examples import DOCS, EXAMPLES, GUIDE_PAGES, KNOWN_EXAMPLES, ROOT

_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
_FENCE = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _pages() -> list[Path]:
    return sorted(DOCS.glob("*.md"))


def _anchors(page: Path) -> set[str]:
    anchors = set()
    for line in page.read_text().splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            slug = re.sub(r"[^\w\- ]", "", title).replace(" ", "-")
            anchors.add(slug)
    return anchors


@pytest.mark.parametrize("page", _pages(), ids=lambda p: p.name)
def test_every_relative_link_resolves(page: Path) -> None:
    for target in _LINK.findall(page.read_text()):
        if re.match(r"[a-z]+:", target):  # http:, https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        resolved = (page.parent / path).resolve() if path else page
        assert resolved.exists(), f"{page.name}: broken link {target}"
        if anchor and resolved.suffix == ".md":
            assert anchor in _anchors(resolved), f"{page.name}: no heading #{anchor} in {resolved.name}"


def test_every_page_is_linked_from_the_index() -> None:
    linked = {(DOCS / target.partition("#")[0]).resolve() for target in _LINK.findall((DOCS / "index.md").read_text())}
    for page in _pages():
        if page.name != "index.md":
            assert page.resolve() in linked, f"docs/index.md does not link {page.name}"
    assert (ROOT / "bench" / "README.md").resolve() in linked


@pytest.mark.parametrize("name", GUIDE_PAGES)
def test_python_blocks_are_excerpts_of_tested_examples(name: str) -> None:
    sources = [p.read_text() for p in [*EXAMPLES.glob("*.py"), *(ROOT / "examples").glob("*.py")]]
    for block in _FENCE.findall((DOCS / name).read_text()):
        assert any(block in source for source in sources), f"{name}: this block is in no example file:\n{block}"


def test_every_example_file_is_exercised() -> None:
    on_disk = {path.name for path in EXAMPLES.glob("*.py")}
    assert on_disk == KNOWN_EXAMPLES, "add the new example to KNOWN_EXAMPLES and test it"


def test_each_example_file_is_loaded_by_a_test() -> None:
    source = "".join(path.read_text() for path in Path(__file__).parent.glob("test_*.py"))
    for name in KNOWN_EXAMPLES:
        assert f'load("{name}")' in source, f"no test loads {name}"


def test_example_names_do_not_shadow_importable_modules() -> None:
    import importlib.util as util

    for path in EXAMPLES.glob("*.py"):
        assert util.find_spec(path.stem) is None, f"docs/examples/{path.name} would shadow a module"
