"""Grade one notebook: restore the read-only cells (restore.py), run them (two_kernels.py), score them (score.py).

Orchestration only; feedback pages come from feedback.py.

This is nbgrader's autograde pipeline (overwrite locked cells from source,
execute, score each grade cell) for one notebook anywhere on disk, with these
deliberate differences:
- the submission's cells run in course.grader.executor, a separate process (inside the
  bubblewrap sandbox of course.grader.sandbox when the grader asks for it), under a
  per-cell and a per-notebook time limit and a memory limit; the cells reach it
  on a pipe, never as a file;
- the test cells run in a second, trusted kernel that reaches the submission's
  names through proxies (two_kernels.py): the student kernel never sees a test
  cell, and nothing it does can reach the verdict;
- a test cell that never ran (the kernel died, the cell was deleted) scores 0,
  never full marks;
- a test cell that writes warnings to stderr keeps its points (nbgrader 0.9
  scores it 0);
- feedback never shows hidden tests, their tracebacks, or outputs quoting them.
"""
from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from pathlib import Path

from ..notebooks import ROOT, CourseError, assignments, is_test_cell, read_notebook, source_notebook
from .report import Report, zero_cells
from .restore import restore_cells
from .run import DEFAULT_CELL_TIMEOUT
from .sandbox import DEFAULT_MEMORY, SandboxMode, Setup, prestart, runner_for
from .score import score
from . import two_kernels

MAX_NOTEBOOK_BYTES = 100 * 2**20


@dataclass(frozen=True)
class GradeOptions:
    """How to grade one notebook.

    ``sandbox``: "required" runs the code in the bubblewrap sandbox and refuses
    to run it without one; "preferred" (the class grader) runs it there when this
    machine can, else unconfined with a flag saying so; "off" (``course check``,
    the learner's own notebook) runs it as a plain child process. ``workdir`` is
    the kernel's working directory (default: a scratch folder, made under
    ``scratch_parent``); ``timeout`` the wall-clock limit for the whole notebook;
    ``protect`` extra private paths (other submissions' scratch folders);
    ``threads`` the BLAS threads of the kernel (1 when several notebooks are
    graded at once); ``start_next`` starts this thread's kernel for the next
    submission right away, so that its start-up overlaps this one.
    """
    source_root: Path | None = None
    workdir: Path | None = None
    cell_timeout: int = DEFAULT_CELL_TIMEOUT
    timeout: float | None = None
    sandbox: SandboxMode = "off"
    memory_limit: int = DEFAULT_MEMORY
    scratch_parent: Path | None = None
    protect: tuple[Path, ...] = ()
    threads: int | None = None
    start_next: bool = False
    diagnose: bool = True


