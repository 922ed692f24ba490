"""Grade one notebook: restore the read-only cells, run it, score it, write feedback.

This is nbgrader's autograde pipeline (overwrite locked cells from source,
execute, score each grade cell) for one notebook anywhere on disk, with these
deliberate differences:
- the notebook runs in course.executor, a separate process (inside the
  bubblewrap sandbox of course.sandbox when the grader asks for it), under a
  per-cell and a per-notebook time limit and a memory limit; the cells reach it
  on a pipe, never as a file;
- guard cells and checks (course.guard) catch tampering with the test machinery
  and attempts to reach the course's private files: status "flagged", 0 points;
- a test cell that never ran (the kernel died, the cell was deleted) scores 0,
  never full marks;
- a test cell that writes warnings to stderr keeps its points (nbgrader 0.9
  scores it 0);
- feedback never shows hidden tests, their tracebacks, or outputs quoting them.
"""
from __future__ import annotations

import copy
import html
import re
import shutil
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import _fastimport  # noqa: F401  (before nbformat)

import nbformat  # noqa: E402

from .guard import Guard, Verdict, locked_imports, modules_used, strip_guard_outputs
from .notebooks import (HIDDEN_BLOCK, ROOT, CourseError, assignments, grade_cells, grade_id, is_locked_cell,
                        is_solution_cell, is_test_cell, is_written_cell, read_notebook, source_notebook,
                        strip_hidden_tests)
from .sandbox import DEFAULT_MEMORY, NO_SANDBOX_FLAG, Runner, Setup, prestart, runner_for

DEFAULT_CELL_TIMEOUT = 60
MAX_OUTPUT_CHARS = 20_000
MAX_NOTEBOOK_BYTES = 100 * 2**20
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@dataclass
class CellResult:
    grade_id: str
    kind: str  # "test" | "written"
    points: float | None
    max_points: float
    status: str  # "passed" | "failed" | "not run" | "not verified" | "flagged" | "needs grading" | "unanswered"
    message: str = ""


@dataclass
class Report:
    assignment: str
    notebook: str
    cells: list[CellResult] = field(default_factory=list)
    status: str = "graded"  # "graded" | "flagged" | "error" | "timeout" | "crashed" | "missing"
    flags: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def score(self) -> float:
        return sum(c.points or 0.0 for c in self.cells)

    @property
    def max_score(self) -> float:
        return sum(c.max_points for c in self.cells)

    @property
    def auto_max_score(self) -> float:
        return sum(c.max_points for c in self.cells if c.kind == "test")

    def to_dict(self) -> dict:
        out = asdict(self)
        out.update(score=self.score, max_score=self.max_score)
        return out

    @classmethod
    def from_dict(cls, data: dict) -> "Report":
        data = {k: v for k, v in data.items() if k not in ("score", "max_score")}
        data["cells"] = [CellResult(**c) for c in data.get("cells", [])]
        return cls(**data)


def assignment_of(path: Path) -> str:
    """Guess the assignment from a notebook's file name (``01_attention.ipynb`` or a copy of it)."""
    stem = path.stem
    known = assignments()
    for name in known:
        if stem == name or stem.startswith(name):
            return name
    for name in known:  # e.g. "01_attention-Copy1"
        if name in stem:
            return name
    raise CourseError(f"{path.name} does not look like a course notebook; name it after its assignment "
                      f"({', '.join(known) or 'none'}) or pass --assignment.")


