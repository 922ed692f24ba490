"""`course report`: a class of 30 (right, wrong, broken), graded by `course grade`'s ClassGrader, then reported.

Every number on the page and in the CSV is checked against a hand count of the class below. Identical
notebooks are graded once (a memoizing executor hands their result to every student who submitted the same
file), so the 30 students cost six kernel runs; the grader still writes every student's row, state and grade.
"""
import base64
import csv
import re
import subprocess
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from conftest import DEMO
from course.grader.class_report import ITEM_COLUMNS, correlation
from course.grader.classroom import ClassGrader, write_csv
from course.notebooks import grade_id, read_notebook, write_notebook

# variant -> (students, source of the `add` cell, source of the `square` cell); None keeps the reference's
VARIANTS = {
    "right": (8, None, None),
    "add_minus": (4, "def add(a, b):\n    return a - b", None),          # fails both add tests
    "add_hardcoded": (4, "def add(a, b):\n    return 3", None),          # passes the visible add test only
    "square_doubles": (4, None, "def square(x):\n    return x + x"),     # fails the square test
    "square_raises": (3, None, "def square(x):\n    raise NotImplementedError"),
}
# plus: 3 release stubs (0 points), 2 renamed right notebooks (graded, flagged "renamed"),
# 1 notebook that is not JSON (error), 1 empty folder (missing) = 30 students
# points per graded variant: (test_add_basics 1, test_add_hidden 2, test_square_basics 1)
POINTS = {"right": (1, 2, 1), "add_minus": (0, 0, 1), "add_hardcoded": (1, 0, 1), "square_doubles": (1, 2, 0),
          "square_raises": (1, 2, 0), "stub": (0, 0, 0), "renamed": (1, 2, 1)}


class OncePerNotebook(ThreadPoolExecutor):
    """Grades each distinct notebook file once; every submission of the same bytes gets that result."""

    def __init__(self):
        super().__init__(max_workers=2)
        self.graded: dict[bytes, Future] = {}

    def submit(self, fn, job):
        key = Path(job["notebook"]).read_bytes()
        if key not in self.graded:
            self.graded[key] = super().submit(fn, job)
        out = Future()
        self.graded[key].add_done_callback(lambda f: out.set_result(f.result()))
        return out


def _submit(root, student, nb=None, name=f"{DEMO}.ipynb", raw=None):
    folder = root / "submitted" / student / DEMO
    folder.mkdir(parents=True, exist_ok=True)
    if raw is not None:
        (folder / name).write_text(raw)
    elif nb is not None:
        write_notebook(nb, folder / name)


