"""Write grades into nbgrader's gradebook, so formgrader and ``nbgrader export`` keep working.

Any SQLAlchemy URL works: the default SQLite file at the course root, or a
PostgreSQL database shared by a course team.
"""
from __future__ import annotations

from pathlib import Path

from nbgrader.api import Gradebook as NbGradebook
from nbgrader.api import MissingEntry

from .build import generate
from .grading import Report


class Gradebook:
    def __init__(self, db_url: str, assignment: str, root: Path):
        self.assignment = assignment
        self.notebook = assignment
        self.root = root
        self._ensure_assignment(db_url)
        self.gb = NbGradebook(db_url)

    def _ensure_assignment(self, db_url: str) -> None:
        """Record the assignment's cells (nbgrader's own generate step) unless the gradebook has them."""
        with NbGradebook(db_url) as gb:
            try:
                gb.find_notebook(self.notebook, self.assignment)
                return
            except MissingEntry:
                pass
        generate([self.assignment], None, db_url=db_url, course=self.root)

    def record(self, student: str, report: Report) -> None:
        gb = self.gb
        gb.update_or_create_student(student)
        try:
            gb.find_submission(self.assignment, student)
        except MissingEntry:
            gb.add_submission(self.assignment, student)
        for cell in report.cells:
            try:
                grade = gb.find_grade(cell.grade_id, self.notebook, self.assignment, student)
            except MissingEntry:
                continue
            grade.auto_score = cell.points if cell.kind == "test" else None
            grade.needs_manual_grade = cell.kind == "written" or grade.manual_score is not None
        gb.db.commit()

    def close(self) -> None:
        self.gb.close()
