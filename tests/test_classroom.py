"""`course grade`: every student gets a row, nothing broken scores full, grades resume, nbgrader's gradebook agrees."""
import csv
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import DEMO
from course.grader.classroom import ClassGrader, grade_job
from course.notebooks import grade_id, read_notebook, write_notebook


def _submit(root, student, nb=None, name=f"{DEMO}.ipynb", raw=None):
    folder = root / "submitted" / student / DEMO
    folder.mkdir(parents=True, exist_ok=True)
    if raw is not None:
        (folder / name).write_text(raw)
    elif nb is not None:
        write_notebook(nb, folder / name)
    return folder


class CountingExecutor(ThreadPoolExecutor):
    def __init__(self):
        super().__init__(max_workers=2)
        self.jobs = 0

    def submit(self, fn, *args, **kwargs):
        self.jobs += 1
        return super().submit(fn, *args, **kwargs)


@pytest.fixture(scope="module")
def _graded_class_built(tmp_path_factory, _demo_course_built):
    """Five students of 00_demo graded once per test process (a batch of kernels): the tests get copies."""
    root = tmp_path_factory.mktemp("graded-class") / "course"
    shutil.copytree(_demo_course_built, root)
    reference = read_notebook(root / "source" / DEMO / f"{DEMO}.ipynb")
    release = read_notebook(root / "release" / DEMO / f"{DEMO}.ipynb")
    _submit(root, "alice", reference)
    _submit(root, "bob", release)
    _submit(root, "carol", raw="{ this is not json")
    _submit(root, "dave", reference, name="my_copy.ipynb")
    _submit(root, "erin")  # an empty submission folder
    executor = CountingExecutor()
    rows = ClassGrader(DEMO, root, executor=executor, timeout=300).run()
    executor.shutdown()
    return root, {r.student_id: r for r in rows}, executor


@pytest.fixture
def graded_class(_graded_class_built, tmp_path):
    """The graded class in a course root of this test's own (resume state and gradebook included)."""
    built, rows, executor = _graded_class_built
    root = tmp_path / "course"
    shutil.copytree(built, root)
    return root, rows, executor


def test_every_student_gets_a_row(graded_class):
    root, rows, executor = graded_class
    assert sorted(rows) == ["alice", "bob", "carol", "dave", "erin"]
    assert (rows["alice"].score, rows["alice"].max_score, rows["alice"].status) == (4, 5, "graded")
    assert rows["bob"].score == 0 and rows["bob"].status == "graded"
    assert rows["carol"].score == 0 and rows["carol"].status == "error" and "not valid notebook JSON" in rows["carol"].flags
    assert rows["dave"].score == 4 and "renamed" in rows["dave"].flags and f"{DEMO}.ipynb" in rows["dave"].flags
    assert rows["erin"].status == "missing" and f"expected {DEMO}.ipynb" in rows["erin"].flags
    assert executor.jobs == 4


def test_outputs_written_and_gradebook_agrees(graded_class):
    root, rows, _ = graded_class
    assert (root / "autograded" / "alice" / DEMO / f"{DEMO}.ipynb").is_file()
    html = (root / "feedback" / "alice" / DEMO / f"{DEMO}.html").read_text()
    assert "SECRET-HIDDEN-LINE" not in html
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        assert gb.find_submission(DEMO, "alice").code_score == 4
        assert gb.find_submission(DEMO, "bob").code_score == 0
        assert gb.find_submission(DEMO, "erin").code_score == 0
        assert gb.find_submission(DEMO, "alice").needs_manual_grade  # the written answer


def test_resume_grades_only_what_changed(graded_class):
    root, _, _ = graded_class
    executor = CountingExecutor()
    ClassGrader(DEMO, root, executor=executor).run()
    assert executor.jobs == 0, "a second run regraded submissions that were already graded"
    nb = read_notebook(root / "submitted" / "bob" / DEMO / f"{DEMO}.ipynb")
    for cell in nb.cells:
        if grade_id(cell) == "add":
            cell.source = "def add(a, b):\n    return a + b"
    write_notebook(nb, root / "submitted" / "bob" / DEMO / f"{DEMO}.ipynb")
    executor = CountingExecutor()
    rows = {r.student_id: r for r in ClassGrader(DEMO, root, executor=executor).run()}
    assert executor.jobs == 1 and rows["bob"].score == 3
    executor = CountingExecutor()
    ClassGrader(DEMO, root, executor=executor, force=True).run()
    assert executor.jobs == 4


