"""`course report ASSIGNMENT`: what a class did on one assignment, for the instructor, after `course grade`.

Reads what `course grade` wrote (the grades CSV for the roster, statuses and flags; the resume state
``autograded/<student>/<assignment>/.grade.json`` for every test cell's points) and writes two files:

- an HTML page (self-contained: matplotlib figures embedded as base64 PNG) with, per test cell, the pass
  rate, mean points and item discrimination, a histogram of total scores, and the submissions that errored
  or were flagged;
- a CSV with one row per test cell.

Item statistics are computed over the submissions whose status is ``graded`` (they ran normally); the
others (errors, timeouts, crashes, flagged or missing notebooks) are listed on their own, since their
zeros say nothing about which tests are hard. Discrimination is the point-biserial correlation of a
cell's points with the rest of the autograded score (the total without that cell): near 0, the cell does
not separate strong from weak submissions; negative, it rewards the weak ones (a suspect test).
"""
from __future__ import annotations

import base64
import csv
import html
import io
import json
import math
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from ..notebooks import CourseError, grade_id, is_solution_cell, is_test_cell, is_written_cell, read_notebook
from ..notebooks import source_notebook
from .report import CellResult, Report, zero_cells

ITEM_COLUMNS = ["grade_id", "exercise", "max_points", "submissions", "passed", "pass_rate", "mean_points",
                "discrimination"]


@dataclass
class StudentResult:
    student: str
    status: str
    flags: str
    score: float  # as the grades CSV says (autograded points, plus any manual ones already recorded)
    max_score: float
    cells: dict[str, CellResult] = field(default_factory=dict)  # test cells only, by grade_id
    diagnoses: dict[str, str] = field(default_factory=dict)  # failing exercise -> likely mistake's id


@dataclass
class ItemStats:
    grade_id: str
    exercise: str
    max_points: float
    submissions: int
    passed: int
    mean_points: float | None
    discrimination: float | None  # None when either the cell or the rest of the score does not vary

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.submissions if self.submissions else None


@dataclass
class ClassReport:
    assignment: str
    students: list[StudentResult]
    items: list[ItemStats]
    auto_max: float

    @property
    def graded(self) -> list[StudentResult]:
        return [s for s in self.students if s.status == "graded"]

    @property
    def problems(self) -> list[StudentResult]:
        """The submissions that did not run normally, or that carry a flag."""
        return [s for s in self.students if s.status != "graded" or s.flags]

    def mistakes(self) -> list[tuple[str, str, int]]:
        """(exercise, diagnosis id, students), by exercise in notebook order of first sight, commonest first."""
        counts: dict = {}
        for s in self.students:
            for exercise, diagnosis in s.diagnoses.items():
                counts.setdefault(exercise, {}).setdefault(diagnosis, 0)
                counts[exercise][diagnosis] += 1
        return [(ex, d, n) for ex, per in counts.items()
                for d, n in sorted(per.items(), key=lambda kv: (-kv[1], kv[0]))]

    def auto_score(self, s: StudentResult) -> float:
        return sum(c.points or 0.0 for c in s.cells.values())


# reading what `course grade` wrote ----------------------------------------------------------------------
def exercises_of_tests(source) -> dict[str, str]:
    """Each test cell's exercise: the solution cell (a function or class, not a written answer) before it."""
    out, current = {}, ""
    for cell in source.cells:
        if is_solution_cell(cell) and not is_written_cell(cell):
            current = grade_id(cell) or current
        elif is_test_cell(cell):
            out[grade_id(cell)] = current
    return out


