"""`course progress` (which exercises pass, a table and a picture) and the reference answers of `course check`."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from conftest import DEMO
from course import progress as P
from course.grader.report import CellResult, Report
from course.notebooks import read_notebook, source_notebook

ROOT = Path(__file__).resolve().parent.parent


def _workspace(course_root: Path, tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    shutil.copytree(course_root / "release", ws)
    return ws


def _edit(path: Path, **sources) -> None:
    nb = nbformat.read(str(path), as_version=4)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in sources:
            cell.source = sources[gid]
    nbformat.write(nb, str(path))


def _report(statuses: dict) -> Report:
    cells = [CellResult(gid, "test", 1.0 if s == "passed" else 0.0, 1.0, s, "" if s == "passed" else "boom")
             for gid, s in statuses.items()]
    return Report(assignment=DEMO, notebook=f"{DEMO}.ipynb", cells=cells)


def test_exercises_group_solutions_with_the_tests_after_them(demo_course):
    exercises = P.exercises_of(read_notebook(source_notebook(DEMO, demo_course)))
    assert [(e.name, e.kind, e.tests) for e in exercises] == [
        ("add", "code", ["test_add_basics", "test_add_hidden"]),
        ("square", "code", ["test_square_basics"]),
        ("written_demo", "written", []),
    ]


def test_two_solution_cells_share_their_tests():
    nb = read_notebook(source_notebook("01_attention"))
    names = [e.name for e in P.exercises_of(nb)]
    assert "split_heads/merge_heads" in names and "softmax" in names


def test_untouched_notebook_is_not_run(demo_course, tmp_path):
    ws = _workspace(demo_course, tmp_path)

    def never(*args):
        raise AssertionError("an untouched notebook must not be graded")

    row = P.assignment_progress(ws, DEMO, root=demo_course, cache={}, grade=never)
    assert {e.name: e.status for e in row.exercises} == {
        "add": P.NOT_ATTEMPTED, "square": P.NOT_ATTEMPTED, "written_demo": P.UNANSWERED}
    assert not row.graded


def test_missing_notebook_is_reported(demo_course, tmp_path):
    ws = tmp_path / "empty"
    ws.mkdir()
    row = P.assignment_progress(ws, DEMO, root=demo_course, cache={})
    assert all(e.status == P.MISSING for e in row.exercises) and "make lab" in row.note


def test_statuses_come_from_the_grader_and_are_cached(demo_course, tmp_path):
    ws = _workspace(demo_course, tmp_path)
    nb = ws / DEMO / f"{DEMO}.ipynb"
    _edit(nb, add="def add(a, b):\n    return a + b", written_demo="Because it is so.")
    calls = []

    def grade(path, assignment, cell_timeout, root):
        calls.append(path)
        return _report({"test_add_basics": "passed", "test_add_hidden": "failed", "test_square_basics": "failed"})

    cache = {}
    row = P.assignment_progress(ws, DEMO, root=demo_course, cache=cache, grade=grade)
    status = {e.name: e.status for e in row.exercises}
    # add: one of its tests fails; square: untouched, so "not attempted" even though its test failed
    assert status == {"add": P.FAILED, "square": P.NOT_ATTEMPTED, "written_demo": P.ANSWERED}
    assert row.exercises[0].message.startswith("test_add_hidden")
    assert len(calls) == 1
    json.dumps(cache)  # the cache is saved as JSON
    P.assignment_progress(ws, DEMO, root=demo_course, cache=cache, grade=grade)
    assert len(calls) == 1, "an unchanged notebook is not graded again"
    _edit(nb, add="def add(a, b):\n    return b + a")
    P.assignment_progress(ws, DEMO, root=demo_course, cache=cache, grade=grade)
    assert len(calls) == 2, "a changed notebook is graded again"


@pytest.mark.slow
def test_progress_runs_the_real_grader_and_draws_the_picture(demo_course, tmp_path):
    """The same pipeline as course check: hidden tests count (add is right, square is wrong)."""
    ws = _workspace(demo_course, tmp_path)
    _edit(ws / DEMO / f"{DEMO}.ipynb", add="def add(a, b):\n    return a + b",
          square="def square(x):\n    return x + x")  # right for 2 only: the visible test (3) fails
    rows = P.workspace_progress(ws, root=demo_course)
    assert [r.assignment for r in rows] == [DEMO]
    status = {e.name: e.status for e in rows[0].exercises}
    assert status == {"add": P.PASSED, "square": P.FAILED, "written_demo": P.UNANSWERED}, rows[0]
    assert (ws / P.CACHE).is_file()
    table = P.format_progress(rows)
    assert DEMO in table and "1/2" in table and "square" in table
    picture = P.save_picture(rows, tmp_path / "progress.png")
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and picture.stat().st_size > 5000


def test_progress_command_on_a_fresh_workspace(tmp_path):
    """`python -m course.progress` over the real course: nothing attempted, so nothing runs; table and picture."""
    ws = tmp_path / "ws"
    shutil.copytree(ROOT / "release", ws)
    env = dict(os.environ, MPLBACKEND="Agg")
    env.pop("COURSE_WORKSPACE", None)
    out = subprocess.run([sys.executable, "-m", "course.progress", "--workspace", str(ws)], capture_output=True,
                         text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "01_attention" in out.stdout and "total" in out.stdout
    assert (ws / P.PICTURE).is_file()


def test_progress_finds_the_workspace_course_lab_serves(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_WORKSPACE", str(tmp_path / "mine"))
    assert P.default_workspace() == tmp_path / "mine"
    monkeypatch.delenv("COURSE_WORKSPACE")
    (tmp_path / ".course-release.json").write_text("{}")
    (tmp_path / "01_attention").mkdir()
    monkeypatch.chdir(tmp_path / "01_attention")
    assert P.default_workspace() == tmp_path


def test_progress_without_workspace_says_what_to_do(tmp_path, capsys):
    assert P.main(["--workspace", str(tmp_path / "nowhere")]) == 2
    assert "make lab" in capsys.readouterr().err


# ---------------------------------------------------------------- reference answers (course check)
def _written(status: str) -> Report:
    return Report(assignment=DEMO, notebook=f"{DEMO}.ipynb",
                  cells=[CellResult("written_demo", "written", None, 1.0, status)])


def test_reference_answer_only_after_the_learner_answered(demo_course):
    shown = P.reference_answers(_written("needs grading"), source_root=demo_course)
    assert "SECRET-REFERENCE-ANSWER" in shown and "written_demo" in shown
    hidden = P.reference_answers(_written("unanswered"), source_root=demo_course)
    assert "SECRET-REFERENCE-ANSWER" not in hidden
    assert "written_demo" in hidden and "once you write your own" in hidden


def test_no_reference_answers_without_written_questions(demo_course):
    assert P.reference_answers(_report({"test_add_basics": "passed"}), source_root=demo_course) == ""


def test_reference_answers_of_a_real_notebook():
    report = Report(assignment="01_attention", notebook="01_attention.ipynb",
                    cells=[CellResult("written_why_scale", "written", None, 2.0, "needs grading"),
                           CellResult("written_multi_head", "written", None, 2.0, "unanswered")])
    text = P.reference_answers(report)
    flat = " ".join(text.split())
    source = {c.metadata.get("nbgrader", {}).get("grade_id"): c.source
              for c in read_notebook(source_notebook("01_attention")).cells}

    def opening(gid):  # the first words of a reference answer, markers left out
        return " ".join(P._clean_answer(source[gid]).split()[:8])

    assert opening("written_why_scale") in flat
    assert opening("written_multi_head") not in flat
    assert "### BEGIN SOLUTION" not in text


def test_course_check_prints_reference_answers_when_wired():
    """course/cli.py's check command calls progress.reference_answers (applied by the lead)."""
    cli = (ROOT / "course" / "cli.py").read_text()
    if "reference_answers" not in cli:
        pytest.skip("course/cli.py does not call progress.reference_answers yet")
    assert "from .progress import" in cli


def test_course_progress_subcommand_when_wired(tmp_path):
    from course.cli import parser

    sub = next(a for a in parser()._actions if a.__class__.__name__ == "_SubParsersAction")
    if "progress" not in sub.choices:
        pytest.skip("course/cli.py has no `progress` subcommand yet")
    ws = tmp_path / "ws"
    shutil.copytree(ROOT / "release", ws)
    out = subprocess.run([sys.executable, "-m", "course", "progress", "--workspace", str(ws)],
                         capture_output=True, text=True, timeout=300, env=dict(os.environ, MPLBACKEND="Agg"))
    assert out.returncode == 0, out.stderr
    assert "01_attention" in out.stdout and (ws / P.PICTURE).is_file()
