"""Grade one notebook: restore the read-only cells, run it, score it, write feedback.

This is nbgrader's autograde pipeline (overwrite locked cells from source,
execute, score each grade cell) for one notebook anywhere on disk, with three
deliberate differences:
- a test cell that never ran (the kernel died, the cell was deleted) scores 0,
  never full marks;
- a test cell that writes warnings to stderr keeps its points (nbgrader 0.9
  scores it 0);
- feedback never shows hidden tests or their tracebacks.
"""
from __future__ import annotations

import copy
import html
import subprocess
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from .notebooks import (CourseError, assignments, grade_cells, grade_id, is_locked_cell, is_solution_cell,
                        is_test_cell, is_written_cell, read_notebook, source_notebook, strip_hidden_tests)

DEFAULT_CELL_TIMEOUT = 60
MAX_OUTPUT_CHARS = 20_000
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@dataclass
class CellResult:
    grade_id: str
    kind: str  # "test" | "written"
    points: float | None
    max_points: float
    status: str  # "passed" | "failed" | "not run" | "needs grading" | "unanswered"
    message: str = ""


@dataclass
class Report:
    assignment: str
    notebook: str
    cells: list[CellResult] = field(default_factory=list)
    status: str = "graded"  # "graded" | "error"
    flags: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def score(self) -> float:
        return sum(c.points or 0.0 for c in self.cells)

    @property
    def max_score(self) -> float:
        return sum(c.max_points for c in self.cells)

    @property
    def auto_max_score(self) -> float:
        return sum(c.max_points for c in self.cells if c.kind == "test")

    def to_dict(self) -> dict:
        out = asdict(self)
        out.update(score=self.score, max_score=self.max_score)
        return out

    @classmethod
    def from_dict(cls, data: dict) -> "Report":
        data = {k: v for k, v in data.items() if k not in ("score", "max_score")}
        data["cells"] = [CellResult(**c) for c in data.get("cells", [])]
        return cls(**data)


def assignment_of(path: Path) -> str:
    """Guess the assignment from a notebook's file name (``01_attention.ipynb`` or a copy of it)."""
    stem = path.stem
    known = assignments()
    for name in known:
        if stem == name or stem.startswith(name):
            return name
    for name in known:  # e.g. "01_attention-Copy1"
        if name in stem:
            return name
    raise CourseError(f"{path.name} does not look like a course notebook; name it after its assignment "
                      f"({', '.join(known) or 'none'}) or pass --assignment.")


# ---------------------------------------------------------------- restore
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
            if _normalised(cell.get("source", "")) not in (_normalised(original.source),
                                                            _normalised(strip_hidden_tests(original.source))):
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


def _normalised(source: str) -> str:
    return "\n".join(line.rstrip() for line in source.strip().splitlines())


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


# ---------------------------------------------------------------- execute
def clear_outputs(nb) -> None:
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None


def execute(nb, workdir: Path, cell_timeout: int = DEFAULT_CELL_TIMEOUT) -> list[str]:
    """Run every cell in place (errors allowed); returns flags describing what went wrong."""
    flags: list[str] = []
    clear_outputs(nb)
    client = NotebookClient(nb, timeout=cell_timeout, kernel_name="python3", allow_errors=True,
                            interrupt_on_timeout=True, record_timing=False, iopub_timeout=15,
                            resources={"metadata": {"path": str(workdir)}})
    try:
        client.execute(stderr=subprocess.DEVNULL)  # the kernel's own log lines are noise here
    except DeadKernelError:
        flags.append("the kernel died while running the notebook (a crash, os._exit or running out of memory); "
                     "cells after that did not run")
    except CellTimeoutError:
        flags.append(f"a cell ran past the {cell_timeout}s time limit and could not be interrupted")
    except Exception as err:  # nbclient surfaces kernel start-up and protocol errors many ways
        flags.append(f"the notebook could not be run ({err.__class__.__name__}: {_first_line(str(err))})")
    if any(_timed_out(c) for c in nb.cells if c.cell_type == "code"):
        flags.append(f"a cell ran past the {cell_timeout}s time limit and was interrupted")
    _limit_outputs(nb)
    return flags


def _timed_out(cell) -> bool:
    return any(o.get("output_type") == "error" and o.get("ename") in ("CellTimeoutError", "KeyboardInterrupt")
               for o in cell.get("outputs", []))


