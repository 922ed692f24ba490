"""Self-study comfort: ``course progress`` and the reference answers ``course check`` may show.

``course progress`` grades every assignment in the learner's workspace with the
same pipeline as ``course check`` (visible and hidden tests, ``grade_notebook``)
and shows, per exercise, whether it passes: a table in the terminal and a
picture (``progress.png``: assignments x exercises, green passed, red failed,
grey not attempted). It is cheap when little changed: a notebook none of whose
exercises was touched is not run at all, and a graded notebook is graded again
only when it (or its source) changed since (``.course-progress.json``).

An exercise is one or more solution cells (``split_heads`` and ``merge_heads``
share their tests) with the test cells after them; it is *not attempted* while
every one of its solution cells is still the release's stub, *passed* when all
its tests pass, *failed* otherwise. Written questions are *answered* or not:
a person grades them.

``reference_answers(report)`` is what ``course check`` prints after its table:
the reference answer of each written question the learner has answered, and
only of those.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .notebooks import (ROOT, SOLUTION_MARKERS, CourseError, assignments, file_digest, grade_id, is_solution_cell,
                        is_test_cell, is_written_cell, normalised, read_notebook, release_notebook, source_notebook)

CACHE = ".course-progress.json"
PICTURE = "progress.png"
PLACEHOLDER = "YOUR ANSWER HERE"

PASSED, FAILED, NOT_ATTEMPTED = "passed", "failed", "not attempted"
ANSWERED, UNANSWERED, MISSING = "answered", "unanswered", "no notebook"
COLOURS = {PASSED: "#2e9e44", FAILED: "#d64541", NOT_ATTEMPTED: "#d9d9d9",
           ANSWERED: "#4a7fc1", UNANSWERED: "#eef2f8", MISSING: "#ffffff"}
SYMBOLS = {PASSED: "✓", FAILED: "✗", NOT_ATTEMPTED: "·", ANSWERED: "✎", UNANSWERED: "·", MISSING: " "}


@dataclass
class Exercise:
    """One exercise of an assignment: solution cells and the test cells that check them."""
    name: str
    kind: str  # "code" | "written"
    cells: list[str]  # grade ids of its solution (or written) cells
    tests: list[str] = field(default_factory=list)
    status: str = NOT_ATTEMPTED
    message: str = ""


@dataclass
class AssignmentProgress:
    assignment: str
    notebook: str  # path relative to the workspace
    exercises: list[Exercise]
    graded: bool = False  # the notebook was run (or its grades came from the cache)
    note: str = ""

    def count(self, status: str) -> int:
        return sum(1 for e in self.exercises if e.status == status)

    @property
    def code(self) -> list[Exercise]:
        return [e for e in self.exercises if e.kind == "code"]

    @property
    def written(self) -> list[Exercise]:
        return [e for e in self.exercises if e.kind == "written"]


# ---------------------------------------------------------------- exercises
def exercises_of(source) -> list[Exercise]:
    """The exercises of a source notebook, in order: code ones, then written questions."""
    code: list[Exercise] = []
    written: list[Exercise] = []
    pending: list[str] = []  # solution cells not yet followed by a test
    for cell in source.cells:
        gid = grade_id(cell)
        if not gid:
            continue
        if is_solution_cell(cell):
            pending.append(gid)
        elif is_test_cell(cell):
            if pending:
                code.append(Exercise("/".join(pending), "code", pending))
                pending = []
            if not code:
                code.append(Exercise(gid, "code", []))
            code[-1].tests.append(gid)
        elif is_written_cell(cell):
            written.append(Exercise(gid, "written", [gid]))
    if pending:  # solution cells with no test after them: graded by nothing, still shown
        code.append(Exercise("/".join(pending), "code", pending))
    return code + written


def _stubs(assignment: str, source, root: Path) -> dict[str, str]:
    """What each answer cell holds before the learner touches it (from release/, else from source)."""
    stubs: dict[str, str] = {}
    path = release_notebook(assignment, root)
    if path.is_file():
        try:
            for cell in read_notebook(path).cells:
                if grade_id(cell) and (is_solution_cell(cell) or is_written_cell(cell)):
                    stubs[grade_id(cell)] = normalised(cell.source)
        except CourseError:
            stubs = {}
    for cell in source.cells:  # cells the release lacks: the stub nbgrader would make
        gid = grade_id(cell)
        if gid and gid not in stubs and is_written_cell(cell):
            stubs[gid] = PLACEHOLDER
    return stubs


def attempted(cell_source: str | None, stub: str | None) -> bool:
    """A learner's answer cell differs from the stub it was handed (and is not empty)."""
    text = normalised(cell_source or "")
    if not text or text == PLACEHOLDER:
        return False
    if stub is not None:
        return text != stub
    return "raise NotImplementedError" not in text


