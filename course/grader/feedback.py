"""What the learner sees: the graded notebook without hidden tests, their tracebacks or outputs quoting them."""
from __future__ import annotations

import atexit
import copy
import html
import json
import os
import resource
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat

from ..notebooks import HIDDEN_BLOCK, ROOT, grade_id, is_test_cell, strip_hidden_tests
from .report import Report, one_line
from .sanitize import printable, safe_notebook


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


def feedback_notebook(nb, report: Report):
    """A copy fit to show the learner: hidden tests, test tracebacks and outputs quoting them removed;
    every output and markdown cell sanitised and cut to size (course.grader.sanitize)."""
    fb = copy.deepcopy(nb)
    secret = hidden_lines(nb)
    for cell in fb.cells:
        if is_test_cell(cell):
            cell.source = strip_hidden_tests(cell.source)
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":
                    out["traceback"] = [f"{out.get('ename', 'Error')}: {one_line(out.get('evalue', ''))}"]
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if "text" in out:
                out["text"] = _scrub(out["text"], secret)
            if out.get("output_type") == "error":
                out["evalue"] = _scrub(out.get("evalue", ""), secret)
                out["traceback"] = [_scrub(line, secret) for line in out.get("traceback", [])]
            data = out.get("data", {})
            for mime, value in list(data.items()):
                data[mime] = _scrub(value, secret)
    safe_notebook(fb)
    _show_diagnoses(fb, report)
    fb.cells.insert(0, nbformat.v4.new_markdown_cell(summary_markdown(report)))
    return fb


def diagnosis_markdown(report: Report, diagnosis: str) -> str:
    """The likely mistake, in English and Chinese, as a markdown note (catalogue text, escaped)."""
    from .report import diagnosis_text

    english, chinese = diagnosis_text(report.assignment, diagnosis), diagnosis_text(report.assignment, diagnosis, "zh")
    if not english:
        return ""
    return (f"> **Likely mistake** (named by the grader from what your code returned): {html.escape(english)}\n>\n"
            f"> **可能的错误**：{html.escape(chinese)}")


def _show_diagnoses(fb, report: Report) -> None:
    """A note under each test cell that carries a diagnosis (an exercise's first failing test)."""
    notes = {c.grade_id: diagnosis_markdown(report, c.diagnosis) for c in report.cells if c.diagnosis}
    cells = []
    for cell in fb.cells:
        cells.append(cell)
        note = notes.get(grade_id(cell)) if is_test_cell(cell) else None
        if note:
            cells.append(nbformat.v4.new_markdown_cell(note, metadata={"course_diagnosis": True}))
    fb.cells = cells


def summary_markdown(report: Report) -> str:
    lines = [f"## Feedback: {report.notebook}", "",
             f"**Score: {report.score:g} / {report.max_score:g}**" +
             (" (written answers are graded by a person)" if any(c.kind == "written" for c in report.cells) else ""),
             ""]
    if report.flags:
        lines += [f"- Note: {html.escape(printable(flag))}" for flag in report.flags] + [""]
    lines += ["| cell | points | result |", "|---|---|---|"]
    for c in report.cells:
        points = "–" if c.points is None else f"{c.points:g}"
        result = c.status + (f": {html.escape(printable(c.message))}" if c.message else "")
        if c.diagnosis:
            from .report import diagnosis_text

            result += f" (likely mistake: {html.escape(diagnosis_text(report.assignment, c.diagnosis))})"
        lines.append(f"| `{c.grade_id}` | {points} / {c.max_points:g} | {result.replace('|', '/')} |")
    return "\n".join(lines)


FEEDBACK_TIMEOUT = 120.0  # seconds to write one page; past it the page writer is killed and a plain page written
MAX_PAGE_BYTES = 200_000_000


class PageWriter:
    """A process of its own that turns notebooks into HTML pages (course.grader.feedback_html's main).

    The grader waits for each page under a time limit and reads at most MAX_PAGE_BYTES: a page that
    takes longer (whatever a submission printed) kills the writer, and the next page starts a new one.
    """

    def __init__(self):
        self.proc = None

    def _start(self):
        env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))

        def pre():
            from .executor import PR_SET_PDEATHSIG, _prctl

            _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
            resource.setrlimit(resource.RLIMIT_AS, (4 * 2**30, 4 * 2**30))

        self.proc = subprocess.Popen([sys.executable, "-m", "course.grader.feedback_html"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, preexec_fn=pre)

    def page(self, nb, timeout: float = FEEDBACK_TIMEOUT) -> str:
        if self.proc is None or self.proc.poll() is not None:
            self._start()
        data = json.dumps(nb).encode()
        deadline = time.monotonic() + timeout
        try:
            self.proc.stdin.write(len(data).to_bytes(8, "big") + data)
            self.proc.stdin.flush()
            size = int.from_bytes(self._read(8, deadline), "big")
            if size > MAX_PAGE_BYTES:
                raise OSError(f"a page of {size} bytes")
            body = self._read(size, deadline)
        except (OSError, TimeoutError, ValueError) as err:
            self.close()
            raise TimeoutError(str(err) or "no page") from None
        if body.startswith(b"\0"):
            raise ValueError(body[1:].decode(errors="replace"))
        return body.decode("utf-8", errors="replace")

    def _read(self, n: int, deadline: float) -> bytes:
        fd, parts, got = self.proc.stdout.fileno(), [], 0
        while got < n:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError("the page took too long")
            chunk = os.read(fd, min(n - got, 1 << 20))
            if not chunk:
                raise OSError("the page writer stopped")
            parts.append(chunk)
            got += len(chunk)
        return b"".join(parts)

    def close(self) -> None:
        if self.proc is not None:
            try:
                self.proc.kill()
            except OSError:
                pass
            for pipe in (self.proc.stdin, self.proc.stdout):
                try:
                    pipe.close()
                except OSError:
                    pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
            self.proc = None


_WRITERS = threading.local()
_ALL_WRITERS: list = []
_ALL_LOCK = threading.Lock()


def _page_writer() -> PageWriter:
    writer = getattr(_WRITERS, "writer", None)
    if writer is None:
        writer = _WRITERS.writer = PageWriter()
        with _ALL_LOCK:
            _ALL_WRITERS.append(writer)
    return writer


def close_page_writers() -> None:
    """Stop every page-writing process (the end of a batch)."""
    with _ALL_LOCK:
        writers = list(_ALL_WRITERS)
    for writer in writers:
        writer.close()


atexit.register(close_page_writers)


def fallback_page(report: Report, why: str) -> str:
    """A plain page when the full one could not be written in time: the score table, escaped."""
    return ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Feedback</title></head><body>"
            f"<p>The full feedback page could not be written ({html.escape(printable(why, 200))}); "
            f"the grades:</p><pre>{html.escape(summary_markdown(report))}</pre></body></html>")


def write_feedback_html(nb, report: Report, path: Path, timeout: float = FEEDBACK_TIMEOUT) -> Path:
    """Feedback as one HTML page (plots embedded), written by a separate process under a time limit."""
    try:
        body = _page_writer().page(feedback_notebook(nb, report), timeout)
    except (TimeoutError, ValueError) as err:
        body = fallback_page(report, str(err))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")
    return path
