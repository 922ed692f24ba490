"""Grade a whole class: every ``submitted/<student>/<assignment>/`` folder.

Submissions are graded several at once by ``grade_job`` on any
``concurrent.futures.Executor`` (threads here by default, a Dask cluster with
``--scheduler``); each one's code runs in its own sandboxed process under a
wall-clock limit. This process alone writes the gradebook, one grade at a time
as each submission finishes, so it is never locked by concurrent writers, and
saves a resumable state beside each autograded notebook. Every student gets a
row, whatever their submission did.
"""
from __future__ import annotations

import csv
import json
import os
import secrets
import shutil
import tempfile
import time
from concurrent.futures import Executor, ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..notebooks import ROOT, file_digest, read_notebook, source_notebook
from .report import Report, one_line, zero_cells
from .sanitize import csv_cell, printable
from .sandbox import DEFAULT_MEMORY, SandboxMode

CSV_COLUMNS = ["student_id", "assignment", "score", "max_score", "status", "flags", "diagnoses"]


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
    diagnoses: str = ""  # "exercise: diagnosis id; ..." (ids of course/diagnoses/), failing exercises only


def find_submissions(assignment: str, root: Path = ROOT) -> list[Submission]:
    expected = f"{assignment}.ipynb"
    subs = []
    base = root / "submitted"
    for student_dir in sorted(base.iterdir()) if base.is_dir() else []:
        folder = student_dir / assignment
        if not student_dir.is_dir() or not folder.is_dir():
            continue
        sub = Submission(student_dir.name, assignment, folder, None)
        links = sorted(p.name for p in folder.glob("*.ipynb") if p.is_symlink())
        links += [str(p.relative_to(base)) for p in (student_dir, folder) if p.is_symlink()]
        if links:  # read by the trusted grader, a link could point at source/ and be graded as the reference
            sub.flags.append(f"notebook is a symbolic link, not a file: {', '.join(links)} (not graded)")
            subs.append(sub)
            continue
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


def _zero_report(sub: Submission, status: str, flags: list[str], root: Path = ROOT) -> Report:
    source = read_notebook(source_notebook(sub.assignment, root))
    return Report(sub.assignment, f"{sub.assignment}.ipynb", zero_cells(source), status, list(flags))


@dataclass
class GradeJob:
    """One submission to grade, as the class grader hands it to ``grade_job`` on any executor.

    Plain data (``asdict`` / ``GradeJob(**data)``) for the hops to a Dask worker or a JSON file.
    """
    notebook: str
    assignment: str
    course: str  # the course root (source/ and release/)
    autograded: str  # where the executed notebook goes
    feedback: str  # where the feedback page goes
    expected_name: str  # the notebook's name in the report (a renamed submission keeps the expected one)
    batch: str = "x"  # names the batch's scratch folder (batch_folder)
    cell_timeout: int = 60
    timeout: float = 600.0
    sandbox: SandboxMode = "preferred"
    memory_limit: int = DEFAULT_MEMORY
    threads: int | None = None  # the kernel's BLAS threads
    start_next: bool = False  # start this thread's next kernel while this submission runs


