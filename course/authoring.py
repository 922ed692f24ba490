"""Build nbgrader notebooks from Python, with the course's cell rhythm.

An author writes a short script (kept out of the repo) that calls these
builders, saves the notebook into ``source/<assignment>/``, and from then on
edits the notebook itself: the notebook is the source of truth.

    nb = NotebookBuilder()
    nb.md("# 01 · Self-attention")
    nb.setup("import torch")
    nb.solution("softmax", 'def softmax(x, dim=-1):\\n    ### BEGIN SOLUTION\\n    ...\\n    ### END SOLUTION')
    nb.tests("test_softmax_basics", "assert ...", points=1)
    nb.save("source/01_attention/01_attention.ipynb")
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

GRADE_ID = re.compile(r"^[a-z][a-z0-9_]*$")

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
LANGUAGE_INFO = {"name": "python", "pygments_lexer": "ipython3", "version": "3.11"}


def nbgrader_meta(grade_id: str, *, grade: bool, solution: bool, locked: bool, points: float | None = None) -> dict:
    """The cell metadata nbgrader 0.9 (schema 3) expects."""
    if not GRADE_ID.match(grade_id):
        raise ValueError(f"grade_id {grade_id!r} is not snake_case")
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3, "solution": solution}
    if grade:
        meta["points"] = points
    return meta


class NotebookBuilder:
    """Collects cells in order; each method adds one cell and returns it."""

    def __init__(self) -> None:
        self.cells: list = []
        self._ids: set[str] = set()

    def _add(self, cell, grade_id: str | None = None, **meta):
        if grade_id is not None:
            if grade_id in self._ids:
                raise ValueError(f"duplicate grade_id {grade_id!r}")
            self._ids.add(grade_id)
            cell.metadata["nbgrader"] = nbgrader_meta(grade_id, **meta)
        self.cells.append(cell)
        return cell

    def md(self, text: str):
        """Explanation the learner reads (editable, ungraded)."""
        return self._add(new_markdown_cell(text.strip("\n")))

    def code(self, source: str):
        """A free code cell: examples and plots. Tests never depend on it."""
        return self._add(new_code_cell(source.strip("\n")))

    def setup(self, source: str, grade_id: str = "setup"):
        """A read-only code cell that tests may depend on (imports, helpers)."""
        return self._add(new_code_cell(source.strip("\n")), grade_id, grade=False, solution=False, locked=True)

    def solution(self, grade_id: str, source: str):
        """The learner's answer cell; the reference sits between BEGIN/END SOLUTION."""
        if "### BEGIN SOLUTION" not in source:
            raise ValueError(f"solution cell {grade_id!r} has no ### BEGIN SOLUTION block")
        return self._add(new_code_cell(source.strip("\n")), grade_id, grade=False, solution=True, locked=False)

    def tests(self, grade_id: str, source: str, points: float = 1):
        """An autograded, read-only test cell (may hold a HIDDEN TESTS block)."""
        if not grade_id.startswith("test_"):
            raise ValueError(f"test cell {grade_id!r} must be named test_<name>_<behaviour>")
        return self._add(new_code_cell(source.strip("\n")), grade_id, grade=True, solution=False, locked=True,
                         points=points)

    def written(self, grade_id: str, question: str, reference: str, points: float = 2):
        """A manually graded written answer: the question (read-only), then the answer cell.

        The answer cell holds the reference answer in source/ only; the release shows the stub.
        """
        self._add(new_markdown_cell(question.strip("\n")), f"{grade_id}_question", grade=False, solution=False,
                  locked=True)
        return self._add(new_markdown_cell(reference.strip("\n")), grade_id, grade=True, solution=True,
                         locked=False, points=points)

    def notebook(self):
        nb = new_notebook(cells=list(self.cells))
        nb.metadata["kernelspec"] = dict(KERNELSPEC)
        nb.metadata["language_info"] = dict(LANGUAGE_INFO)
        for index, cell in enumerate(nb.cells):
            # Stable ids keep diffs of source/ and release/ small.
            cell["id"] = cell.metadata.get("nbgrader", {}).get("grade_id") or f"cell-{index:03d}"
        return nb

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        nb = self.notebook()
        nbformat.validate(nb)
        nbformat.write(nb, str(path))
        return path