# ---------------------------------------------------------------- grading
def _grade(path: Path, assignment: str, cell_timeout: int, root: Path):
    """course check's pipeline on one notebook: the learner's own code, run as a plain process."""
    from .grader.notebook import GradeOptions, grade_notebook

    options = GradeOptions(source_root=root if root.resolve() != ROOT else None, workdir=path.resolve().parent,
                           cell_timeout=cell_timeout, sandbox="off")
    report, _ = grade_notebook(path.resolve(), assignment, options)
    return report


def _report_from(data: dict):
    from .grader.report import Report

    return Report.from_dict(data)


def assignment_progress(workspace: Path, assignment: str, *, root: Path | None = None, cache: dict | None = None,
                        cell_timeout: int = 60, grade=None) -> AssignmentProgress:
    """Which exercises of one assignment pass in the learner's workspace."""
    root = root or ROOT
    source_path = source_notebook(assignment, root)
    source = read_notebook(source_path)
    rel = f"{assignment}/{assignment}.ipynb"
    path = workspace / rel
    result = AssignmentProgress(assignment, rel, exercises_of(source))
    if not path.is_file():
        for ex in result.exercises:
            ex.status = MISSING
        result.note = "not in your workspace (run `make lab`)"
        return result
    try:
        nb = read_notebook(path)
    except CourseError as err:
        for ex in result.exercises:
            ex.status = NOT_ATTEMPTED
        result.note = str(err)
        return result
    stubs = _stubs(assignment, source, root)
    cells = {}
    for cell in nb.cells:
        gid = grade_id(cell)
        if gid and gid not in cells:
            cells[gid] = cell.source
    touched = {gid for gid in stubs.keys() | cells.keys() if gid in cells and attempted(cells[gid], stubs.get(gid))}
    for ex in result.written:
        ex.status = ANSWERED if ex.cells[0] in touched else UNANSWERED
    code = [ex for ex in result.code if any(g in touched for g in ex.cells)]
    if not code:
        return result  # nothing to run: every code exercise is still a stub
    key = file_digest(path, source_path)
    entry = (cache or {}).get(rel)
    if entry and entry.get("key") == key:
        report = _report_from(entry["report"])
    else:
        report = (grade or _grade)(path, assignment, cell_timeout, root)
        if cache is not None:
            cache[rel] = {"key": key, "report": report.to_dict()}
    result.graded = True
    by_id = {c.grade_id: c for c in report.cells}
    for ex in code:
        outcomes = [by_id.get(t) for t in ex.tests]
        bad = [c for c in outcomes if c is None or c.status != "passed"]
        ex.status = FAILED if bad else PASSED
        if not ex.tests:
            ex.message = "no test checks this exercise"
        elif bad:
            first = bad[0]
            ex.message = f"{first.grade_id}: {first.message or first.status}" if first is not None else ""
            diagnosis = getattr(report, "diagnoses", {}).get(ex.name)
            if diagnosis:
                from .grader.report import diagnosis_text

                ex.message = f"likely mistake: {diagnosis_text(assignment, diagnosis) or diagnosis} ({ex.message})"
    if report.status != "graded":
        result.note = f"graded with problems ({report.status})" + (f": {report.flags[0]}" if report.flags else "")
    return result


def workspace_progress(workspace: Path, *, root: Path | None = None, cell_timeout: int = 60, grade=None,
                       log=None) -> list[AssignmentProgress]:
    """Progress of every assignment of the course in the workspace (cached in .course-progress.json)."""
    root = root or ROOT
    cache_file = workspace / CACHE
    try:
        cache = json.loads(cache_file.read_text()) if cache_file.is_file() else {}
    except (json.JSONDecodeError, OSError):
        cache = {}
    out = []
    for name in assignments(root):
        if log:
            log(name)
        out.append(assignment_progress(workspace, name, root=root, cache=cache, cell_timeout=cell_timeout,
                                       grade=grade))
    if workspace.is_dir():
        cache_file.write_text(json.dumps(cache, indent=1, sort_keys=True))
    return out