# ---------------------------------------------------------------- restore
def restore_cells(submission, source) -> tuple:
    """The submission with every read-only cell put back as it is in source.

    Learner cells (answers, extra cells) stay; locked cells (setup, questions,
    tests with their hidden tests) are replaced by the source version; locked
    cells the learner deleted are re-inserted after the cell that precedes them
    in source. Returns (notebook, flags).
    """
    nb = copy.deepcopy(submission)
    flags: list[str] = []
    locked = {grade_id(c): c for c in source.cells if is_locked_cell(c) and grade_id(c)}
    answers = {grade_id(c): c for c in source.cells if (is_solution_cell(c) or is_written_cell(c)) and grade_id(c)}
    seen: set[str] = set()
    cells = []
    edited = []
    for cell in nb.cells:
        gid = grade_id(cell)
        if gid in seen:  # a copied cell: keep the code, drop the grading identity
            cell.metadata.pop("nbgrader", None)
        elif gid in locked:
            seen.add(gid)
            original = locked[gid]
            if _normalised(cell.get("source", "")) not in (_normalised(original.source),
                                                            _normalised(strip_hidden_tests(original.source))):
                edited.append(gid)
            cell = copy.deepcopy(original)
            if cell.cell_type == "code":
                cell["outputs"], cell["execution_count"] = [], None
        elif gid in answers:
            seen.add(gid)
            cell.metadata["nbgrader"] = copy.deepcopy(answers[gid].metadata["nbgrader"])
        elif gid:  # an nbgrader identity the source does not know: not graded
            cell.metadata.pop("nbgrader", None)
        cells.append(cell)
    if edited:
        flags.append(f"edited read-only cells restored: {', '.join(edited)}")
    missing = [gid for gid in list(locked) + list(answers) if gid not in seen]
    if missing:
        cells = _reinsert(cells, source, missing)
        deleted = [g for g in missing if g in locked]
        if deleted:
            flags.append(f"deleted read-only cells restored: {', '.join(deleted)}")
    nb.cells = cells
    nb.metadata["kernelspec"] = copy.deepcopy(source.metadata.get("kernelspec", {}))
    return nb, flags


def _normalised(source: str) -> str:
    return "\n".join(line.rstrip() for line in source.strip().splitlines())


def _reinsert(cells: list, source, missing: list[str]) -> list:
    order = [grade_id(c) for c in source.cells]
    for gid in missing:
        original = copy.deepcopy(next(c for c in source.cells if grade_id(c) == gid))
        if is_solution_cell(original) or is_written_cell(original):
            original.source = "raise NotImplementedError('this answer cell was deleted')" \
                if original.cell_type == "code" else ""
        if original.cell_type == "code":
            original["outputs"] = []
            original["execution_count"] = None
        position = 0
        for earlier in reversed(order[:order.index(gid)]):
            hits = [i for i, c in enumerate(cells) if earlier and grade_id(c) == earlier]
            if hits:
                position = hits[0] + 1
                break
        cells.insert(position, original)
    return cells


# ---------------------------------------------------------------- execute
def clear_outputs(nb) -> None:
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None


def _label(cell, index: int) -> str:
    return f"`{grade_id(cell)}`" if grade_id(cell) else f"cell {index + 1}"


def _how_it_died(code) -> str:
    if code is None:
        return "it stopped answering"
    if code < 0:
        name = {11: "a segmentation fault", 9: "it was killed, most likely for running out of memory",
                6: "an abort", 7: "a bus error", 8: "a floating-point exception"}.get(-code)
        return name or f"signal {-code}"
    return f"it exited with code {code}: os._exit or sys.exit in the kernel's own process"


