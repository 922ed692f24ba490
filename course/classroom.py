"""Grade a whole class: every ``submitted/<student>/<assignment>/`` folder.

Each submission is graded in its own process (course.worker) under a
wall-clock limit, several at once; the parent alone writes the gradebook, so
it is never locked by concurrent writers. Every student gets a row, whatever
their submission did.
"""
from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import Executor, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from .grading import CellResult, Report
from .notebooks import ROOT, CourseError, grade_cells, read_notebook, source_notebook

CSV_COLUMNS = ["student_id", "assignment", "score", "max_score", "status", "flags"]


@dataclass
class Submission:
    student: str
    assignment: str
    folder: Path
    notebook: Path | None
    flags: list[str] = field(default_factory=list)


@dataclass
class Row:
    student_id: str
    assignment: str
    score: float
    max_score: float
    status: str
    flags: str


def find_submissions(assignment: str, root: Path = ROOT) -> list[Submission]:
    expected = f"{assignment}.ipynb"
    subs = []
    base = root / "submitted"
    for student_dir in sorted(base.iterdir()) if base.is_dir() else []:
        folder = student_dir / assignment
        if not student_dir.is_dir() or not folder.is_dir():
            continue
        sub = Submission(student_dir.name, assignment, folder, None)
        if (folder / expected).is_file():
            sub.notebook = folder / expected
        else:
            others = sorted(p for p in folder.glob("*.ipynb") if p.is_file())
            if len(others) == 1:
                sub.notebook = others[0]
                sub.flags.append(f"notebook renamed: expected {expected}, graded {others[0].name}")
            elif others:
                sub.flags.append(f"notebook missing: expected {expected}, found "
                                 f"{', '.join(p.name for p in others)}")
            else:
                sub.flags.append(f"notebook missing: expected {expected} in the submission folder")
        subs.append(sub)
    return subs


def _digest(*paths: Path) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.read_bytes() if p and p.is_file() else b"")
    return h.hexdigest()


def _zero_report(sub: Submission, status: str, flags: list[str], root: Path = ROOT) -> Report:
    source = read_notebook(source_notebook(sub.assignment, root))
    cells = [CellResult(g.grade_id, g.kind, 0.0 if g.kind == "test" else None, g.points, "not run")
             for g in grade_cells(source)]
    return Report(sub.assignment, f"{sub.assignment}.ipynb", cells, status, list(flags))


def grade_job(job: dict) -> dict:
    """Grade one submission in a child process; always returns a report dict. Picklable for any executor."""
    job_file = Path(job["scratch"]) / "job.json"
    job_file.write_text(json.dumps(job))
    cmd = [sys.executable, "-m", "course.worker", str(job_file)]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    start = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=job["workdir"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)
    try:
        _, err = proc.communicate(timeout=job["timeout"])
        status = None if proc.returncode == 0 else "crashed"
    except subprocess.TimeoutExpired:
        status = "timeout"
        err = b""
    finally:
        _kill_group(proc.pid)
    report_file = Path(job["report"])
    if status is None and report_file.is_file():
        return json.loads(report_file.read_text())
    if status == "timeout":
        flag = f"grading stopped after the {job['timeout']}s limit for one submission (an endless loop?)"
    else:
        last = (err or b"").decode(errors="replace").strip().splitlines()
        flag = f"the grader crashed on this submission ({last[-1][:200] if last else 'no message'})"
    return {"status": status or "crashed", "flags": [flag], "seconds": round(time.monotonic() - start, 2)}


