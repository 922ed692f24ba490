"""Grading one notebook (`course check` and each job of `course grade`): broken input never scores full."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DEMO
from course.grader.feedback import write_feedback_html
from course.grader.notebook import GradeOptions, grade_notebook
from course.grader.report import format_report
from course.notebooks import grade_id, is_test_cell, read_notebook, write_notebook


def _source(root):
    return read_notebook(root / "source" / DEMO / f"{DEMO}.ipynb")


def _release(root):
    return read_notebook(root / "release" / DEMO / f"{DEMO}.ipynb")


def _grade(root, nb, tmp_path, name=f"{DEMO}.ipynb", **kw):
    path = tmp_path / "learner" / name
    write_notebook(nb, path)
    return grade_notebook(path, DEMO, GradeOptions(source_root=root, **kw))


def _set(nb, gid, source):
    for cell in nb.cells:
        if grade_id(cell) == gid:
            cell.source = source
    return nb


def test_reference_scores_full_and_release_zero(demo_course, tmp_path):
    report, _ = _grade(demo_course, _source(demo_course), tmp_path)
    assert (report.score, report.auto_max_score) == (4, 4) and report.status == "graded"
    report, _ = _grade(demo_course, _release(demo_course), tmp_path)
    assert report.score == 0
    assert "NotImplementedError" in report.cells[0].message


def test_deleted_and_edited_test_cells_are_restored(demo_course, tmp_path):
    nb = _release(demo_course)
    nb = _set(nb, "add", "def add(a, b):\n    return 3")       # right only for the visible test
    nb = _set(nb, "test_add_hidden", "pass  # nothing to see")  # edited test cell
    nb.cells = [c for c in nb.cells if grade_id(c) != "test_square_basics"]  # deleted test cell
    report, _ = _grade(demo_course, nb, tmp_path)
    by_id = {c.grade_id: c for c in report.cells}
    assert by_id["test_add_basics"].points == 1
    assert by_id["test_add_hidden"].points == 0, "the hidden tests were restored and must fail add() == 3"
    assert by_id["test_square_basics"].status == "failed", "the deleted test cell was put back and run"
    assert any("edited" in f for f in report.flags) and any("deleted" in f for f in report.flags)


def test_warnings_on_stderr_keep_full_marks(demo_course, tmp_path):
    nb = _set(_source(demo_course), "add",
              "import sys, warnings\ndef add(a, b):\n    warnings.warn('noisy')\n    print('debug', file=sys.stderr)\n"
              "    print(f'add got {a} and {b}')\n    return a + b")
    report, executed = _grade(demo_course, nb, tmp_path)
    assert report.score == 4, format_report(report)
    # what the learner's code printed while the tests called it is shown with those tests, as plain stdout
    first_test = next(c for c in executed.cells if grade_id(c) == "test_add_basics")
    printed = [o for o in first_test.outputs if o.get("output_type") == "stream"]
    assert printed and all(o["name"] == "stdout" for o in printed), first_test.outputs
    assert "add got 1 and 2" in printed[0]["text"] and "debug" in printed[0]["text"], printed


def test_dead_kernel_is_not_full_marks(demo_course, tmp_path):
    nb = _set(_source(demo_course), "square", "import os\nos._exit(1)")
    report, _ = _grade(demo_course, nb, tmp_path)
    by_id = {c.grade_id: c for c in report.cells}
    assert by_id["test_square_basics"].points == 0 and by_id["test_square_basics"].status == "not run"
    assert any("kernel died" in f for f in report.flags)
    assert report.score < report.auto_max_score


def test_infinite_loop_is_interrupted(demo_course, tmp_path):
    nb = _set(_source(demo_course), "square", "while True:\n    pass")
    report, _ = _grade(demo_course, nb, tmp_path, cell_timeout=15)
    assert report.score == 3 and any("time limit" in f for f in report.flags), format_report(report)


@pytest.mark.parametrize("content,needle", [("", "empty"), ("{not json", "not valid notebook JSON"),
                                            ('{"a": 1}', "not a Jupyter notebook")])
def test_broken_files_get_one_sentence(demo_course, tmp_path, content, needle):
    path = tmp_path / f"{DEMO}.ipynb"
    path.write_text(content)
    report, nb = grade_notebook(path, DEMO, GradeOptions(source_root=demo_course))
    assert nb is None and report.status == "error" and report.score == 0
    assert needle in report.flags[0] and "\n" not in report.flags[0]


def test_syntax_error_scores_zero_for_that_exercise(demo_course, tmp_path):
    nb = _set(_source(demo_course), "add", "def add(a, b)\n    return a + b")
    report, _ = _grade(demo_course, nb, tmp_path)
    by_id = {c.grade_id: c for c in report.cells}
    assert by_id["test_add_basics"].points == 0 and by_id["test_square_basics"].points == 1


def test_feedback_hides_hidden_tests_and_tracebacks(demo_course, tmp_path):
    nb = _set(_source(demo_course), "add", "def add(a, b):\n    return 3")
    report, executed = _grade(demo_course, nb, tmp_path)
    html = write_feedback_html(executed, report, tmp_path / "fb.html").read_text()
    assert "SECRET-HIDDEN-LINE" not in html, "hidden test source leaked into feedback"
    assert "T.assert_equal(add(-5" not in html, "a hidden test line leaked through a traceback"
    assert "add(-5, 5): expected 0, got 3." in html, "the failure message itself should teach"
    assert "Score: 2 / 5" in html  # add() passes the visible test, square() passes


def test_course_check_cli_prints_table(demo_course, tmp_path):
    path = tmp_path / f"{DEMO}.ipynb"
    write_notebook(_source(demo_course), path)
    # the CLI grades against the repository's source/; run the library path with this course instead
    report, _ = grade_notebook(path, DEMO, GradeOptions(source_root=demo_course))
    table = format_report(report)
    assert "4 / 4 autograded points" in table and "test_add_hidden" in table and "needs grading" in table


def test_course_check_cli_on_missing_file_is_one_sentence(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "course", "check", str(tmp_path / "01_attention.ipynb")],
                          capture_output=True, text=True)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr + proc.stdout


def test_feedback_shows_plots_and_the_kernel_never_sees_a_hidden_test(demo_course, tmp_path):
    """A plot reaches the feedback; a cell looking for the tests its kernel ran (in linecache) finds none:
    the test cells run in the other kernel."""
    import nbformat

    nb = _set(_source(demo_course), "square", "import matplotlib.pyplot as plt\nplt.plot([1, 4, 9])\nplt.show()\n"
                                              "def square(x):\n    return x * x")
    nb.cells.append(nbformat.v4.new_code_cell(
        "import linecache\nfor entry in list(linecache.cache.values()):\n"
        "    for line in (entry[2] if isinstance(entry, tuple) and len(entry) > 2 else []):\n"
        "        if 'T.assert' + '_equal' in line:\n"
        "            print(line.strip())"))
    report, executed = _grade(demo_course, nb, tmp_path)
    printed = "".join(o.get("text", "") for o in executed.cells[-1].outputs)
    assert "T.assert_equal" not in printed and "SECRET-HIDDEN-LINE" not in printed, printed
    html = write_feedback_html(executed, report, tmp_path / "fb.html").read_text()
    assert "SECRET-HIDDEN-LINE" not in html and "add(-5, 5), 0" not in html
    assert '<img alt="an output of the notebook" src="data:image/png;base64,' in html
    assert report.score == 4


def test_grade_job_is_plain_data(tmp_path):
    """The class grader's job crosses to Dask workers and JSON files as a dict, and comes back whole."""
    from dataclasses import asdict

    from course.grader.classroom import GradeJob

    job = GradeJob(notebook="n.ipynb", assignment=DEMO, course=str(tmp_path), autograded="a.ipynb",
                   feedback="f.html", expected_name=f"{DEMO}.ipynb", batch="1-abc", threads=1)
    assert GradeJob(**json.loads(json.dumps(asdict(job)))) == job


def test_sandbox_mode_is_one_of_three(demo_course, tmp_path, monkeypatch):
    from course.grader import sandbox
    from course.notebooks import CourseError

    path = tmp_path / "learner" / f"{DEMO}.ipynb"
    write_notebook(_source(demo_course), path)
    with pytest.raises(ValueError, match="sandbox must be one of"):
        grade_notebook(path, DEMO, GradeOptions(source_root=demo_course, sandbox=None))
    monkeypatch.setattr(sandbox, "bwrap_options", lambda: None)
    with pytest.raises(CourseError, match="bubblewrap"):
        grade_notebook(path, DEMO, GradeOptions(source_root=demo_course, sandbox="required"))