def test_cli_writes_csv(graded_class):
    root, _, _ = graded_class
    out = root / "grades.csv"
    proc = subprocess.run([sys.executable, "-m", "course", "grade", DEMO, "--root", str(root), "--csv", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    with open(out, newline="") as fh:
        table = list(csv.DictReader(fh))
    assert list(table[0]) == ["student_id", "assignment", "score", "max_score", "status", "flags", "diagnoses"]
    assert {r["student_id"]: r["score"] for r in table} == {"alice": "4", "bob": "0", "carol": "0", "dave": "4", "erin": "0"}


def test_wall_clock_limit_per_submission(demo_course, tmp_path):
    """A submission that outlives its limit is stopped, reported, and the batch goes on."""
    nb = read_notebook(demo_course / "source" / DEMO / f"{DEMO}.ipynb")
    for cell in nb.cells:
        if grade_id(cell) == "square":
            cell.source = "import time\ntime.sleep(600)"
    _submit(demo_course, "sleepy", nb)
    rows = {r.student_id: r for r in ClassGrader(DEMO, demo_course, timeout=20, cell_timeout=600).run()}
    assert rows["sleepy"].status == "timeout" and rows["sleepy"].score == 0
    assert "20s limit" in rows["sleepy"].flags


def test_nbgrader_export_reads_our_gradebook(graded_class, tmp_path, monkeypatch):
    """`nbgrader export` (its Python API: the ExportApp with the CSV plugin) works on the gradebook we wrote."""
    root, rows, _ = graded_class
    from nbgrader.apps.exportapp import ExportApp

    from course.build import load_config

    out = tmp_path / "export.csv"
    config = load_config(root)
    config.CsvExportPlugin.to = str(out)
    monkeypatch.chdir(tmp_path)  # no nbgrader_config.py here to override the course root
    app = ExportApp(config=config)
    app.initialize([])
    app.start()
    with open(out, newline="") as fh:
        exported = {r["student_id"]: r for r in csv.DictReader(fh)}
    assert set(exported) == set(rows)
    for student, row in rows.items():
        assert float(exported[student]["raw_score"]) == row.score, student
        assert float(exported[student]["max_score"]) == row.max_score


def test_more_workers_than_submissions_lose_and_duplicate_nothing(demo_course):
    """8 workers, 3 submissions: each graded exactly once, one gradebook row each, progress told in order."""
    root = demo_course
    reference = read_notebook(root / "source" / DEMO / f"{DEMO}.ipynb")
    release = read_notebook(root / "release" / DEMO / f"{DEMO}.ipynb")
    for student, nb in (("ann", reference), ("ben", release), ("cat", reference)):
        _submit(root, student, nb)
    seen = []

    class Counting(ThreadPoolExecutor):
        def submit(self, fn, *args, **kwargs):
            seen.append(args[0]["notebook"])
            return super().submit(fn, *args, **kwargs)

    calls = []
    grader = ClassGrader(DEMO, root, workers=8, executor=Counting(max_workers=8),
                         progress=lambda *a: calls.append(a))
    rows = grader.run()
    assert sorted(seen) == sorted(set(seen)) and len(seen) == 3
    assert [(r.student_id, r.score) for r in rows] == [("ann", 4), ("ben", 0), ("cat", 4)]
    assert [c[0] for c in calls] == [0, 1, 2, 3] and calls[-1][1:] == (3, 0, 0)
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        assert sorted(s.id for s in gb.students) == ["ann", "ben", "cat"]
        assert [s.student.id for s in gb.find_assignment(DEMO).submissions].count("ann") == 1
        assert {s: gb.find_submission(DEMO, s).code_score for s in ("ann", "ben", "cat")} == \
            {"ann": 4, "ben": 0, "cat": 4}
    from course.grader.classroom import format_rows

    table = format_rows(rows, grader.seconds, grader.graded_now, 8)
    assert "3 submissions: 3 graded (0 with problems)." in table and "3 graded in this run" in table


def test_a_killed_batch_resumes_where_it_stopped(demo_course):
    """SIGKILL `course grade` after its first grade is saved: the next run grades only the rest."""
    import os
    import signal

    root = demo_course
    reference = read_notebook(root / "source" / DEMO / f"{DEMO}.ipynb")
    tag = f"999.{os.getpid()}"
    for cell in reference.cells:  # each submission leaves a process behind: it must die with the grader
        if grade_id(cell) == "square":  # and takes a second: warm kernels grade the demo faster than we poll
            cell.source += f"\nimport subprocess, time\nsubprocess.Popen(['sleep', '{tag}'])\ntime.sleep(1)"
    students = ["s1", "s2", "s3", "s4", "s5", "s6"]
    for student in students:
        _submit(root, student, reference)
    proc = subprocess.Popen([sys.executable, "-m", "course", "grade", DEMO, "--root", str(root), "--workers", "1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 300
    states = []
    while time.monotonic() < deadline and proc.poll() is None:
        states = list((root / "autograded").glob(f"*/{DEMO}/.grade.json"))
        if states:
            break
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    import tempfile

    left_behind = list(Path(tempfile.gettempdir()).glob(f"course-grade-{proc.pid}-*"))
    assert left_behind, "the killed grader's scratch folder should still be there"
    done = len(list((root / "autograded").glob(f"*/{DEMO}/.grade.json")))
    assert 1 <= done < len(students), "the batch should have been killed half way"
    executor = CountingExecutor()
    rows = ClassGrader(DEMO, root, executor=executor).run()
    assert executor.jobs == len(students) - done
    assert [r.score for r in rows] == [4] * len(students)
    assert not any(p.exists() for p in left_behind), "the next run should remove the killed grader's scratch"
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert f"sleep {tag}" not in ps, "a submission's process outlived the grader that was killed"


def test_cli_shows_progress_and_summary(graded_class):
    root, _, _ = graded_class
    proc = subprocess.run([sys.executable, "-m", "course", "grade", DEMO, "--root", str(root), "--force",
                           "--workers", "2"], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    progress = [line for line in proc.stderr.splitlines() if line.startswith("[")]
    assert progress[-1].startswith("[" + "#" * 24 + "] 4/4 graded, 1 with problems,"), proc.stderr
    assert "left" in progress[-1]
    assert "5 submissions: 3 graded, 1 error, 1 missing (2 with problems)." in proc.stdout, proc.stdout
    assert "4 graded in this run" in proc.stdout


@pytest.mark.slow
def test_throughput_benchmark_runs():
    """benchmarks/grade_throughput.py end to end on one copy (the README's table comes from it with more; that
    copies are graded in parallel is tested above, with the five-student class)."""
    script = Path(__file__).resolve().parent.parent / "benchmarks" / "grade_throughput.py"
    proc = subprocess.run([sys.executable, str(script), "--copies", "1", "--no-overhead"], capture_output=True,
                          text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "every copy graded full" in proc.stdout and "speed-up of course grade --workers 2" in proc.stdout


def test_a_gradebook_that_cannot_be_opened_is_one_sentence(demo_course):
    """A wrong --db stops the batch with one sentence (password hidden), not a traceback."""
    for student in ("alice", "bob"):
        nb = read_notebook(demo_course / "source" / DEMO / f"{DEMO}.ipynb")
        write_notebook(nb, demo_course / "submitted" / student / DEMO / f"{DEMO}.ipynb")
    proc = subprocess.run([sys.executable, "-m", "course", "grade", DEMO, "--root", str(demo_course), "--workers", "2",
                           "--db", "postgresql://ta:secret@127.0.0.1:1/course"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2, proc.stderr
    err = proc.stderr.strip().splitlines()
    assert err[-1].startswith("error: cannot open the gradebook at postgresql://ta:***@127.0.0.1:1/course ("), err
    assert "Traceback" not in proc.stderr and "secret" not in proc.stderr, proc.stderr


def test_plain_postgresql_urls_get_the_installed_driver():
    from course.grader.gradebook import driver_url

    assert driver_url("postgresql://u@h/db") in ("postgresql+psycopg2://u@h/db", "postgresql+psycopg://u@h/db")
    assert driver_url("postgres://u@h/db").endswith("://u@h/db")
    assert driver_url("postgresql+psycopg2://u@h/db") == "postgresql+psycopg2://u@h/db"
    assert driver_url("sqlite:///x.db") == "sqlite:///x.db"


def test_readme_reports_the_measured_throughput():
    """The README's table comes from the benchmark: a date, the machine, and a speed-up of at least 2.2x."""
    import re

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Grading throughput", 1)[1].split("\n## ", 1)[0]
    assert "benchmarks/grade_throughput.py" in section
    assert re.search(r"Measured \d{4}-\d{2}-\d{2} on\s.*?\d+ cores", section, re.S), "say when and on what it ran"
    ratio = float(re.search(r"over serial `nbgrader autograde`: \*\*([\d.]+)x\*\*", section).group(1))
    assert ratio >= 2.2, f"the README reports {ratio}x, below the 2.2x target"


def test_a_failing_gradebook_write_keeps_the_row_and_the_batch(demo_course, monkeypatch):
    """'database or disk is full' on one student's row: the batch goes on, every row is in the CSV and the
    resume state, the grader says so once, and the next run writes the missing row."""
    from sqlalchemy.exc import OperationalError

    from course.grader import gradebook

    root = demo_course
    reference = read_notebook(root / "source" / DEMO / f"{DEMO}.ipynb")
    for student in ("alice", "bob"):
        _submit(root, student, reference)
    real = gradebook.Gradebook.record

    def full(self, student, report):
        if student == "alice":
            raise OperationalError("INSERT", {}, Exception("database or disk is full"))
        return real(self, student, report)

    monkeypatch.setattr(gradebook.Gradebook, "record", full)
    grader = ClassGrader(DEMO, root, workers=2, timeout=300, sandbox="off")
    rows = {r.student_id: r for r in grader.run()}
    assert rows["alice"].score == 4 and rows["bob"].score == 4
    assert len(grader.warnings) == 1 and "could not write alice's grade" in grader.warnings[0], grader.warnings
    assert (root / "autograded" / "alice" / DEMO / ".grade.json").is_file()
    monkeypatch.setattr(gradebook.Gradebook, "record", real)
    again = ClassGrader(DEMO, root, workers=2, timeout=300, sandbox="off")
    again.run()
    assert again.graded_now == 0 and not again.warnings
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        assert gb.find_submission(DEMO, "alice").code_score == 4