def grade_job(job: GradeJob | dict) -> dict:
    """Grade one submission; always returns a report dict. Picklable and importable: any executor can run it.

    Runs wherever the executor puts it (a thread here, a Dask worker elsewhere): the
    trusted part (restore, score, feedback) in this process, the submission's code
    in course.grader.executor inside the sandbox, under the job's wall-clock limit.
    Writes the autograded notebook and the feedback HTML; the caller records the grade.
    """
    from ..notebooks import write_notebook
    from .feedback import write_feedback_html
    from .notebook import GradeOptions, grade_notebook
    from .sanitize import safe_notebook

    job = job if isinstance(job, GradeJob) else GradeJob(**job)
    start = time.monotonic()
    batch = batch_folder(job.batch)
    batch.mkdir(parents=True, exist_ok=True)
    try:
        options = GradeOptions(source_root=Path(job.course), cell_timeout=int(job.cell_timeout),
                               timeout=float(job.timeout), sandbox=job.sandbox,
                               memory_limit=int(job.memory_limit or DEFAULT_MEMORY), scratch_parent=batch,
                               protect=(batch,), threads=job.threads, start_next=bool(job.start_next))
        report, executed = grade_notebook(Path(job.notebook), job.assignment, options)
        report.notebook = job.expected_name or report.notebook
        if executed is not None:
            try:  # a full disk costs the files, never the grade
                write_feedback_html(executed, report, Path(job.feedback))
                safe_notebook(executed)  # formgrader renders it: nothing in it may run in a browser
                write_notebook(executed, job.autograded)
            except OSError as err:
                report.flags.append(f"the grader could not write this submission's files ({err.strerror or err})")
        return report.to_dict()
    except Exception as err:  # noqa: BLE001 - one submission never stops the batch
        detail = one_line(f"{err.__class__.__name__}: {err}", 200, "no message")
        return {"status": "crashed", "flags": [f"the grader failed on this submission ({detail})"],
                "seconds": round(time.monotonic() - start, 2)}


def batch_folder(batch: str) -> Path:
    """Where one batch's submissions get their scratch folders (on whichever machine grades them)."""
    return Path(tempfile.gettempdir()) / f"course-grade-{batch}"


def _sweep_stale_batches() -> None:
    """Remove the scratch folders of batches whose grader was killed (SIGKILL, a power cut) on this machine."""
    pattern = batch_folder("*-*")  # <pid>-<token>
    for folder in pattern.parent.glob(pattern.name):
        pid = folder.name.split("-")[2]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            pass  # alive, someone else's


