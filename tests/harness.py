"""Run a source notebook's tests in-process against swapped-in implementations.

This is how tests/ proves the hidden tests catch each wrong implementation
kept in tests/mutations/ and accept each right one. It executes, in notebook
order, the read-only code cells (setup and helpers), the solution cells (the
reference, or a replacement for one grade_id), and every autograded test cell,
just as nbgrader would, but in one Python process so hundreds of variants run
in seconds. Free cells (examples, plots) are skipped: tests never depend on them.
"""
from __future__ import annotations

import os
import warnings
from dataclasses import dataclass

os.environ.setdefault("MPLBACKEND", "Agg")

from course.grader.report import one_line  # noqa: E402
from course.notebooks import (grade_id, is_solution_cell, is_test_cell, nbgrader_meta, read_notebook,  # noqa: E402
                              source_notebook)

_CACHE: dict = {}


def source_cells(assignment: str) -> list:
    if assignment not in _CACHE:
        _CACHE[assignment] = read_notebook(source_notebook(assignment)).cells
    return _CACHE[assignment]


def solution_ids(assignment: str) -> list[str]:
    return [grade_id(c) for c in source_cells(assignment) if is_solution_cell(c)]


def test_ids(assignment: str) -> list[str]:
    return [grade_id(c) for c in source_cells(assignment) if is_test_cell(c)]


@dataclass
class Outcome:
    failures: dict  # test grade_id -> one-line error
    passed: list

    def summary(self) -> str:
        return "; ".join(f"{k}: {v}" for k, v in self.failures.items()) or "all tests passed"


def _one_line(err: BaseException) -> str:
    return one_line(f"{type(err).__name__}: {err}", 300)


def run(assignment: str, replace: dict[str, str] | None = None, stop_at_first_failure: bool = False) -> Outcome:
    """Execute the notebook's graded path with ``replace[grade_id]`` swapped in for solution cells."""
    replace = dict(replace or {})
    unknown = set(replace) - set(solution_ids(assignment))
    if unknown:
        raise KeyError(f"{assignment} has no solution cell {sorted(unknown)}")
    namespace: dict = {"__name__": "__main__"}
    failures, passed = {}, []
    import matplotlib

    matplotlib.use("Agg", force=True)
    for cell in source_cells(assignment):
        if cell.cell_type != "code":
            continue
        gid = grade_id(cell)
        meta = nbgrader_meta(cell)
        if is_test_cell(cell):
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    exec(compile(cell.source, f"<{gid}>", "exec"), namespace)
                passed.append(gid)
            except Exception as err:  # a failing test is data here
                failures[gid] = _one_line(err)
                if stop_at_first_failure:
                    break
        elif is_solution_cell(cell):
            code = replace.get(gid, cell.source)
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    exec(compile(code, f"<{gid}>", "exec"), namespace)
            except Exception as err:
                failures[gid] = "solution cell raised " + _one_line(err)
        elif meta.get("locked"):
            exec(compile(cell.source, f"<{gid}>", "exec"), namespace)
    import matplotlib.pyplot as plt

    plt.close("all")
    return Outcome(failures, passed)