def execute(nb, runner: Runner, *, guard: Guard | None = None, cell_timeout: int = DEFAULT_CELL_TIMEOUT,
            timeout: float | None = None) -> tuple[list[str], Verdict | None, str, set]:
    """Run every code cell of nb in the runner's kernel (sandboxed when possible), in place.

    Returns (flags, guard verdict, status, unverified) with status "ok", "timeout" or "crashed", and
    unverified the grade ids of test cells that passed but that no clean guard check followed
    (the kernel died first): their points cannot be trusted.
    """
    clear_outputs(nb)
    code = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    jobs, plan = [], []  # plan[j]: ("start" | "cell" | "check", index of the code cell or None, nonce or None)
    if guard:  # it imports the notebook's modules (torch: seconds on a busy machine), so it gets its own limit
        jobs.append({"source": guard.start_source(), "store_history": False, "timeout": max(cell_timeout, 300)})
        plan.append(("start", None, None))
    for k, (_, cell) in enumerate(code):
        test = is_test_cell(cell)
        if test and guard:
            source, nonce = guard.test_source(cell.source)
        else:
            source, nonce = cell.source, None
        jobs.append({"source": source, "store_history": not test})
        plan.append(("cell", k, nonce))
        next_is_test = k + 1 < len(code) and is_test_cell(code[k + 1][1])
        if guard and test and not next_is_test:  # after each group of test cells
            source, nonce = guard.check_source()
            jobs.append({"source": source, "store_history": False, "timeout": max(cell_timeout, 60)})
            plan.append(("check", None, nonce))
    if guard:
        source, nonce = guard.check_source()
        jobs.append({"source": source, "store_history": False, "timeout": max(cell_timeout, 60)})
        plan.append(("check", None, nonce))
    run = runner.run(jobs, cell_timeout, timeout)
    sandbox, memory_limit = runner.setup.sandbox, runner.setup.memory_limit
    if run.status == "timeout":
        return [f"grading stopped after the {run.message} limit for one submission (an endless loop?)"], None, \
            "timeout", set()
    if run.status != "ok":
        return [f"the grader's executor failed on this submission ({run.message})"], None, "crashed", set()
    result = run.result
    ran = result["cells"] + [{"ran": False, "outputs": []}] * (len(jobs) - len(result["cells"]))
    flags: list[str] = []
    if not run.sandboxed and sandbox is not False:
        flags.append(NO_SANDBOX_FLAG)
    if result.get("start_error"):
        flags.append(f"the notebook could not be run ({result['start_error']})")
    count = 0
    for j, (kind, k, _) in enumerate(plan):
        if kind != "cell":
            continue
        index, cell = code[k]
        got = ran[j]
        cell.outputs = [nbformat.from_dict(o) for o in strip_guard_outputs(got.get("outputs", []))]
        if got.get("ran"):
            count += 1
            cell.execution_count = count
            for out in cell.outputs:
                if out.get("output_type") == "execute_result":
                    out["execution_count"] = count
        if got.get("timed_out"):
            flags.append(f"{_label(cell, index)} ran past the {cell_timeout}s time limit and was interrupted")
        flags += _error_flags(cell, index, memory_limit)

    def where(j: int) -> str:
        before = [k for kind, k, _ in plan[:j + 1] if kind == "cell"]
        if plan[j][0] == "cell":
            index, cell = code[plan[j][1]]
            return _label(cell, index)
        if plan[j][0] == "start":
            return "the grader's first cell"
        index, cell = code[before[-1]] if before else code[0]
        return f"the grader's check after {_label(cell, index)}"

    died, stuck = result.get("kernel_died"), result.get("stuck")
    if died:
        flags.append(f"the kernel died in {where(min(died['cell'], len(plan) - 1))} "
                     f"({_how_it_died(died.get('returncode'))}); the cells after it did not run")
    if stuck is not None:
        flags.append(f"{where(min(stuck, len(plan) - 1))} ran past the {cell_timeout}s time limit and could not "
                     f"be interrupted; the cells after it did not run")
    leftover = [c for c in result.get("leftover", []) if not _harmless_helper(c)]
    if leftover:
        shown = ", ".join(sorted(set(leftover))[:3])
        flags.append(f"the submission left {len(leftover)} process{'es' if len(leftover) > 1 else ''} running "
                     f"({shown}); grading stopped {'them' if len(leftover) > 1 else 'it'}")
    if result.get("truncated"):
        flags.append(f"some outputs were too large and were cut (at most {MAX_OUTPUT_CHARS} characters of "
                     f"printed text per cell are kept)")
    if not guard:
        return _dedupe(flags), None, "ok", set()
    all_outputs = [o for r in ran for o in r.get("outputs", [])]
    checks = [(nonce, bool(ran[j].get("ran")), ran[j].get("outputs", [])) for j, (kind, _, nonce) in enumerate(plan)
              if nonce]
    verdict = guard.verdict(ran[0].get("outputs", []), checks, all_outputs)
    unverified = set()
    for j, (kind, k, _) in enumerate(plan):
        if kind == "cell" and is_test_cell(code[k][1]) and ran[j].get("ran"):
            later = {nonce for _, _, nonce in plan[j + 1:] if nonce}
            if not later & verdict.clean:
                unverified.add(grade_id(code[k][1]))
    return _dedupe(flags), verdict, "ok", unverified