def _kill_group(pid: int) -> None:
    """Whatever the submission left running (kernels, children) goes with its process group."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


class ClassGrader:
    def __init__(self, assignment: str, root: Path = ROOT, *, workers: int | None = None, timeout: int = 600,
                 cell_timeout: int = 60, force: bool = False, db_url: str | None = None,
                 executor: Executor | None = None, progress=None):
        source_notebook(assignment, root)  # fails early, in one sentence, on an unknown assignment
        self.assignment = assignment
        self.root = root
        self.workers = workers or os.cpu_count() or 1
        self.timeout = timeout
        self.cell_timeout = cell_timeout
        self.force = force
        self.db_url = db_url or f"sqlite:///{root / 'gradebook.db'}"
        self.executor = executor
        self.progress = progress or (lambda done, total, failed, eta: None)
        self.source_path = source_notebook(assignment, root)

    # paths ---------------------------------------------------------------
    def autograded_dir(self, student: str) -> Path:
        return self.root / "autograded" / student / self.assignment

    def feedback_path(self, student: str) -> Path:
        return self.root / "feedback" / student / self.assignment / f"{self.assignment}.html"

    def _state_file(self, student: str) -> Path:
        return self.autograded_dir(student) / ".grade.json"

    # resume ----------------------------------------------------------------
    def _cached(self, sub: Submission, digest: str) -> Report | None:
        state = self._state_file(sub.student)
        if self.force or not state.is_file():
            return None
        try:
            data = json.loads(state.read_text())
        except (OSError, json.JSONDecodeError):
            return None
        return Report.from_dict(data["report"]) if data.get("digest") == digest else None

    def _save_state(self, sub: Submission, digest: str, report: Report) -> None:
        state = self._state_file(sub.student)
        state.parent.mkdir(parents=True, exist_ok=True)
        tmp = state.with_suffix(".tmp")
        tmp.write_text(json.dumps({"digest": digest, "report": report.to_dict()}))
        os.replace(tmp, state)

    # one job ---------------------------------------------------------------
    def _job(self, sub: Submission, scratch: Path) -> dict:
        workdir = scratch / "work"
        workdir.mkdir(parents=True)
        return {
            "notebook": str(sub.notebook), "assignment": self.assignment, "workdir": str(workdir),
            "course": str(self.root),
            "scratch": str(scratch), "cell_timeout": self.cell_timeout, "timeout": self.timeout,
            "expected_name": f"{self.assignment}.ipynb",
            "autograded": str(self.autograded_dir(sub.student) / f"{self.assignment}.ipynb"),
            "feedback": str(self.feedback_path(sub.student)), "report": str(scratch / "report.json"),
        }

    def _finish(self, sub: Submission, data: dict) -> Report:
        if "cells" in data:
            report = Report.from_dict(data)
        else:
            report = _zero_report(sub, data.get("status", "crashed"), data.get("flags", []), self.root)
            report.seconds = data.get("seconds", 0.0)
        report.flags = sub.flags + report.flags
        return report

    # the batch -------------------------------------------------------------
    def run(self) -> list[Row]:
        subs = find_submissions(self.assignment, self.root)
        reports: dict[str, Report] = {}
        todo = []
        for sub in subs:
            if sub.notebook is None:
                reports[sub.student] = _zero_report(sub, "missing", sub.flags, self.root)
                continue
            digest = _digest(sub.notebook, self.source_path)
            cached = self._cached(sub, digest)
            if cached is not None:
                reports[sub.student] = cached
            else:
                todo.append((sub, digest))
        from .gradebook import Gradebook  # imported late: sqlalchemy is slow to import

        book = Gradebook(self.db_url, self.assignment, self.root)
        for sub in subs:
            if sub.student in reports and sub.notebook is None:
                book.record(sub.student, reports[sub.student])
        scratch_root = Path(tempfile.mkdtemp(prefix="course-grade-"))
        own_executor = self.executor is None
        executor = self.executor or ThreadPoolExecutor(max_workers=self.workers)
        started, failed = time.monotonic(), 0
        try:
            futures = {}
            for i, (sub, digest) in enumerate(todo):
                scratch = scratch_root / f"{i:05d}"
                job = self._job(sub, scratch)
                futures[executor.submit(grade_job, job)] = (sub, digest)
            for done, future in enumerate(as_completed(futures), 1):
                sub, digest = futures[future]
                try:
                    data = future.result()
                except Exception as err:  # an executor that lost the job (a dead Dask worker, say)
                    data = {"status": "crashed", "flags": [f"the grading job was lost ({err.__class__.__name__})"]}
                report = self._finish(sub, data)
                failed += report.status != "graded"
                book.record(sub.student, report)
                self._save_state(sub, digest, report)
                reports[sub.student] = report
                elapsed = time.monotonic() - started
                self.progress(done, len(todo), failed, elapsed / done * (len(todo) - done))
        finally:
            if own_executor:
                executor.shutdown(wait=True)
            shutil.rmtree(scratch_root, ignore_errors=True)
            book.close()
        return [self._row(sub.student, reports[sub.student]) for sub in subs]

    def _row(self, student: str, report: Report) -> Row:
        return Row(student, self.assignment, round(report.score, 4), report.max_score, report.status,
                   "; ".join(report.flags))


def write_csv(rows: list[Row], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(CSV_COLUMNS)
        for r in rows:
            writer.writerow([r.student_id, r.assignment, f"{r.score:g}", f"{r.max_score:g}", r.status, r.flags])


def format_rows(rows: list[Row]) -> str:
    if not rows:
        return "No submissions found."
    width = max(len(r.student_id) for r in rows + [Row("student", "", 0, 0, "", "")])
    lines = [f"{'student'.ljust(width)}  score      status    flags"]
    for r in rows:
        flags = r.flags if len(r.flags) < 90 else r.flags[:87] + "..."
        lines.append(f"{r.student_id.ljust(width)}  {f'{r.score:g}/{r.max_score:g}'.ljust(9)}  "
                     f"{r.status.ljust(8)}  {flags}")
    graded = [r for r in rows if r.status == "graded"]
    lines.append(f"{len(rows)} submissions, {len(graded)} graded, {len(rows) - len(graded)} with problems.")
    return "\n".join(lines)
