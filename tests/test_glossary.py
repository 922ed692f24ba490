"""Every notebook ends with a glossary that shows the Chinese term beside the English one."""
import re

import pytest

from course.notebooks import assignments, read_notebook, release_notebook, source_notebook

CJK = re.compile(r"[\u3400-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")


def _cells(row: str) -> list[str]:
    row = row.strip().strip("|")
    return [c.strip() for c in re.split(r"(?<!\\)\|", row)]


def glossary_rows(markdown: str) -> tuple[list[str], list[list[str]]]:
    """The header and the rows of the first Markdown table in a cell."""
    lines = [line for line in markdown.splitlines() if line.strip().startswith("|")]
    if len(lines) < 3 or not re.fullmatch(r"[\s|:\-]+", lines[1]):
        return [], []
    return _cells(lines[0]), [_cells(line) for line in lines[2:]]


@pytest.mark.parametrize("assignment", assignments())
def test_last_cell_is_a_bilingual_glossary(assignment):
    for path in (source_notebook(assignment), release_notebook(assignment)):
        if not path.is_file():
            continue
        last = read_notebook(path).cells[-1]
        assert last.cell_type == "markdown", f"{path.name}: the last cell should be the glossary (Markdown)"
        assert re.search(r"glossary|术语", last.source, re.I), f"{path.name}: the last cell is not the glossary"
        header, rows = glossary_rows(last.source)
        assert header, f"{path.name}: the glossary has no Markdown table"
        zh = next((i for i, h in enumerate(header) if CJK.search(h)), None)
        en = next((i for i, h in enumerate(header) if h.lower() == "english"), None)
        assert zh is not None and en is not None, f"{path.name}: the glossary needs a 中文 and an English column"
        assert len(rows) >= 5, f"{path.name}: a glossary of {len(rows)} terms is too short"
        for row in rows:
            assert len(row) == len(header), f"{path.name}: glossary row {row} has {len(row)} cells, not {len(header)}"
            assert CJK.search(row[zh]), f"{path.name}: glossary row {row} has no Chinese term"
            assert LATIN.search(row[en]), f"{path.name}: glossary row {row} has no English term"


def test_glossary_parser():
    header, rows = glossary_rows("## Glossary 术语表\n\n| 中文 | English | meaning |\n|---|---|---|\n"
                                 "| 自注意力 | self-attention | a \\| b |\n")
    assert header == ["中文", "English", "meaning"] and rows == [["自注意力", "self-attention", "a \\| b"]]