def _harmless_helper(cmdline: str) -> bool:
    """Helpers Python itself leaves running until the kernel exits (multiprocessing's trackers)."""
    return "multiprocessing.resource_tracker" in cmdline or "multiprocessing.forkserver" in cmdline


def _dedupe(items: list[str]) -> list[str]:
    out = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


def _error_flags(cell, index: int, memory_limit: int) -> list[str]:
    flags = []
    for out in cell.get("outputs", []):
        if out.get("output_type") != "error":
            continue
        name, value = out.get("ename", ""), _first_line(out.get("evalue", ""))
        if name in ("SyntaxError", "IndentationError", "TabError"):
            flags.append(f"{_label(cell, index)} has a syntax error ({value})")
        elif name == "StdinNotImplementedError":
            flags.append(f"{_label(cell, index)} waits for input(), which nobody can type during grading")
        elif name == "MemoryError":
            flags.append(f"{_label(cell, index)} ran out of memory (the limit is {memory_limit / 2**30:g} GiB)")
    return flags


# ---------------------------------------------------------------- score
def _first_line(text: str) -> str:
    text = ANSI.sub("", text or "").strip()
    return text.splitlines()[0] if text else ""


def error_summary(cell) -> str | None:
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            name = out.get("ename", "Error")
            value = _first_line(out.get("evalue", ""))
            if name in ("CellTimeoutError", "KeyboardInterrupt"):
                return "the cell ran past the time limit and was interrupted"
            return f"{name}: {value}" if value else name
    return None


def score(nb, source, notes: dict[str, str] | None = None) -> list[CellResult]:
    """One result per grade cell of source, in source order."""
    by_id = {}
    for cell in nb.cells:
        gid = grade_id(cell)
        if gid and gid not in by_id:
            by_id[gid] = cell
    results = []
    for spec in grade_cells(source):
        cell = by_id.get(spec.grade_id)
        if spec.kind == "written":
            text = (cell.source if cell is not None else "").strip()
            answered = bool(text) and text != "YOUR ANSWER HERE"
            results.append(CellResult(spec.grade_id, "written", None, spec.points,
                                      "needs grading" if answered else "unanswered"))
            continue
        if cell is None or cell.get("execution_count") is None:
            results.append(CellResult(spec.grade_id, "test", 0.0, spec.points, "not run",
                                      "this test did not run (an earlier cell stopped the kernel)"))
            continue
        problem = error_summary(cell)
        if problem:
            results.append(CellResult(spec.grade_id, "test", 0.0, spec.points, "failed", problem))
        else:
            results.append(CellResult(spec.grade_id, "test", spec.points, spec.points, "passed"))
    return results


# ---------------------------------------------------------------- feedback
def hidden_lines(nb) -> list[str]:
    """The lines of every hidden test block in nb, as a submission could quote them in its outputs."""
    lines = []
    for cell in nb.cells:
        if is_test_cell(cell):
            for block in HIDDEN_BLOCK.findall(cell.source):
                for line in block.splitlines():
                    line = line.strip()
                    if len(line) >= 8 and not line.startswith("###") and line not in lines:
                        lines.append(line)
    return sorted(lines, key=len, reverse=True)


def _scrub(text, secrets_: list[str]):
    if not isinstance(text, str) or not secrets_:
        return text
    for line in secrets_:
        if line in text:
            text = text.replace(line, "[hidden test]")
    return text


SCRIPTABLE = {"text/html", "image/svg+xml", "application/javascript", "text/javascript"}


