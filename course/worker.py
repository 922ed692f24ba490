"""Grade one submission from a job file: ``python -m course.worker JOB.json [REPORT.json]``.

The class grader runs ``course.classroom.grade_job`` on its executor (threads,
or Dask workers); this is the same job from a shell, for debugging one
submission or for a scheduler that runs commands rather than Python functions.
The job's keys are those ClassGrader._job writes; the report goes to REPORT.json
(default: beside the job file) and nothing else is printed.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from .classroom import grade_job


def main(argv: list[str]) -> int:
    job_file = Path(argv[0])
    job = json.loads(job_file.read_text())
    report = grade_job(job)
    out = Path(argv[1]) if len(argv) > 1 else job_file.with_name("report.json")
    out.write_text(json.dumps(report))
    return 0 if report.get("status") in ("graded", "flagged") else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
