"""The grader: everything that handles a submission, trusted and untrusted.

Trusted (the grader's own process): notebook.py grades one notebook by calling
restore.py (read-only cells back from source), run.py (hand the cells to the
executor, read back how it went), score.py (points per grade cell) and
feedback.py / feedback_html.py (the learner's page); report.py holds what they
produce; classroom.py grades a class (GradeJob per submission, any executor)
and gradebook.py records the grades (nbgrader's gradebook, SQLite or PostgreSQL).

Untrusted (a submission's code runs here and only here): sandbox.py starts
executor.py inside bubblewrap; executor.py starts the kernel that runs the
cells; guard_kernel.py is the guard's first cell, shipped into that kernel by
guard.py (whose checks the trusted side reads back).

Kept light (no imports but the tiny _fastimport): ``python -m
course.grader.executor`` imports this package first, once per submission.
"""
from . import _fastimport  # noqa: F401  (before anything imports nbformat)