def feedback_notebook(nb, report: Report):
    """A copy fit to show the learner: hidden tests, test tracebacks and outputs quoting them removed."""
    fb = copy.deepcopy(nb)
    secret = hidden_lines(nb)
    for cell in fb.cells:
        if is_test_cell(cell):
            cell.source = strip_hidden_tests(cell.source)
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":
                    out["traceback"] = [f"{out.get('ename', 'Error')}: {_first_line(out.get('evalue', ''))}"]
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if "text" in out:
                out["text"] = _scrub(out["text"], secret)
            if out.get("output_type") == "error":
                out["evalue"] = _scrub(out.get("evalue", ""), secret)
                out["traceback"] = [_scrub(line, secret) for line in out.get("traceback", [])]
            data = out.get("data", {})
            for mime in [m for m in data if m in SCRIPTABLE]:
                if mime in ("application/javascript", "text/javascript") or set(data) - SCRIPTABLE:
                    del data[mime]  # keep the plain text or the image, never a submission's scripts
            for mime, value in list(data.items()):
                data[mime] = _scrub(value, secret)
        if cell.cell_type == "markdown" and not is_locked_cell(cell):
            cell.source = re.sub(r"<(/?)(script|iframe|object|embed)", r"&lt;\1\2", cell.source, flags=re.I)
    fb.cells.insert(0, nbformat.v4.new_markdown_cell(summary_markdown(report)))
    return fb


def summary_markdown(report: Report) -> str:
    lines = [f"## Feedback: {report.notebook}", "",
             f"**Score: {report.score:g} / {report.max_score:g}**" +
             (" (written answers are graded by a person)" if any(c.kind == "written" for c in report.cells) else ""),
             ""]
    if report.flags:
        lines += [f"- Note: {html.escape(flag)}" for flag in report.flags] + [""]
    lines += ["| cell | points | result |", "|---|---|---|"]
    for c in report.cells:
        points = "–" if c.points is None else f"{c.points:g}"
        result = c.status + (f": {html.escape(c.message)}" if c.message else "")
        lines.append(f"| `{c.grade_id}` | {points} / {c.max_points:g} | {result.replace('|', '/')} |")
    return "\n".join(lines)


_EXPORTERS = threading.local()
_IMG_WITHOUT_ALT = re.compile(r"<img(?![^>]*\balt=)")


def _memo(fn, key=lambda *a, **k: a, size: int = 8192):
    """fn with a bounded cache: most cells (questions, setup, tests) are the same in every submission."""
    cache: dict = {}
    lock = threading.Lock()

    def wrapper(*args, **kwargs):
        k = key(*args, **kwargs)
        with lock:
            if k in cache:
                return cache[k]
        value = fn(*args, **kwargs)
        with lock:
            if len(cache) >= size:
                cache.clear()
            cache[k] = value
        return value

    return wrapper


def feedback_exporter():
    """nbconvert's HTML exporter for feedback, made cheap to run once per submission.

    The same markdown, code highlighting and HTML cleaning come back in every
    submission of an assignment, so those filters are memoized; and the page
    skips HTMLExporter's BeautifulSoup pass over the whole document (it only adds
    alt text to images, done here with a regex, and tab stops). One per thread.
    """
    exporter = getattr(_EXPORTERS, "html", None)
    if exporter is not None:
        return exporter
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters import clean_html
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class FeedbackExporter(HTMLExporter):
        def __init__(self, **kw):
            super().__init__(**kw)
            self._markdown = _memo(lambda source: HTMLExporter.markdown2html(self, {}, source))
            self._highlighters: dict = {}

        def markdown2html(self, context, source):
            cell = context.get("cell", {}) if hasattr(context, "get") else {}
            if cell.get("attachments"):
                return HTMLExporter.markdown2html(self, context, source)
            return self._markdown(source)

        def default_filters(self):
            for name, fn in super().default_filters():
                if name == "clean_html":
                    fn = _memo(clean_html)
                elif name == "markdown2html":
                    fn = self._markdown_filter
                yield name, fn

        def _markdown_filter(self, *args):
            return self.markdown2html(*args)

        def from_notebook_node(self, nb, resources=None, **kw):
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            if lexer not in self._highlighters:
                self._highlighters[lexer] = _memo(
                    Highlight2HTML(pygments_lexer=lexer, parent=self),
                    key=lambda source, language=None, metadata=None: (
                        source, language, (metadata or {}).get("magics_language")))
            resources = self._init_resources(resources)
            self.register_filter("highlight_code", self._highlighters[lexer])
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            return _IMG_WITHOUT_ALT.sub('<img alt="an output of the notebook"', html), resources

    # contextfilter: jinja passes the template context to markdown2html, as nbconvert's own does
    from nbconvert.exporters.html import contextfilter

    FeedbackExporter._markdown_filter = contextfilter(FeedbackExporter._markdown_filter)
    exporter = _EXPORTERS.html = FeedbackExporter()
    return exporter


