"""No false positives: every reference notebook in source/ goes through the full grader (two kernels,
sandbox, scoring) with full marks, status "graded" and not a single flag.

A reference notebook whose tests break the two-kernel rules (a proxy that cannot carry what a test needs),
or that leaves a process behind, or prints a private path, fails here first.
"""
import pytest

from course.grader import sandbox
from course.grader.notebook import GradeOptions, grade_notebook
from course.grader.report import format_report
from course.notebooks import assignments, source_notebook


@pytest.mark.slow
@pytest.mark.parametrize("assignment", assignments())
def test_reference_is_graded_full_without_flags(assignment, tmp_path):
    report, _ = grade_notebook(source_notebook(assignment), assignment,
                               GradeOptions(sandbox="preferred", cell_timeout=600, timeout=1800))
    flags = [f for f in report.flags if f != sandbox.NO_SANDBOX_FLAG]
    assert report.status == "graded" and not flags, format_report(report)
    assert report.score == report.auto_max_score, format_report(report)