def grade_notebook(path: str | Path, assignment: str | None = None, options: GradeOptions | None = None):
    """Grade one notebook file. Returns (report, executed notebook or None).

    A notebook that cannot be read, or that outlives its limit, still gets a
    report with 0 points.
    """
    o = options or GradeOptions()
    path = Path(path)
    start = time.monotonic()
    assignment = assignment or assignment_of(path)
    root = Path(o.source_root) if o.source_root else ROOT
    source = read_notebook(source_notebook(assignment, root))
    report = Report(assignment=assignment, notebook=path.name)
    try:
        if path.is_file() and path.stat().st_size > MAX_NOTEBOOK_BYTES:
            raise CourseError(f"{path.name} is {path.stat().st_size / 2**20:.0f} MiB: too large to be a notebook "
                              f"(the limit is {MAX_NOTEBOOK_BYTES // 2**20} MiB).")
        submission = read_notebook(path)
    except CourseError as err:
        report.status = "error"
        report.flags.append(str(err))
        report.cells = zero_cells(source, "the notebook could not be read")
        return report, None
    nb, flags = restore_cells(submission, source)
    report.flags += flags
    hide = [root.resolve(), ROOT] + [Path(p) for p in o.protect]
    setup = Setup(tuple(str(h) for h in hide), o.memory_limit, o.threads, o.sandbox,
                  str(o.scratch_parent) if o.scratch_parent else None, warm="student")  # warm only in a sandbox
    runner = runner_for(setup, o.workdir)  # started now, or ahead of this submission
    if o.start_next and o.workdir is None:
        prestart(setup)
    try:
        files = assignment_files(root, assignment) if not o.workdir else {}
        tester_setup = dataclasses.replace(setup, sandbox="off", warm="tests")  # trusted: the course's code, the tests
        tester = runner_for(tester_setup, o.workdir)
        if o.start_next and o.workdir is None:
            prestart(tester_setup)
        request = {"assignment": assignment, "source": str(source_notebook(assignment, root))} if o.diagnose else None
        try:
            run_flags, status = two_kernels.execute(nb, runner, tester, cell_timeout=o.cell_timeout,
                                                    timeout=o.timeout, files=files, diagnose=request)
        finally:
            tester.close()
    finally:
        runner.close()
    report.flags += run_flags
    report.seconds = round(time.monotonic() - start, 2)
    if status != "ok":
        report.status = status
        report.cells = zero_cells(source, "grading of this notebook was stopped")
        return report, None
    report.cells = score(nb, source)
    if request and request.get("found"):
        attach_diagnoses(report, source, request["found"])
    if o.sandbox != "off":  # said, not scored: the sandbox hid those paths; the instructor may want to know
        private = private_paths(root.resolve()) + (private_paths(ROOT) if root.resolve() != ROOT else [])
        quoted = _mentions(nb, private + [Path(p) for p in o.protect])
        if quoted:
            report.flags.append(f"the notebook's outputs quote private paths of the course ({', '.join(quoted[:3])}): "
                                f"the submission looked for files it may not read")
    return report, nb


def attach_diagnoses(report: Report, source, found: dict) -> None:
    """{exercise: diagnosis id} into the report: per exercise, and on its first failing test cell."""
    from ..progress import exercises_of

    by_id = {c.grade_id: c for c in report.cells}
    for ex in exercises_of(source):
        diagnosis = found.get(ex.name)
        failing = [by_id[t] for t in ex.tests if t in by_id and by_id[t].status != "passed"]
        if diagnosis and failing:  # never on an exercise whose tests all passed
            report.diagnoses[ex.name] = diagnosis
            failing[0].diagnosis = diagnosis


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


def private_paths(root: Path) -> list[Path]:
    """What a submission must never reach in a course root: solutions, hidden tests, grades, other students."""
    return [root / name for name in ("source", "submitted", "autograded", "feedback", "grades", "exchange",
                                     "gradebook.db", ".git", "nbgrader_config.py")]


def _mentions(nb, paths: list[Path]) -> list[str]:
    """Private paths quoted in outputs: what an attempt outside Python (ctypes, a shell) leaves behind."""
    found = []
    needles = [str(p) for p in paths]
    for cell in nb.cells:
        if cell.cell_type != "code" or is_test_cell(cell):
            continue
        for out in cell.get("outputs", []):
            text = " ".join([str(out.get("text", "")), str(out.get("evalue", "")),
                             str(out.get("data", {}).get("text/plain", ""))])
            for needle in needles:
                if needle in text and needle not in found:
                    found.append(needle)
    return found


MAX_ASSIGNMENT_FILES_BYTES = 50 * 2**20


def assignment_files(root: Path, assignment: str) -> dict[str, str]:
    """Data files the learner was given (release/<assignment>/ minus notebooks), base64 by relative path:
    the executor writes them beside the running notebook (in the sandbox's own scratch)."""
    import base64

    folder = root / "release" / assignment
    files: dict[str, str] = {}
    total = 0
    for item in sorted(folder.rglob("*")) if folder.is_dir() else []:
        rel = item.relative_to(folder)
        if item.is_file() and item.suffix != ".ipynb" and not any(p.startswith(".") for p in rel.parts):
            total += item.stat().st_size
            if total > MAX_ASSIGNMENT_FILES_BYTES:
                raise CourseError(f"release/{assignment}/ holds more than {MAX_ASSIGNMENT_FILES_BYTES >> 20} MiB "
                                  f"of data files")
            files[rel.as_posix()] = base64.b64encode(item.read_bytes()).decode()
    return files
