"""The grader: everything that handles a submission, trusted and untrusted.

Trusted (the grader's own process): notebook.py grades one notebook by calling
restore.py (read-only cells back from source), two_kernels.py (the submission's
cells in the student kernel, the test cells in the trusted test kernel, which
reaches the submission through test_side.py and bridge.py; run.py says in flags
how it went), score.py (points per grade cell) and
feedback.py / feedback_html.py (the learner's page); report.py holds what they
produce; classroom.py grades a class (GradeJob per submission, any executor)
and gradebook.py records the grades (nbgrader's gradebook, SQLite or PostgreSQL).

Untrusted (a submission's code runs here and only here): sandbox.py starts
executor.py inside bubblewrap; executor.py starts the student kernel that runs
the cells; student_side.py serves the test kernel's calls from inside it.

Kept light (no imports but the tiny _fastimport): ``python -m
course.grader.executor`` imports this package first, once per submission.
"""
from . import _fastimport  # noqa: F401  (before anything imports nbformat)
