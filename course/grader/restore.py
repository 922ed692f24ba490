"""Restore a submission's read-only cells (setup, questions, tests with their hidden tests) from source."""
from __future__ import annotations

import copy

from ..notebooks import grade_id, is_locked_cell, is_solution_cell, is_written_cell, normalised, strip_hidden_tests


def restore_cells(submission, source) -> tuple:
    """The submission with every read-only cell put back as it is in source.

    Learner cells (answers, extra cells) stay; locked cells (setup, questions,
    tests with their hidden tests) are replaced by the source version; locked
    cells the learner deleted are re-inserted after the cell that precedes them
    in source. Returns (notebook, flags).
    """
    nb = copy.deepcopy(submission)
    flags: list[str] = []
    locked = {grade_id(c): c for c in source.cells if is_locked_cell(c) and grade_id(c)}
    answers = {grade_id(c): c for c in source.cells if (is_solution_cell(c) or is_written_cell(c)) and grade_id(c)}
    seen: set[str] = set()
    cells = []
    edited = []
    for cell in nb.cells:
        gid = grade_id(cell)
        if gid in seen:  # a copied cell: keep the code, drop the grading identity
            cell.metadata.pop("nbgrader", None)
        elif gid in locked:
            seen.add(gid)
            original = locked[gid]
            if normalised(cell.get("source", "")) not in (normalised(original.source),
                                                            normalised(strip_hidden_tests(original.source))):
                edited.append(gid)
            cell = copy.deepcopy(original)
            if cell.cell_type == "code":
                cell["outputs"], cell["execution_count"] = [], None
        elif gid in answers:
            seen.add(gid)
            cell.metadata["nbgrader"] = copy.deepcopy(answers[gid].metadata["nbgrader"])
        elif gid:  # an nbgrader identity the source does not know: not graded
            cell.metadata.pop("nbgrader", None)
        cells.append(cell)
    if edited:
        flags.append(f"edited read-only cells restored: {', '.join(edited)}")
    missing = [gid for gid in list(locked) + list(answers) if gid not in seen]
    if missing:
        cells = _reinsert(cells, source, missing)
        deleted = [g for g in missing if g in locked]
        if deleted:
            flags.append(f"deleted read-only cells restored: {', '.join(deleted)}")
    nb.cells = cells
    nb.metadata["kernelspec"] = copy.deepcopy(source.metadata.get("kernelspec", {}))
    return nb, flags


def _reinsert(cells: list, source, missing: list[str]) -> list:
    order = [grade_id(c) for c in source.cells]
    for gid in missing:
        original = copy.deepcopy(next(c for c in source.cells if grade_id(c) == gid))
        if is_solution_cell(original) or is_written_cell(original):
            original.source = "raise NotImplementedError('this answer cell was deleted')" \
                if original.cell_type == "code" else ""
        if original.cell_type == "code":
            original["outputs"] = []
            original["execution_count"] = None
        position = 0
        for earlier in reversed(order[:order.index(gid)]):
            hits = [i for i, c in enumerate(cells) if earlier and grade_id(c) == earlier]
            if hits:
                position = hits[0] + 1
                break
        cells.insert(position, original)
    return cells
