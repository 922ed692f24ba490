"""Score an executed notebook: a test cell passes when it ran and raised nothing."""
from __future__ import annotations

from ..notebooks import grade_cells, grade_id
from .report import CellResult, one_line


def error_summary(cell) -> str | None:
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            name = out.get("ename", "Error")
            value = one_line(out.get("evalue", ""))
            if name in ("CellTimeoutError", "KeyboardInterrupt"):
                return "the cell ran past the time limit and was interrupted"
            return f"{name}: {value}" if value else name
    return None


def score(nb, source, notes: dict[str, str] | None = None) -> list[CellResult]:
    """One result per grade cell of source, in source order."""
    by_id = {}
    for cell in nb.cells:
        gid = grade_id(cell)
        if gid and gid not in by_id:
            by_id[gid] = cell
    results = []
    for spec in grade_cells(source):
        cell = by_id.get(spec.grade_id)
        if spec.kind == "written":
            text = (cell.source if cell is not None else "").strip()
            answered = bool(text) and text != "YOUR ANSWER HERE"
            results.append(CellResult(spec.grade_id, "written", None, spec.points,
                                      "needs grading" if answered else "unanswered"))
            continue
        if cell is None or cell.get("execution_count") is None:
            results.append(CellResult(spec.grade_id, "test", 0.0, spec.points, "not run",
                                      "this test did not run (an earlier cell stopped the kernel)"))
            continue
        problem = error_summary(cell)
        if problem:
            results.append(CellResult(spec.grade_id, "test", 0.0, spec.points, "failed", problem))
        else:
            results.append(CellResult(spec.grade_id, "test", spec.points, spec.points, "passed"))
    return results
