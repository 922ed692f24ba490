"""`course grade --scheduler ADDRESS`: grading jobs run on a Dask distributed cluster.

A LocalCluster with two worker processes stands in for a real cluster (JupyterHub plus Dask, see
docs/grading.md); the course root is on a filesystem the workers share, as it must be there too.
"""
import csv
import subprocess
import sys

import pytest

from conftest import DEMO
from course.grader.classroom import ClassGrader
from course.notebooks import read_notebook, write_notebook

distributed = pytest.importorskip("distributed", reason="dask distributed is not installed")


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=40) as cluster:
        yield cluster


def _class(root):
    for student, kind in (("ann", "source"), ("ben", "release"), ("cy", "source")):
        nb = read_notebook(root / kind / DEMO / f"{DEMO}.ipynb")
        write_notebook(nb, root / "submitted" / student / DEMO / f"{DEMO}.ipynb")


def test_grade_jobs_run_on_the_cluster_workers(cluster, demo_course):
    from distributed import Client, get_task_stream

    _class(demo_course)
    with Client(cluster) as client, get_task_stream(client) as stream:
        rows = ClassGrader(DEMO, demo_course, executor=client.get_executor(pure=False)).run()
    assert [(r.student_id, r.score, r.status) for r in rows] == [("ann", 4, "graded"), ("ben", 0, "graded"),
                                                                  ("cy", 4, "graded")]
    ran = [t for t in stream.data if str(t.get("key", "")).startswith("grade_job")]
    assert len(ran) == 3 and {t["worker"] for t in ran} <= set(cluster.scheduler_info["workers"])


def test_cli_scheduler_option(cluster, demo_course):
    _class(demo_course)
    out = demo_course / "grades.csv"
    proc = subprocess.run([sys.executable, "-m", "course", "grade", DEMO, "--root", str(demo_course),
                           "--scheduler", cluster.scheduler_address, "--csv", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    with open(out, newline="") as fh:
        assert {r["student_id"]: r["score"] for r in csv.DictReader(fh)} == {"ann": "4", "ben": "0", "cy": "4"}
    assert "3 submissions: 3 graded" in proc.stdout