def _read_state(path: Path) -> Report | None:
    try:
        return Report.from_dict(json.loads(path.read_text())["report"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def load_class(assignment: str, root: Path, grades_csv: Path | None = None) -> tuple[list[StudentResult], object]:
    """Every student `course grade` gave a row, with the points of each test cell."""
    source = read_notebook(source_notebook(assignment, root))
    tests = [c for c in zero_cells(source) if c.kind == "test"]
    grades_csv = grades_csv or root / "grades" / f"{assignment}.csv"
    autograded = root / "autograded"
    rows: list[dict] = []
    if grades_csv.is_file():
        with open(grades_csv, newline="", encoding="utf-8") as fh:
            rows = [r for r in csv.DictReader(fh) if r.get("assignment", assignment) == assignment]
    else:  # no CSV (written elsewhere with --csv, or removed): the resume states alone
        for state in sorted(autograded.glob(f"*/{assignment}/.grade.json")):
            report = _read_state(state)
            if report is not None:
                rows.append({"student_id": state.parent.parent.name, "score": report.score,
                             "max_score": report.max_score, "status": report.status, "flags": "; ".join(report.flags)})
    if not rows:
        raise CourseError(f"no grades for {assignment} under {root}: run `course grade {assignment}` first "
                          f"(or give the grades CSV with --csv).")
    students = []
    for row in rows:
        student = row["student_id"]
        report = _read_state(autograded / student / assignment / ".grade.json")
        by_id = {c.grade_id: c for c in report.cells} if report is not None else {}
        # a missing notebook has no state: every test scored 0 and did not run
        cells = {t.grade_id: by_id.get(t.grade_id, t) for t in tests}
        from .classroom import parse_diagnoses

        found = dict(report.diagnoses) if report is not None and report.diagnoses else \
            parse_diagnoses(row.get("diagnoses") or "")
        students.append(StudentResult(student, row.get("status") or (report.status if report else "missing"),
                                      row.get("flags") or "", float(row.get("score") or 0),
                                      float(row.get("max_score") or 0), cells, found))
    return students, source


# statistics ------------------------------------------------------------------------------------------
def correlation(xs: list[float], ys: list[float]) -> float | None:
    """Pearson's r (the point-biserial correlation when xs is pass/fail); None when either does not vary."""
    n = len(xs)
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / math.sqrt(sxx * syy)


def item_stats(students: list[StudentResult], source) -> list[ItemStats]:
    exercise = exercises_of_tests(source)
    tests = [c for c in zero_cells(source) if c.kind == "test"]
    graded = [s for s in students if s.status == "graded"]
    totals = [sum(c.points or 0.0 for c in s.cells.values()) for s in graded]
    items = []
    for t in tests:
        points = [s.cells[t.grade_id].points or 0.0 for s in graded]
        passed = sum(s.cells[t.grade_id].status == "passed" for s in graded)
        rest = [total - p for total, p in zip(totals, points)]
        items.append(ItemStats(t.grade_id, exercise.get(t.grade_id, ""), t.max_points, len(graded), passed,
                               sum(points) / len(points) if points else None, correlation(points, rest)))
    return items


def build_report(assignment: str, root: Path, grades_csv: Path | None = None) -> ClassReport:
    students, source = load_class(assignment, root, grades_csv)
    tests = [c for c in zero_cells(source) if c.kind == "test"]
    return ClassReport(assignment, students, item_stats(students, source), sum(t.max_points for t in tests))


# output ----------------------------------------------------------------------------------------------
def _fmt(value: float | None, digits: int = 2) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def write_items_csv(report: ClassReport, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(ITEM_COLUMNS)
        for it in report.items:
            writer.writerow([it.grade_id, it.exercise, f"{it.max_points:g}", it.submissions, it.passed,
                             _fmt(it.pass_rate, 4), _fmt(it.mean_points, 4), _fmt(it.discrimination, 4)])


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=96, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def score_counts(report: ClassReport) -> list[tuple[str, int]]:
    """The histogram as numbers: (score range, students), one whole point per bin up to 40 points, else 20 bins."""
    scores = [report.auto_score(s) for s in report.students]
    top = max(report.auto_max, 1.0)
    if top <= 40:
        return [(f"{k}", sum(k - 0.5 <= x < k + 0.5 for x in scores)) for k in range(int(math.ceil(top)) + 1)]
    width = top / 20
    return [(f"{i * width:g}-{(i + 1) * width:g}",
             sum(i * width <= x < (i + 1) * width or (i == 19 and x == top) for x in scores)) for i in range(20)]


def figures(report: ClassReport) -> dict[str, str]:
    """Base64 PNGs: the histogram of total autograded scores, and the pass rate of every test cell."""
    from matplotlib.figure import Figure  # no pyplot: no global state, safe in any thread
    from matplotlib.ticker import MaxNLocator

    out = {}
    fig = Figure(figsize=(6.4, 3.2))
    ax = fig.add_subplot()
    scores = [report.auto_score(s) for s in report.students]
    top = max(report.auto_max, 1.0)
    if top <= 40:  # one bar per whole point, centred on it
        ax.hist(scores, bins=[k - 0.5 for k in range(int(math.ceil(top)) + 2)], color="#4c72b0", edgecolor="white")
    else:
        ax.hist(scores, bins=20, range=(0, top), color="#4c72b0", edgecolor="white")
    ax.set_xlabel(f"autograded score (of {report.auto_max:g})")
    ax.set_ylabel("submissions")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(f"{report.assignment}: total scores ({len(scores)} students)")
    out["histogram"] = _png(fig)

    fig = Figure(figsize=(6.4, max(2.0, 0.28 * len(report.items) + 0.8)))
    ax = fig.add_subplot()
    names = [it.grade_id for it in report.items][::-1]
    rates = [(it.pass_rate or 0.0) * 100 for it in report.items][::-1]
    ax.barh(names, rates, color="#55a868")
    ax.set_xlim(0, 100)
    ax.set_xlabel("pass rate (%) of graded submissions")
    ax.tick_params(axis="y", labelsize=7)
    out["pass_rates"] = _png(fig)
    return out


STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 70em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.low td { background: #fff3f3; }
img { max-width: 100%; }
.note { color: #555; font-size: 0.9em; }
"""


def render_html(report: ClassReport) -> str:
    e = html.escape
    figs = figures(report)
    graded = report.graded
    autos = [report.auto_score(s) for s in graded]
    counts: dict[str, int] = {}
    for s in report.students:
        counts[s.status] = counts.get(s.status, 0) + 1
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
             f"<title>{e(report.assignment)}: class report</title><style>{STYLE}</style></head><body>",
             f"<h1>{e(report.assignment)}: class report</h1>",
             f"<p>{len(report.students)} students: "
             + ", ".join(f"{n} {e(k)}" for k, n in sorted(counts.items())) + ". "]
    if autos:
        mean = sum(autos) / len(autos)
        median = statistics.median(autos)
        parts.append(f"Graded submissions: mean autograded score {mean:.2f}, median {median:g} "
                     f"of {report.auto_max:g}.")
    parts.append("</p>")
    parts.append("<h2 id='scores'>Total scores</h2>")
    parts.append(f"<img id='histogram' alt='histogram of total scores' src='data:image/png;base64,"
                 f"{figs['histogram']}'>")
    parts.append("<p class='note'>Autograded points of every student (errored and missing submissions count "
                 "as 0); written answers graded by a person are not included.</p>")
    counts = score_counts(report)
    parts.append("<table id='score-counts'><thead><tr><th>score</th>"
                 + "".join(f"<th>{e(label)}</th>" for label, _ in counts) + "</tr></thead><tbody><tr><td>students</td>"
                 + "".join(f"<td class=num>{n}</td>" for _, n in counts) + "</tr></tbody></table>")

    parts.append("<h2 id='items'>Test cells</h2>")
    parts.append(f"<p class='note'>Over the {len(graded)} submissions graded normally. Discrimination: the "
                 "point-biserial correlation of the cell's points with the rest of the autograded score; blank "
                 "where the cell or the rest does not vary. Rows with discrimination below 0.2 are shaded: the "
                 "test hardly separates strong from weak submissions (or is passed or failed by all).</p>")
    parts.append("<table id='items-table'><thead><tr><th>test cell</th><th>exercise</th><th>points</th>"
                 "<th>passed</th><th>pass rate</th><th>mean points</th><th>discrimination</th></tr></thead><tbody>")
    for it in report.items:
        low = it.discrimination is None or it.discrimination < 0.2
        rate = "" if it.pass_rate is None else f"{100 * it.pass_rate:.0f}%"
        parts.append(f"<tr{' class=low' if low else ''}><td>{e(it.grade_id)}</td><td>{e(it.exercise)}</td>"
                     f"<td class=num>{it.max_points:g}</td><td class=num>{it.passed}/{it.submissions}</td>"
                     f"<td class=num>{rate}</td><td class=num>{_fmt(it.mean_points)}</td>"
                     f"<td class=num>{_fmt(it.discrimination)}</td></tr>")
    parts.append("</tbody></table>")
    parts.append(f"<img id='pass-rates' alt='pass rate per test cell' src='data:image/png;base64,"
                 f"{figs['pass_rates']}'>")

    parts.append("<h2 id='problems'>Submissions that errored or were flagged</h2>")
    if report.problems:
        parts.append("<table id='problems-table'><thead><tr><th>student</th><th>status</th><th>score</th>"
                     "<th>flags</th></tr></thead><tbody>")
        for s in report.problems:
            parts.append(f"<tr><td>{e(s.student)}</td><td>{e(s.status)}</td>"
                         f"<td class=num>{s.score:g}/{s.max_score:g}</td><td>{e(s.flags)}</td></tr>")
        parts.append("</tbody></table>")
    else:
        parts.append("<p>None: every submission ran normally, without flags.</p>")

    parts.append("<h2 id='diagnosed-mistakes'>Diagnosed mistakes</h2>")
    mistakes = report.mistakes()
    if mistakes:
        from .report import diagnosis_text

        parts.append("<p class='note'>For each failing exercise the grader names the likely mistake when the "
                     "submission's outputs on the tests' own calls match the known wrong implementations of one "
                     "mistake only (docs/grading.md). Undiagnosed failures are not counted here.</p>")
        parts.append("<table id='mistakes-table'><thead><tr><th>exercise</th><th>likely mistake</th>"
                     "<th>diagnosis</th><th>students</th></tr></thead><tbody>")
        for exercise, diagnosis, n in mistakes:
            parts.append(f"<tr><td>{e(exercise)}</td><td>{e(diagnosis_text(report.assignment, diagnosis))}</td>"
                         f"<td><code>{e(diagnosis)}</code></td><td class=num>{n}</td></tr>")
        parts.append("</tbody></table>")
    else:
        parts.append("<p>None: no failing exercise of this class matched a known mistake.</p>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_class_report(assignment: str, root: Path, out_dir: Path | None = None,
                       grades_csv: Path | None = None) -> tuple[Path, Path, ClassReport]:
    """Write ``<out_dir>/<assignment>_report.html`` and ``<assignment>_items.csv`` (default out_dir: grades/)."""
    report = build_report(assignment, root, grades_csv)
    out_dir = out_dir or root / "grades"
    out_dir.mkdir(parents=True, exist_ok=True)
    page = out_dir / f"{assignment}_report.html"
    items = out_dir / f"{assignment}_items.csv"
    page.write_text(render_html(report), encoding="utf-8")
    write_items_csv(report, items)
    return page, items, report
