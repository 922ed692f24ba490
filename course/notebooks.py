"""Where the course's notebooks live, and what each nbgrader cell is.

One assignment = one folder ``source/<assignment>/`` holding ``<assignment>.ipynb``.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
HIDDEN_BLOCK = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?^[ \t]*### END HIDDEN TESTS[^\n]*\n?", re.S | re.M)
SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


class CourseError(Exception):
    """An error for people: its message is one clear sentence."""


def source_dir(root: Path | None = None) -> Path:
    return (root or ROOT) / "source"


def release_dir(root: Path | None = None) -> Path:
    return (root or ROOT) / "release"


def assignments(root: Path | None = None) -> list[str]:
    """Assignment names in source/, in course order."""
    base = source_dir(root)
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir() if (p / f"{p.name}.ipynb").is_file())


def source_notebook(assignment: str, root: Path | None = None) -> Path:
    path = source_dir(root) / assignment / f"{assignment}.ipynb"
    if not path.is_file():
        known = ", ".join(assignments(root)) or "none"
        raise CourseError(f"There is no assignment called {assignment!r} (known: {known}).")
    return path


def release_notebook(assignment: str, root: Path | None = None) -> Path:
    return release_dir(root) / assignment / f"{assignment}.ipynb"


def read_notebook(path: str | Path):
    """Read a notebook, turning every way it can be broken into one sentence."""
    path = Path(path)
    if not path.exists():
        raise CourseError(f"{path} does not exist.")
    if path.is_dir():
        raise CourseError(f"{path} is a folder, not a notebook.")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise CourseError(f"{path.name} could not be read as UTF-8 text ({err.__class__.__name__}).") from None
    if not text.strip():
        raise CourseError(f"{path.name} is empty: it is not a notebook.")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise CourseError(f"{path.name} is not valid notebook JSON (line {err.lineno}: {err.msg}).") from None
    if not isinstance(data, dict) or "cells" not in data or not isinstance(data["cells"], list):
        raise CourseError(f"{path.name} is JSON but not a Jupyter notebook (it has no list of cells).")
    try:
        nb = nbformat.reads(text, as_version=4)
    except Exception as err:  # nbformat raises many kinds of errors for odd files
        raise CourseError(f"{path.name} is not a readable Jupyter notebook ({err.__class__.__name__}).") from None
    for cell in nb.cells:
        if isinstance(cell.get("source"), list):
            cell["source"] = "".join(cell["source"])
    return nb


def write_notebook(nb, path: str | Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))


def nbgrader_meta(cell) -> dict:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


def grade_id(cell) -> str | None:
    return nbgrader_meta(cell).get("grade_id")


def is_test_cell(cell) -> bool:
    """Autograded tests: graded, not a solution."""
    meta = nbgrader_meta(cell)
    return bool(meta.get("grade")) and not meta.get("solution") and cell.get("cell_type") == "code"


def is_solution_cell(cell) -> bool:
    meta = nbgrader_meta(cell)
    return bool(meta.get("solution")) and not meta.get("grade")


def is_written_cell(cell) -> bool:
    """Manually graded answers: graded and a solution."""
    meta = nbgrader_meta(cell)
    return bool(meta.get("grade")) and bool(meta.get("solution"))


def is_locked_cell(cell) -> bool:
    """Read-only cells the grader restores from source: setup, questions and tests."""
    meta = nbgrader_meta(cell)
    return bool(meta.get("locked")) or is_test_cell(cell)


def strip_hidden_tests(source: str) -> str:
    return HIDDEN_BLOCK.sub("", source)


def normalised(source: str | None) -> str:
    """A cell's source as compared for "unchanged": no surrounding blank lines, no trailing spaces."""
    return "\n".join(line.rstrip() for line in (source or "").strip().splitlines())


def file_digest(*paths: Path) -> str:
    """SHA-256 of the files' bytes, in order (a missing file counts as "-"): what caches are keyed on."""
    h = hashlib.sha256()
    for p in paths:
        h.update(p.read_bytes() if p and p.is_file() else b"-")
    return h.hexdigest()


@dataclass(frozen=True)
class GradeCell:
    grade_id: str
    points: float
    kind: str  # "test" or "written"


def grade_cells(nb) -> list[GradeCell]:
    out = []
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        if meta.get("grade"):
            kind = "written" if meta.get("solution") else "test"
            out.append(GradeCell(meta["grade_id"], float(meta.get("points") or 0), kind))
    return out
