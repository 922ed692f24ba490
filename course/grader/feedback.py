"""What the learner sees: the graded notebook without hidden tests, their tracebacks or outputs quoting them."""
from __future__ import annotations

import copy
import html
import re
import threading
from pathlib import Path

import nbformat

from ..notebooks import HIDDEN_BLOCK, is_locked_cell, is_test_cell, strip_hidden_tests
from .report import Report, one_line


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
                    out["traceback"] = [f"{out.get('ename', 'Error')}: {one_line(out.get('evalue', ''))}"]
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


def feedback_exporter():
    """nbconvert's HTML exporter for feedback (course.grader.feedback_html), one per thread."""
    exporter = getattr(_EXPORTERS, "html", None)
    if exporter is None:  # nbconvert takes a second or two to import: only when a page is written
        from .feedback_html import FeedbackExporter

        exporter = _EXPORTERS.html = FeedbackExporter()
    return exporter


def write_feedback_html(nb, report: Report, path: Path) -> Path:
    """Feedback as one HTML page (plots embedded)."""
    body, _ = feedback_exporter().from_notebook_node(feedback_notebook(nb, report))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")
    return path