# ---------------------------------------------------------------- showing it
def format_progress(rows: list[AssignmentProgress], details: bool = True) -> str:
    width = max([len(r.assignment) for r in rows] + [10])
    lines = [f"{'assignment'.ljust(width)}  passed  failed  to do  written  exercises "
             f"({SYMBOLS[PASSED]} passed, {SYMBOLS[FAILED]} failed, {SYMBOLS[NOT_ATTEMPTED]} not attempted, "
             f"{SYMBOLS[ANSWERED]} answered)"]
    totals = {PASSED: 0, "code": 0}
    for r in rows:
        n = len(r.code)
        totals[PASSED] += r.count(PASSED)
        totals["code"] += n
        marks = "".join(SYMBOLS[e.status] for e in r.code) + " " + "".join(SYMBOLS[e.status] for e in r.written)
        if r.note and r.count(MISSING):
            lines.append(f"{r.assignment.ljust(width)}  {r.note}")
            continue
        lines.append(f"{r.assignment.ljust(width)}  {r.count(PASSED):>3}/{n:<3}{r.count(FAILED):>5}  "
                     f"{r.count(NOT_ATTEMPTED):>5}  {r.count(ANSWERED):>4}/{len(r.written):<3} {marks}"
                     + (f"  ({r.note})" if r.note else ""))
    lines.append(f"{'total'.ljust(width)}  {totals[PASSED]:>3}/{totals['code']:<3}")
    if details:
        failing = [(r, e) for r in rows for e in r.code if e.status == FAILED]
        if failing:
            lines += ["", "failing exercises (run `course check <notebook>` for the whole table):"]
            for r, e in failing:
                msg = e.message if len(e.message) <= 100 else e.message[:97] + "..."
                lines.append(f"  {r.assignment} · {e.name}: {msg}")
    return "\n".join(lines)


def _short(name: str, width: int = 9) -> str:
    """An exercise name on at most two short lines: causal_additive_mask -> causal\nadditive…"""
    words = name.split("/")[0].split("_")
    lines = [""]
    for w in words:
        if lines[-1] and len(lines[-1]) + 1 + len(w) > width:
            lines.append("")
        lines[-1] = (lines[-1] + "_" + w) if lines[-1] else w
    out = [line if len(line) <= width else line[:width - 1] + "…" for line in lines[:2]]
    if len(lines) > 2:
        out[-1] = out[-1][:width - 1] + "…"
    return "\n".join(out)