class ClassGrader:
    """Grade every submission of one assignment; ``run()`` returns one Row per student."""

    def __init__(self, assignment: str, root: Path = ROOT, *, workers: int | None = None, timeout: int = 600,
                 cell_timeout: int = 60, force: bool = False, db_url: str | None = None,
                 executor: Executor | None = None, progress=None, sandbox: SandboxMode = "preferred",
                 memory_limit: int = DEFAULT_MEMORY):
        source_notebook(assignment, root)  # fails early, in one sentence, on an unknown assignment
        self.assignment = assignment
        self.root = Path(root)
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.timeout = timeout
        self.cell_timeout = cell_timeout
        self.force = force
        self.db_url = db_url or f"sqlite:///{self.root / 'gradebook.db'}"
        self.executor = executor
        self.progress = progress or (lambda done, total, failed, eta: None)
        self.source_path = source_notebook(assignment, root)
        self.sandbox = sandbox
        self.memory_limit = memory_limit
        self.seconds = 0.0
        self.graded_now = 0
        self.unrecorded: dict[str, Report] = {}  # gradebook writes that failed
        self.warnings: list[str] = []  # said once each, after the batch

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
            return Report.from_dict(data["report"]) if data.get("digest") == digest else None
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _save_state(self, sub: Submission, digest: str, report: Report) -> None:
        state = self._state_file(sub.student)
        state.parent.mkdir(parents=True, exist_ok=True)
        tmp = state.with_name(f".grade.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"digest": digest, "report": report.to_dict()}))
        os.replace(tmp, state)

    def _record(self, book, student: str, report: Report) -> None:
        """The gradebook row; a failed write (a full disk, a lost server) is reported, kept and tried again."""
        try:
            book.record(student, report)
        except Exception as err:  # noqa: BLE001 - one row never stops the batch
            self.unrecorded[student] = report
            self._warn(f"could not write {student}'s grade to the gradebook "
                       f"({one_line(printable(err), 200, err.__class__.__name__)}); it is kept in the resume "
                       f"state and written by the next `course grade`")

    def _warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    # one job ---------------------------------------------------------------
    def _job(self, sub: Submission, batch: str, start_next: bool = False) -> GradeJob:
        own = self.executor is None
        return GradeJob(
            notebook=str(sub.notebook), assignment=self.assignment, course=str(self.root),
            autograded=str(self.autograded_dir(sub.student) / f"{self.assignment}.ipynb"),
            feedback=str(self.feedback_path(sub.student)), expected_name=f"{self.assignment}.ipynb",
            batch=batch, cell_timeout=self.cell_timeout, timeout=self.timeout, sandbox=self.sandbox,
            memory_limit=self.memory_limit,
            # several kernels at once: one BLAS thread each, or they fight over the cores
            threads=1 if own and self.workers > 1 else None,
            # start this thread's next kernel while this submission runs (not on a cluster: a spare kernel
            # left on a worker would wait there for nothing)
            start_next=own and start_next)

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
        started = time.monotonic()
        subs = find_submissions(self.assignment, self.root)
        reports: dict[str, Report] = {}
        todo = []
        for sub in subs:
            if sub.notebook is None:
                reports[sub.student] = _zero_report(sub, "missing", sub.flags, self.root)
                continue
            digest = file_digest(sub.notebook, self.source_path)
            cached = self._cached(sub, digest)
            if cached is not None:
                reports[sub.student] = cached
            else:
                todo.append((sub, digest))
        _sweep_stale_batches()
        batch = f"{os.getpid()}-{secrets.token_hex(6)}"  # the pid lets a later run remove it if this one is killed
        own_executor = self.executor is None
        executor = self.executor or ThreadPoolExecutor(max_workers=self.workers)
        failed = 0
        futures: dict = {}
        book = None
        try:
            for i, (sub, digest) in enumerate(todo):
                # the last few jobs of the queue start no kernel ahead: no submission would use it
                job = self._job(sub, batch, start_next=i < len(todo) - self.workers)
                futures[executor.submit(grade_job, asdict(job))] = (sub, digest)  # plain data: any executor
            self.progress(0, len(todo), 0, None)
            # opened while the first submissions run: importing nbgrader and sqlalchemy takes a second or two
            from .gradebook import open_gradebook

            book = open_gradebook(self.db_url, self.assignment, self.root)
            for sub in subs:
                if sub.notebook is None or sub.student in reports:
                    self._record(book, sub.student, reports[sub.student])  # missing and resumed ones, in sync
            for done, future in enumerate(as_completed(futures), 1):
                sub, digest = futures[future]
                try:
                    data = future.result()
                except Exception as err:  # noqa: BLE001 - an executor that lost the job (a dead Dask worker)
                    data = {"status": "crashed", "flags": [f"the grading job was lost ({err.__class__.__name__}: "
                                                           f"{one_line(str(err), 200, 'no message')})"]}
                report = self._finish(sub, data)
                failed += report.status != "graded"
                try:  # the resume state first: a gradebook that fails now gets the row on the next run
                    self._save_state(sub, digest, report)
                except OSError as err:
                    self._warn(f"could not save {sub.student}'s resume state ({err.strerror or err})")
                self._record(book, sub.student, report)
                reports[sub.student] = report
                elapsed = time.monotonic() - started
                self.progress(done, len(todo), failed, elapsed / done * (len(todo) - done))
            for student, report in list(self.unrecorded.items()):  # one more try for writes that failed
                self.unrecorded.pop(student)
                self._record(book, student, report)
        except BaseException:  # Ctrl-C, or a gradebook that cannot be opened: stop the running submissions now
            from .feedback import close_page_writers
            from .sandbox import kill_all

            for future in futures:
                future.cancel()
            kill_all()
            close_page_writers()
            raise
        finally:
            from .sandbox import release_spares

            if own_executor:
                executor.shutdown(wait=True, cancel_futures=True)
            release_spares(str(batch_folder(batch)))
            if own_executor:
                from .feedback import close_page_writers

                close_page_writers()
            shutil.rmtree(batch_folder(batch), ignore_errors=True)
            if book is not None:
                book.close()
        self.graded_now = len(todo)
        self.seconds = time.monotonic() - started
        return [self._row(sub.student, reports[sub.student]) for sub in subs]

    def _row(self, student: str, report: Report) -> Row:
        return Row(printable(student), self.assignment, round(report.score, 4), report.max_score,
                   printable(report.status), "; ".join(printable(f).replace("\n", " ") for f in report.flags),
                   diagnoses_cell(report))


def write_csv(rows: list[Row], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(CSV_COLUMNS)
        for r in rows:
            writer.writerow([csv_cell(r.student_id), csv_cell(r.assignment), f"{r.score:g}", f"{r.max_score:g}",
                             csv_cell(r.status), csv_cell(r.flags), csv_cell(r.diagnoses)])


def diagnoses_cell(report: Report) -> str:
    """The CSV's ``diagnoses``: ``exercise: id`` per failing exercise whose likely mistake was named."""
    return "; ".join(f"{printable(ex)}: {printable(d)}" for ex, d in report.diagnoses.items())


def parse_diagnoses(cell: str) -> dict[str, str]:
    """The CSV's ``diagnoses`` cell back to {exercise: id}."""
    out = {}
    for part in (cell or "").split(";"):
        ex, sep, d = part.partition(":")
        if sep and ex.strip() and d.strip():
            out[ex.strip()] = d.strip()
    return out


def common_diagnoses(rows: list[Row], top: int = 3) -> list[tuple[str, str, int]]:
    """The most common diagnosed mistakes of a class: (exercise, diagnosis id, students), commonest first."""
    counts: dict = {}
    for r in rows:
        for ex, d in parse_diagnoses(r.diagnoses).items():
            counts[(ex, d)] = counts.get((ex, d), 0) + 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [(ex, d, n) for (ex, d), n in ranked[:top]]


def format_rows(rows: list[Row], seconds: float | None = None, graded_now: int | None = None,
                workers: int | None = None) -> str:
    """The summary table `course grade` prints: one line per student, then the totals."""
    if not rows:
        return "No submissions found."
    width = max(len(r.student_id) for r in rows + [Row("student", "", 0, 0, "", "")])
    lines = [f"{'student'.ljust(width)}  score      status    flags"]
    for r in rows:
        flags = r.flags if len(r.flags) < 90 else r.flags[:87] + "..."
        lines.append(f"{r.student_id.ljust(width)}  {f'{r.score:g}/{r.max_score:g}'.ljust(9)}  "
                     f"{r.status.ljust(8)}  {flags}")
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.status] = counts.get(r.status, 0) + 1
    order = ["graded", "flagged", "error", "timeout", "crashed", "missing"]
    parts = [f"{counts[k]} {k}" for k in order + sorted(set(counts) - set(order)) if counts.get(k)]
    problems = len(rows) - counts.get("graded", 0)
    lines.append("")
    lines.append(f"{len(rows)} submissions: {', '.join(parts)} ({problems} with problems).")
    scored = [r for r in rows if r.max_score]
    if scored:
        mean = sum(r.score for r in scored) / len(scored)
        lines.append(f"mean score {mean:.2f} / {scored[0].max_score:g}, "
                     f"{sum(r.flags != '' for r in rows)} with flags.")
    if seconds is not None:
        line = f"{seconds:.1f}s"
        if graded_now:
            line += f", {graded_now} graded in this run ({seconds / graded_now:.1f}s each"
            line += f" with {workers} workers)" if workers else ")"
        else:
            line += ", nothing new to grade (use --force to regrade)"
        lines.append(line + ".")
    common = common_diagnoses(rows)
    if common:
        from .report import diagnosis_text

        lines.append("most common diagnosed mistakes:")
        for ex, d, n in common:
            text = diagnosis_text(rows[0].assignment, d) or d
            text = text if len(text) <= 100 else text[:97] + "..."
            lines.append(f"  {n} student{'s' if n != 1 else ''}  {ex}: {text}")
    return "\n".join(lines)