def _limit_outputs(nb) -> None:
    """Huge outputs make notebooks and feedback unreadable: keep the first MAX_OUTPUT_CHARS."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and len(out.get("text", "")) > MAX_OUTPUT_CHARS:
                out["text"] = out["text"][:MAX_OUTPUT_CHARS] + "\n... [output truncated by the grader]\n"
            data = out.get("data", {})
            for mime, value in list(data.items()):
                if isinstance(value, str) and len(value) > 50 * MAX_OUTPUT_CHARS:
                    data[mime] = value[:MAX_OUTPUT_CHARS] if mime.startswith("text") else ""


# ---------------------------------------------------------------- score
def _first_line(text: str) -> str:
    text = ANSI.sub("", text or "").strip()
    return text.splitlines()[0] if text else ""


def error_summary(cell) -> str | None:
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            name = out.get("ename", "Error")
            value = _first_line(out.get("evalue", ""))
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


# ---------------------------------------------------------------- feedback
def feedback_notebook(nb, report: Report):
    """A copy fit to show the learner: hidden tests and test tracebacks removed, a summary on top."""
    fb = copy.deepcopy(nb)
    for cell in fb.cells:
        if is_test_cell(cell):
            cell.source = strip_hidden_tests(cell.source)
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":
                    out["traceback"] = [f"{out.get('ename', 'Error')}: {_first_line(out.get('evalue', ''))}"]
    fb.cells.insert(0, nbformat.v4.new_markdown_cell(summary_markdown(report)))
    return fb


def summary_markdown(report: Report) -> str:
    lines = [f"## Feedback: {report.notebook}", "",
             f"**Score: {report.score:g} / {report.max_score:g}**" +
             (" (written answers are graded by a person)" if any(c.kind == "written" for c in report.cells) else ""),
             ""]
    if report.flags:
        lines += [f"- Note: {flag}" for flag in report.flags] + [""]
    lines += ["| cell | points | result |", "|---|---|---|"]
    for c in report.cells:
        points = "–" if c.points is None else f"{c.points:g}"
        result = c.status + (f": {html.escape(c.message)}" if c.message else "")
        lines.append(f"| `{c.grade_id}` | {points} / {c.max_points:g} | {result.replace('|', '/')} |")
    return "\n".join(lines)


def write_feedback_html(nb, report: Report, path: Path) -> Path:
    from nbconvert import HTMLExporter

    exporter = HTMLExporter()
    body, _ = exporter.from_notebook_node(feedback_notebook(nb, report))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")
    return path


# ---------------------------------------------------------------- one notebook
def grade_notebook(path: str | Path, assignment: str | None = None, *, workdir: Path | None = None,
                   cell_timeout: int = DEFAULT_CELL_TIMEOUT, source_root: Path | None = None):
    """Grade one notebook file. Returns (report, executed notebook or None).

    A notebook that cannot be read still gets a report (status "error", 0 points).
    """
    path = Path(path)
    start = time.monotonic()
    assignment = assignment or assignment_of(path)
    source = read_notebook(source_notebook(assignment, source_root))
    report = Report(assignment=assignment, notebook=path.name)
    try:
        submission = read_notebook(path)
    except CourseError as err:
        report.status = "error"
        report.flags.append(str(err))
        report.cells = [CellResult(g.grade_id, g.kind, 0.0 if g.kind == "test" else None, g.points,
                                   "not run", "the notebook could not be read") for g in grade_cells(source)]
        return report, None
    nb, flags = restore_cells(submission, source)
    report.flags += flags
    report.flags += execute(nb, workdir or path.parent, cell_timeout)
    report.cells = score(nb, source)
    report.seconds = round(time.monotonic() - start, 2)
    return report, nb


def format_report(report: Report) -> str:
    """The table `course check` prints."""
    width = max([len(c.grade_id) for c in report.cells] + [10])
    lines = [f"{report.notebook} ({report.assignment}): {report.score:g} / {report.auto_max_score:g} "
             f"autograded points"]
    written = [c for c in report.cells if c.kind == "written"]
    if written:
        lines[0] += f", plus {sum(c.max_points for c in written):g} points of written answers graded by a person"
    for flag in report.flags:
        lines.append(f"  note: {flag}")
    if report.status == "error":
        return "\n".join(lines)
    lines.append("")
    lines.append(f"  {'cell'.ljust(width)}  points  result")
    for c in report.cells:
        points = "   -  " if c.points is None else f"{c.points:g}/{c.max_points:g}".rjust(6)
        result = c.status + (f": {c.message}" if c.message else "")
        if len(result) > 110:
            result = result[:107] + "..."
        lines.append(f"  {c.grade_id.ljust(width)}  {points}  {result}")
    return "\n".join(lines)