@pytest.fixture(scope="module")
def reported_class(tmp_path_factory):
    from conftest import build_demo_notebook
    from course.build import generate

    root = tmp_path_factory.mktemp("report") / "course"
    build_demo_notebook().save(root / "source" / DEMO / f"{DEMO}.ipynb")
    generate([DEMO], root, course=root)
    reference = read_notebook(root / "source" / DEMO / f"{DEMO}.ipynb")
    release = read_notebook(root / "release" / DEMO / f"{DEMO}.ipynb")
    expected = {}  # student -> variant
    n = 0
    for variant, (count, add, square) in VARIANTS.items():
        nb = read_notebook(root / "source" / DEMO / f"{DEMO}.ipynb")
        for cell in nb.cells:
            if grade_id(cell) == "add" and add:
                cell.source = add
            if grade_id(cell) == "square" and square:
                cell.source = square
        for _ in range(count):
            n += 1
            _submit(root, f"s{n:02d}", nb)
            expected[f"s{n:02d}"] = variant
    for _ in range(3):
        n += 1
        _submit(root, f"s{n:02d}", release)
        expected[f"s{n:02d}"] = "stub"
    for _ in range(2):
        n += 1
        _submit(root, f"s{n:02d}", reference, name="copy.ipynb")
        expected[f"s{n:02d}"] = "renamed"
    n += 1
    _submit(root, f"s{n:02d}", raw="{ not a notebook")
    expected[f"s{n:02d}"] = "broken"
    n += 1
    _submit(root, f"s{n:02d}")
    expected[f"s{n:02d}"] = "missing"
    assert n == 30
    rows = ClassGrader(DEMO, root, executor=OncePerNotebook(), timeout=300, sandbox="off").run()  # no sandbox flag
    write_csv(rows, root / "grades" / f"{DEMO}.csv")  # what `course grade` writes
    out = root / "out"
    proc = subprocess.run([sys.executable, "-m", "course", "report", DEMO, "--root", str(root), "--out", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return root, out, expected, proc.stdout


def _hand_count(expected):
    graded = [v for v in expected.values() if v in POINTS]
    return graded, np.array([POINTS[v] for v in graded], dtype=float)  # (students, 3 cells)


def test_csv_matches_hand_count(reported_class):
    root, out, expected, stdout = reported_class
    with open(out / f"{DEMO}_items.csv", newline="") as fh:
        table = list(csv.DictReader(fh))
    assert list(table[0]) == ITEM_COLUMNS
    assert [r["grade_id"] for r in table] == ["test_add_basics", "test_add_hidden", "test_square_basics"]
    assert [r["exercise"] for r in table] == ["add", "add", "square"]
    graded, points = _hand_count(expected)
    assert len(graded) == 28  # 30 less the broken and the missing ones
    # by hand: add_basics passed by right 8 + add_hardcoded 4 + square_* 7 + renamed 2 = 21
    #          add_hidden by right 8 + square_* 7 + renamed 2 = 17; square_basics by right 8 + add_* 8 + renamed 2 = 18
    assert [int(r["passed"]) for r in table] == [21, 17, 18]
    assert all(int(r["submissions"]) == 28 for r in table)
    assert [float(r["pass_rate"]) for r in table] == pytest.approx([21 / 28, 17 / 28, 18 / 28], abs=1e-4)
    assert [float(r["mean_points"]) for r in table] == pytest.approx([21 / 28, 34 / 28, 18 / 28], abs=1e-4)
    totals = points.sum(1)
    for j, row in enumerate(table):
        rest = totals - points[:, j]
        r = np.corrcoef(points[:, j], rest)[0, 1]  # an independent computation of the point-biserial r
        assert float(row["discrimination"]) == pytest.approx(r, abs=1e-4), row["grade_id"]
    assert "30 students, 28 graded normally, 4 errored or flagged" in stdout


def test_page_has_figures_items_and_problems(reported_class):
    root, out, expected, _ = reported_class
    page = (out / f"{DEMO}_report.html").read_text()
    images = re.findall(r"src='data:image/png;base64,([A-Za-z0-9+/=]+)'", page)
    assert len(images) == 2
    for data in images:
        assert base64.b64decode(data).startswith(b"\x89PNG")
    assert "30 students: 1 error, 28 graded, 1 missing." in page
    # mean autograded score of the 28 graded: (8*4 + 4*1 + 4*2 + 7*3 + 3*0 + 2*4) / 28
    assert f"mean autograded score {(32 + 4 + 8 + 21 + 8) / 28:.2f}, median 3 of 4" in page
    counts = page.split("id='score-counts'")[1].split("</table>")[0]
    # by hand: 0 points: 3 stubs + broken + missing; 1: add_minus; 2: add_hardcoded; 3: square_*; 4: right + renamed
    assert re.findall(r"<td class=num>(\d+)</td>", counts) == ["5", "4", "4", "7", "10"]
    assert re.search(r"<td>test_add_hidden</td><td>add</td><td class=num>2</td><td class=num>17/28</td>"
                     r"<td class=num>61%</td><td class=num>1.21</td>", page)
    problems = page.split("id='problems-table'")[1].split("</table>")[0]
    flagged = {s for s, v in expected.items() if v in ("renamed", "broken", "missing")}
    assert set(re.findall(r"<tr><td>(s\d\d)</td>", problems)) == flagged
    assert "not valid notebook JSON" in problems and "renamed" in problems
    assert "id='diagnosed-mistakes'" in page
    assert "SECRET-HIDDEN-LINE" not in page


def test_correlation_edge_cases():
    assert correlation([1, 1, 1], [0, 1, 2]) is None  # a cell everyone passed says nothing
    assert correlation([0, 1], [0, 1]) == pytest.approx(1.0)
    assert correlation([1], [1]) is None


def test_report_before_grading_is_one_sentence(demo_course):
    proc = subprocess.run([sys.executable, "-m", "course", "report", DEMO, "--root", str(demo_course)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "run `course grade 00_demo` first" in proc.stderr
