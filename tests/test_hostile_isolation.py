"""Isolation: a submission's code cannot read solutions or hidden tests, touch the gradebook or other
students' work; it runs in a scratch folder outside the course.

The sandbox is bubblewrap (course/grader/sandbox.py). The test cells run in a kernel of their own
(course/grader/two_kernels.py), so an attempt gains nothing even where it is not seen.
"""
import hashlib
import json
import os
from pathlib import Path

import pytest

from conftest import DEMO
from course.grader import sandbox
from course.grader.notebook import GradeOptions, grade_notebook
from course.notebooks import ROOT, grade_id, read_notebook, write_notebook

REPO_SOURCE = next(iter(sorted((ROOT / "source").glob("*/*.ipynb"))), None)

ATTACK = r'''
import ctypes, json, os, subprocess
results = {}
def attempt(name, fn):
    try:
        fn()
        results[name] = "succeeded"
    except BaseException as err:
        results[name] = "failed: " + type(err).__name__
C = %(root)r
REPO = %(repo)r
attempt("read the reference notebook", lambda: open(C + "/source/00_demo/00_demo.ipynb").read())
attempt("read the repository's reference", lambda: open(REPO).read())
attempt("list the other submissions", lambda: os.listdir(C + "/submitted"))
attempt("write into another student's folder",
        lambda: open(C + "/submitted/bob/00_demo/00_demo.ipynb", "w").write("{}"))
attempt("write into source/", lambda: open(C + "/source/00_demo/cheat.py", "w").write("x"))
attempt("delete the gradebook", lambda: os.remove(C + "/gradebook.db"))
attempt("edit the gradebook", lambda: open(C + "/gradebook.db", "r+b").write(b"garbage"))
attempt("cat the reference", lambda: subprocess.run(["cat", C + "/source/00_demo/00_demo.ipynb"], check=True,
                                                     capture_output=True))
attempt("rm the gradebook from a shell", lambda: subprocess.run("rm " + C + "/gradebook.db", shell=True,
                                                                check=True, capture_output=True))
if %(raw)r:  # libc through ctypes: below Python, the sandbox stops it
    libc = ctypes.CDLL(None, use_errno=True)
    def check(ret):
        if ret < 0:
            raise OSError(ctypes.get_errno(), "refused")
    attempt("libc unlink the gradebook", lambda: check(libc.unlink((C + "/gradebook.db").encode())))
    attempt("libc open the reference", lambda: check(libc.open((C + "/source/00_demo/00_demo.ipynb").encode(), 0)))
    attempt("libc write into source/", lambda: check(libc.open((C + "/source/00_demo/x.py").encode(), 0o101, 0o644)))
open("mine.txt", "w").write("my own scratch is writable")
print(json.dumps({"results": results, "cwd": os.getcwd(), "env": sorted(os.environ)}))
def square(x):
    return x * x
'''


def _tree_hash(root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        h.update(str(path.relative_to(root)).encode())
        if path.is_file():
            h.update(path.read_bytes())
    return h.hexdigest()


@pytest.fixture
def course_with_class(demo_course):
    root = demo_course
    reference = read_notebook(root / "source" / DEMO / f"{DEMO}.ipynb")
    write_notebook(reference, root / "submitted" / "bob" / DEMO / f"{DEMO}.ipynb")
    (root / "gradebook.db").write_bytes(b"SQLite format 3\0 stand-in gradebook")
    return root


def _attack(root, tmp_path, raw, **kw):
    nb = read_notebook(root / "source" / DEMO / f"{DEMO}.ipynb")
    for cell in nb.cells:
        if grade_id(cell) == "square":
            cell.source = ATTACK % {"root": str(root), "repo": str(REPO_SOURCE), "raw": raw}
    path = tmp_path / "learner" / f"{DEMO}.ipynb"
    write_notebook(nb, path)
    before, repo_before = _tree_hash(root), REPO_SOURCE.read_bytes()
    report, executed = grade_notebook(path, DEMO, GradeOptions(source_root=root, **kw))
    assert _tree_hash(root) == before, "the submission changed something in the course root"
    assert REPO_SOURCE.read_bytes() == repo_before
    printed = [o for c in executed.cells if grade_id(c) == "square" for o in c.outputs
               if o.get("output_type") == "stream" and '"results"' in o.get("text", "")]
    assert printed, [c.outputs for c in executed.cells if grade_id(c) == "square"]
    return report, json.loads(printed[0]["text"].strip().splitlines()[-1])


needs_bwrap = pytest.mark.skipif(not sandbox.sandbox_available(), reason="bubblewrap (bwrap) is not installed")


@needs_bwrap
def test_the_sandbox_alone_stops_every_attempt(course_with_class, tmp_path, monkeypatch):
    """What stops the attempts is the sandbox itself."""
    monkeypatch.setenv("COURSE_TEST_SECRET", "hunter2")  # the grader's environment never reaches submissions
    report, seen = _attack(course_with_class, tmp_path, raw=True, sandbox="required")
    succeeded = [k for k, v in seen["results"].items() if not v.startswith("failed")]
    assert len(seen["results"]) == 12 and not succeeded, succeeded
    assert not seen["cwd"].startswith(str(course_with_class)) and not seen["cwd"].startswith(str(ROOT))
    assert "COURSE_TEST_SECRET" not in seen["env"]
    assert report.cells[-2].grade_id == "test_square_basics" and report.cells[-2].points == 1


@needs_bwrap
def test_every_attempt_is_refused_and_the_honest_work_still_counts(course_with_class, tmp_path):
    """As `course grade` runs it: refused by the sandbox; square() is right, so its test passes."""
    report, seen = _attack(course_with_class, tmp_path, raw=True, sandbox="preferred")
    succeeded = [k for k, v in seen["results"].items() if not v.startswith("failed")]
    assert len(seen["results"]) == 12 and not succeeded, succeeded
    assert report.status == "graded" and report.score == 4, report


def test_without_bubblewrap_the_grade_says_so(demo_course, tmp_path, monkeypatch):
    monkeypatch.setattr(sandbox, "bwrap_options", lambda: None)
    path = tmp_path / f"{DEMO}.ipynb"
    write_notebook(read_notebook(demo_course / "source" / DEMO / f"{DEMO}.ipynb"), path)
    report, _ = grade_notebook(path, DEMO, GradeOptions(source_root=demo_course, sandbox="preferred"))
    assert report.score == 4 and sandbox.NO_SANDBOX_FLAG in report.flags