def write_feedback_html(nb, report: Report, path: Path) -> Path:
    """Feedback as one HTML page (plots embedded)."""
    body, _ = feedback_exporter().from_notebook_node(feedback_notebook(nb, report))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")
    return path


# ---------------------------------------------------------------- one notebook
def zero_cells(source, message: str = "") -> list[CellResult]:
    return [CellResult(g.grade_id, g.kind, 0.0 if g.kind == "test" else None, g.points, "not run", message)
            for g in grade_cells(source)]


def private_paths(root: Path) -> list[Path]:
    """What a submission must never reach in a course root: solutions, hidden tests, grades, other students."""
    return [root / name for name in ("source", "submitted", "autograded", "feedback", "grades", "exchange",
                                     "gradebook.db", ".git", "nbgrader_config.py")]


def _mentions(nb, paths: list[Path]) -> list[str]:
    """Private paths quoted in outputs: what an attempt outside Python (ctypes, a shell) leaves behind."""
    found = []
    needles = [str(p) for p in paths]
    for cell in nb.cells:
        if cell.cell_type != "code" or is_test_cell(cell):
            continue
        for out in cell.get("outputs", []):
            text = " ".join([str(out.get("text", "")), str(out.get("evalue", "")),
                             str(out.get("data", {}).get("text/plain", ""))])
            for needle in needles:
                if needle in text and needle not in found:
                    found.append(needle)
    return found


