"""Write grades into nbgrader's gradebook, so formgrader and ``nbgrader export`` keep working.

Any SQLAlchemy URL works: the default SQLite file at the course root, or a
PostgreSQL database shared by a course team (``course grade --db
postgresql://user@host/db``). Within one grader only the parent process writes,
one submission per transaction. Several graders may share one database: the
first-time set-up (nbgrader's tables, the assignment's cells) runs under a
PostgreSQL advisory lock, and a write that collides with another grader's
(a unique key taken meanwhile, SQLite's "database is locked") is rolled back
and retried.
"""
from __future__ import annotations

import contextlib
import logging
import random
import time
import warnings
from pathlib import Path

from nbgrader.api import Gradebook as NbGradebook
from nbgrader.api import Comment, Grade, GradeCell, InvalidEntry, MissingEntry, SolutionCell
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (ArgumentError, DBAPIError, IntegrityError, OperationalError, ProgrammingError, SAWarning,
                            SQLAlchemyError)

from ..build import generate
from ..notebooks import CourseError
from .report import Report

# nbgrader turns a unique key taken by another writer into InvalidEntry
RETRYABLE = (OperationalError, IntegrityError, ProgrammingError, DBAPIError, InvalidEntry)
ATTEMPTS = 8
COMMENT_PREFIX = "Likely mistake (diagnosed by the grader): "
LOCK_KEY = 7_262_013_518  # any constant: the advisory lock all course graders agree on


def retrying(fn, *, attempts: int = ATTEMPTS, on_retry=None):
    """Run fn(); on a database conflict, call on_retry() (a rollback) and try again with a growing pause."""
    for attempt in range(attempts):
        try:
            return fn()
        except RETRYABLE:
            if attempt == attempts - 1:
                raise
            if on_retry is not None:
                on_retry()
            time.sleep(min(2.0, 0.05 * 2 ** attempt) * (0.5 + random.random()))
    return None


@contextlib.contextmanager
def _quiet_nbgrader():
    """nbgrader logs each conflict it raises with a traceback (we retry it), and SQLAlchemy warns about
    nbgrader's own session use; neither is news to the person grading."""
    log = logging.getLogger("tornado.application")
    level = log.level
    log.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SAWarning)
            yield
    finally:
        log.setLevel(level)


def driver_url(db_url: str) -> str:
    """The URL with a driver that is installed: a plain ``postgresql://`` means psycopg 3 to SQLAlchemy 2,
    while the course installs psycopg2."""
    for plain in ("postgresql://", "postgres://"):
        if db_url.startswith(plain):
            try:
                import psycopg  # noqa: F401
            except ImportError:
                return "postgresql+psycopg2://" + db_url[len(plain):]
            return "postgresql+psycopg://" + db_url[len(plain):]
    return db_url


def shown_url(db_url: str) -> str:
    """The URL as it may be printed: without its password."""
    try:
        return make_url(db_url).render_as_string(hide_password=True)
    except ArgumentError:
        return db_url


def open_gradebook(db_url: str, assignment: str, root: Path) -> "Gradebook":
    """The gradebook, or a CourseError saying in one sentence why it cannot be opened."""
    try:
        return Gradebook(db_url, assignment, root)
    except (SQLAlchemyError, ImportError, OSError) as err:
        reason = str(getattr(err, "orig", None) or err).strip().splitlines()
        reason = reason[0] if reason else err.__class__.__name__
        raise CourseError(f"cannot open the gradebook at {shown_url(db_url)} ({reason}); check --db, and that "
                          f"the database server is running and reachable.") from None


@contextlib.contextmanager
def setup_lock(db_url: str):
    """Serialise first-time set-up among graders sharing a PostgreSQL gradebook (no-op elsewhere)."""
    if not db_url.startswith("postgresql"):
        yield
        return
    engine = create_engine(db_url, future=True)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": LOCK_KEY})
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK_KEY})
                conn.commit()
    finally:
        engine.dispose()


class Gradebook:
    def __init__(self, db_url: str, assignment: str, root: Path):
        db_url = driver_url(db_url)
        self.db_url = db_url
        self.assignment = assignment
        self.notebook = assignment
        self.root = root
        with setup_lock(db_url):
            retrying(self._ensure_assignment)
            self.gb = retrying(lambda: NbGradebook(db_url))

    def _ensure_assignment(self) -> None:
        """Record the assignment's cells (nbgrader's own generate step) unless the gradebook has them."""
        with NbGradebook(self.db_url) as gb:
            try:
                gb.find_notebook(self.notebook, self.assignment)
                return
            except MissingEntry:
                pass
        generate([self.assignment], None, db_url=self.db_url, course=self.root)

    def record(self, student: str, report: Report) -> None:
        """Store one submission's grades (retried on a conflict with another grader)."""
        with _quiet_nbgrader():
            retrying(lambda: self._record(student, report), on_retry=self.gb.db.rollback)

    def _record(self, student: str, report: Report) -> None:
        gb = self.gb
        gb.update_or_create_student(student)
        try:
            gb.find_submission(self.assignment, student)
        except MissingEntry:
            gb.add_submission(self.assignment, student)
        submitted = gb.find_submission_notebook(self.notebook, self.assignment, student)
        # one query for the notebook's grades (nbgrader's find_grade makes a seven-table join per cell)
        grades = {name: grade for grade, name in gb.db.query(Grade, GradeCell.name)
                  .join(GradeCell, GradeCell.id == Grade.cell_id).filter(Grade.notebook_id == submitted.id)}
        for cell in report.cells:
            grade = grades.get(cell.grade_id)
            if grade is None:
                continue
            grade.auto_score = cell.points if cell.kind == "test" else None
            grade.needs_manual_grade = cell.kind == "written" or grade.manual_score is not None
        self._comment_diagnoses(submitted, report)
        gb.db.commit()

    def _comment_diagnoses(self, submitted, report: Report) -> None:
        """Each diagnosed mistake as the autograder's comment on its exercise's (first) solution cell, which
        formgrader shows; a comment of ours from an earlier grading that no longer holds is cleared."""
        from .report import diagnosis_text

        wanted = {}
        for exercise, diagnosis in report.diagnoses.items():
            text = diagnosis_text(report.assignment, diagnosis, "both")
            if text:
                wanted[exercise.split("/")[0]] = f"{COMMENT_PREFIX}{text}"
        rows = self.gb.db.query(Comment, SolutionCell.name).join(SolutionCell, SolutionCell.id == Comment.cell_id) \
            .filter(Comment.notebook_id == submitted.id)
        for comment, name in rows:
            if name in wanted:
                comment.auto_comment = wanted[name]
            elif (comment.auto_comment or "").startswith(COMMENT_PREFIX):
                comment.auto_comment = None

    def close(self) -> None:
        self.gb.close()