def save_picture(rows: list[AssignmentProgress], path: Path) -> Path:
    """A heatmap: one row per assignment, one square per exercise (code ones, then written questions)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch, Rectangle

    ncode = max([len(r.code) for r in rows] + [1])
    nwritten = max([len(r.written) for r in rows] + [0])
    gap = 0.6 if nwritten else 0
    ncols = ncode + nwritten
    fig_w = min(4 + 0.7 * ncols, 24)
    fig, ax = plt.subplots(figsize=(fig_w, 1.6 + 0.45 * len(rows)))
    for y, r in enumerate(rows):
        for x, e in enumerate(r.code):
            ax.add_patch(Rectangle((x, y), 0.94, 0.9, color=COLOURS[e.status]))
            ax.text(x + 0.47, y + 0.45, _short(e.name), ha="center", va="center", fontsize=5, linespacing=1.0,
                    color="white" if e.status in (PASSED, FAILED) else "#555555")
        for i, e in enumerate(r.written):
            x = ncode + gap + i
            ax.add_patch(Rectangle((x, y), 0.94, 0.9, color=COLOURS[e.status]))
            ax.text(x + 0.47, y + 0.45, "Q" + str(i + 1), ha="center", va="center", fontsize=6,
                    color="white" if e.status == ANSWERED else "#555555")
        label = f"{r.count(PASSED)}/{len(r.code)}"
        ax.text(ncols + gap + 0.3, y + 0.45, label, va="center", fontsize=8)
    ax.set_xlim(0, ncols + gap + 1.5)
    ax.set_ylim(len(rows), 0)
    ax.set_yticks([y + 0.45 for y in range(len(rows))])
    ax.set_yticklabels([r.assignment for r in rows], fontsize=8)
    ax.set_xticks([x + 0.47 for x in range(ncode)] + ([ncode + gap + (nwritten - 1) / 2 + 0.47] if nwritten else []))
    ax.set_xticklabels([str(x + 1) for x in range(ncode)] + (["written questions"] if nwritten else []), fontsize=7)
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    done = sum(r.count(PASSED) for r in rows)
    total = sum(len(r.code) for r in rows)
    ax.set_title(f"Your progress: {done} of {total} exercises pass", fontsize=11, loc="left")
    legend = [Patch(color=COLOURS[s], label=s) for s in (PASSED, FAILED, NOT_ATTEMPTED, ANSWERED)]
    ax.legend(handles=legend, loc="upper left", bbox_to_anchor=(0, -0.02 - 0.3 / max(len(rows), 1)), ncol=4,
              fontsize=7, frameon=False)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=150)
    plt.close(fig)
    return path


# ---------------------------------------------------------------- course check's reference answers
def _clean_answer(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip() not in SOLUTION_MARKERS]
    return "\n".join(lines).strip()


def reference_answers(report, source_root: Path | None = None) -> str:
    """What `course check` prints after its table about the written questions.

    The reference answer of every written question the learner has answered
    (the report says "needs grading"); only the names of those still
    unanswered, with the promise of their answers once they are written.
    """
    written = [c for c in getattr(report, "cells", []) if c.kind == "written"]
    if not written or getattr(report, "status", "graded") == "error":
        return ""
    try:
        source = read_notebook(source_notebook(report.assignment, source_root))
    except CourseError:
        return ""
    refs = {grade_id(c): _clean_answer(c.source) for c in source.cells if is_written_cell(c)}
    answered = [c for c in written if c.status == "needs grading"]
    missing = [c for c in written if c.status != "needs grading"]
    lines = []
    if answered:
        lines.append("Reference answers to the written questions you answered (compare, then improve yours):")
        for c in answered:
            lines.append("")
            lines.append(f"  {c.grade_id} ({c.max_points:g} points):")
            lines += [f"    {line}".rstrip() for line in (refs.get(c.grade_id) or "(no reference answer)").splitlines()]
    if missing:
        if lines:
            lines.append("")
        lines.append("Written questions still unanswered (their reference answers appear here once you write "
                     "your own): " + ", ".join(c.grade_id for c in missing))
    return "\n".join(lines)


# ---------------------------------------------------------------- command
def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--workspace", help="your workspace (default: the one `course lab` serves, else workspace/)")
    p.add_argument("--picture", help=f"where to save the picture (default: WORKSPACE/{PICTURE})")
    p.add_argument("--timeout", type=int, default=60, help="seconds allowed per cell (default 60)")


def default_workspace() -> Path:
    """$COURSE_WORKSPACE (set in `course lab`'s terminals), the current folder if it is a workspace, else workspace/."""
    from .workspace import STATE

    if os.environ.get("COURSE_WORKSPACE"):
        return Path(os.environ["COURSE_WORKSPACE"])
    for folder in (Path.cwd(), *Path.cwd().parents):
        if (folder / STATE).is_file():
            return folder
    return ROOT / "workspace"


def run(args) -> int:
    workspace = Path(args.workspace).resolve() if args.workspace else default_workspace()
    if not workspace.is_dir():
        raise CourseError(f"there is no workspace at {workspace}: run `make lab` (or `course lab`) first.")

    def log(name):
        print(f"checking {name} ...", file=sys.stderr, flush=True)

    rows = workspace_progress(workspace, cell_timeout=args.timeout, log=log)
    print(format_progress(rows))
    picture = save_picture(rows, Path(args.picture) if args.picture else workspace / PICTURE)
    print(f"\npicture: {picture}")
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="course progress", description="Which exercises of every assignment pass.")
    add_arguments(p)
    try:
        return run(p.parse_args(argv))
    except CourseError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    os.environ.setdefault("MPLBACKEND", "Agg")
    sys.exit(main())