def grade_notebook(path: str | Path, assignment: str | None = None, *, workdir: Path | None = None,
                   cell_timeout: int = DEFAULT_CELL_TIMEOUT, source_root: Path | None = None,
                   timeout: float | None = None, sandbox: bool | None = False, memory_limit: int = DEFAULT_MEMORY,
                   scratch_parent: Path | None = None, protect: list[Path] = (), guard: bool = True,
                   threads: int | None = None, start_next: bool = False):
    """Grade one notebook file. Returns (report, executed notebook or None).

    ``sandbox``: True or None (the class grader) runs the code in the bubblewrap
    sandbox, None adding a flag when there is none; False (``course check``, the
    learner's own notebook) runs it as a plain child process. ``workdir`` is the
    kernel's working directory (default: a scratch folder, made under
    ``scratch_parent``); ``timeout`` the wall-clock limit for the whole notebook;
    ``protect`` extra private paths (other submissions' scratch folders);
    ``threads`` the BLAS threads of the kernel (1 when several notebooks are
    graded at once); ``start_next`` starts this thread's kernel for the next
    submission right away, so that its start-up overlaps this one. A notebook
    that cannot be read, or that outlives its limit, still gets a report with 0
    points.
    """
    path = Path(path)
    start = time.monotonic()
    assignment = assignment or assignment_of(path)
    root = Path(source_root) if source_root else ROOT
    source = read_notebook(source_notebook(assignment, root))
    report = Report(assignment=assignment, notebook=path.name)
    try:
        if path.is_file() and path.stat().st_size > MAX_NOTEBOOK_BYTES:
            raise CourseError(f"{path.name} is {path.stat().st_size / 2**20:.0f} MiB: too large to be a notebook "
                              f"(the limit is {MAX_NOTEBOOK_BYTES // 2**20} MiB).")
        submission = read_notebook(path)
    except CourseError as err:
        report.status = "error"
        report.flags.append(str(err))
        report.cells = zero_cells(source, "the notebook could not be read")
        return report, None
    nb, flags = restore_cells(submission, source)
    report.flags += flags
    hide = [root.resolve(), ROOT] + [Path(p) for p in protect]
    setup = Setup(tuple(str(h) for h in hide), memory_limit, threads, sandbox,
                  str(scratch_parent) if scratch_parent else None)
    runner = runner_for(setup, workdir)  # started now, or ahead of this submission
    if start_next and workdir is None:
        prestart(setup)
    try:
        work = runner.work
        if not workdir:
            _copy_assignment_files(root, assignment, work)
        private = private_paths(root.resolve()) + (private_paths(ROOT) if root.resolve() != ROOT else [])
        private += [Path(p) for p in protect]
        checker = None
        if guard:
            locked = [c.source for c in source.cells if c.cell_type == "code" and is_locked_cell(c)
                      and not is_test_cell(c)]
            checker = Guard(modules=modules_used([c.source for c in nb.cells if c.cell_type == "code"]),
                            protected=[str(p) for p in private],
                            allowed=[str(runner.scratch.resolve()), str(work.resolve())],
                            imports=locked_imports(locked))
        run_flags, verdict, status, unverified = execute(nb, runner, guard=checker, cell_timeout=cell_timeout,
                                                         timeout=timeout)
    finally:
        runner.close()
    report.flags += run_flags
    report.seconds = round(time.monotonic() - start, 2)
    if status != "ok":
        report.status = status
        report.cells = zero_cells(source, "grading of this notebook was stopped")
        return report, None
    report.cells = score(nb, source)
    for cell in report.cells:
        if cell.grade_id in unverified and cell.status == "passed":
            cell.points, cell.status = 0.0, "not verified"
            cell.message = "the kernel died before the grader could check that the tests were not tampered with"
    if verdict is not None:
        verdict.access += [f"outputs quoting {p}" for p in _mentions(nb, private)
                           if not any(str(p) in a for a in verdict.access)]
        if verdict.flagged:
            report.status = "flagged"
            report.flags += verdict.flags()
            for cell in report.cells:
                if cell.kind == "test":
                    cell.points, cell.status = 0.0, "flagged"
                    cell.message = "points withheld: see the flags"
        report.flags += verdict.problems
    return report, nb


def _copy_assignment_files(root: Path, assignment: str, work: Path) -> None:
    """Data files the learner was given (release/<assignment>/ minus notebooks) beside the running notebook."""
    folder = root / "release" / assignment
    if not folder.is_dir():
        return
    for item in folder.rglob("*"):
        rel = item.relative_to(folder)
        if item.is_file() and item.suffix != ".ipynb" and not any(p.startswith(".") for p in rel.parts):
            target = work / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(item, target)


def format_report(report: Report) -> str:
    """The table `course check` prints."""
    width = max([len(c.grade_id) for c in report.cells] + [10])
    lines = [f"{report.notebook} ({report.assignment}): {report.score:g} / {report.auto_max_score:g} "
             f"autograded points"]
    written = [c for c in report.cells if c.kind == "written"]
    if written:
        lines[0] += f", plus {sum(c.max_points for c in written):g} points of written answers graded by a person"
    for flag in report.flags:
        lines.append(f"  note: {flag}")
    if report.status == "error":
        return "\n".join(lines)
    lines.append("")
    lines.append(f"  {'cell'.ljust(width)}  points  result")
    for c in report.cells:
        points = "   -  " if c.points is None else f"{c.points:g}/{c.max_points:g}".rjust(6)
        result = c.status + (f": {c.message}" if c.message else "")
        if len(result) > 110:
            result = result[:107] + "..."
        lines.append(f"  {c.grade_id.ljust(width)}  {points}  {result}")
    return "\n".join(lines)
