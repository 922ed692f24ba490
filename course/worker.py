"""Grade one submission in its own process: ``python -m course.worker JOB.json``.

The class grader starts one of these per submission, so a submission that
hangs, crashes or eats memory only ever takes its own process down. The job
file says what to grade and where to write; the worker writes the autograded
notebook, the feedback HTML and a report JSON, and prints nothing else.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from .grading import Report, grade_notebook, write_feedback_html
from .notebooks import CourseError, write_notebook


def run(job: dict) -> Report:
    notebook = Path(job["notebook"])
    report, executed = grade_notebook(notebook, job["assignment"], workdir=Path(job["workdir"]),
                                      cell_timeout=int(job["cell_timeout"]), source_root=Path(job["course"]))
    report.notebook = job.get("expected_name", notebook.name)
    if executed is not None:
        write_notebook(executed, job["autograded"])
        write_feedback_html(executed, report, Path(job["feedback"]))
    return report


def main(argv: list[str]) -> int:
    job = json.loads(Path(argv[0]).read_text())
    try:
        report = run(job)
    except CourseError as err:
        report = Report(assignment=job["assignment"], notebook=Path(job["notebook"]).name, status="error",
                        flags=[str(err)])
    Path(job["report"]).write_text(json.dumps(report.to_dict()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
