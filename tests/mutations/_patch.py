"""The one mutation idiom: a variant is the reference solution cell with a small, named edit.

    patch("02_positional_encoding", "apply_rope", "base ** (", "10000.0 ** (")
    patch("04_training_optimization", "adam_step", [("1 - b1 ** t", "1"), ("1 - b2 ** t", "1")])

reads the reference solution cell `grade_id` from source/<assignment>/<assignment>.ipynb, drops its
`### BEGIN SOLUTION` / `### END SOLUTION` marker lines (so the cell reads like a learner's submission;
the harness executes either the same way: they are comments), and applies each replacement in order.
Each `old` must occur exactly `count` times in the cell as it stands at that step (every occurrence is
replaced); otherwise the import of the mutation module fails, naming the assignment, grade_id and the
text that was not found, so an edit of the reference can never silently turn a variant into the
reference or into something else. Whole-cell entries are kept only for genuinely different
implementations.
"""
from __future__ import annotations

from harness import source_cells

from course.notebooks import grade_id as _grade_id
from course.notebooks import is_solution_cell

MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


class PatchError(ValueError):
    """A patch whose `old` text is not in the reference solution cell (or is there more often than said)."""


def reference(assignment: str, grade_id: str) -> str:
    """The reference solution cell `grade_id` of `assignment`, without its solution marker lines."""
    for cell in source_cells(assignment):
        if is_solution_cell(cell) and _grade_id(cell) == grade_id:
            lines = cell.source.splitlines(keepends=True)
            text = "".join(line for line in lines if line.strip() not in MARKERS)
            return text if text.endswith("\n") else text + "\n"
    raise PatchError(f"{assignment} has no solution cell {grade_id!r}")


def edit(text: str, old: str | list[tuple[str, str]], new: str | None = None, count: int = 1,
         where: str = "the cell") -> str:
    """`text` with `old` replaced by `new` (or each (old, new) pair applied in turn); each `old` must occur
    exactly `count` times. `where` names the text in the error. patch() is edit() on a reference cell."""
    pairs = [(old, new)] if isinstance(old, str) else list(old)
    if isinstance(old, str) and new is None:
        raise TypeError(f"{where}: edit(text, old, new) needs `new` when `old` is a string")
    if not isinstance(old, str) and new is not None:
        raise TypeError(f"{where}: edit(text, [(old, new), ...]) takes no separate `new`")
    if not all(isinstance(pair, tuple) and len(pair) == 2 and all(isinstance(x, str) for x in pair) for pair in pairs):
        raise TypeError(f"{where}: takes old, new strings or a list of (old, new) pairs")
    out = text
    for a, b in pairs:
        found = out.count(a)
        if not a or found != count:
            raise PatchError(f"{where}: expected {count} occurrence(s) of {a!r}, found {found}")
        out = out.replace(a, b)
    if out == text:
        raise PatchError(f"{where}: the patch leaves the text unchanged")
    return out


def patch(assignment: str, grade_id: str, old: str | list[tuple[str, str]], new: str | None = None,
          count: int = 1) -> str:
    """The reference cell with `old` replaced by `new`, or with each (old, new) pair of a list applied in turn."""
    return edit(reference(assignment, grade_id), old, new, count,
                where=f"{assignment} / {grade_id} (reference solution cell)")
