"""What a submission produced, made safe to show a person: linear-time, size-bounded, no script, no escapes.

Trusted code. Everything here runs on text a submission controls (its outputs, its markdown, its
exception messages), so every function is linear in its input and every input is cut first:

- ``printable``: C0/C1 control characters out (but newline and tab), for terminals, CSV files, gradebooks;
- ``csv_cell``: a cell a spreadsheet would read as a formula (``= + - @``, tab, carriage return) neutralised;
- ``clean_html``: HTML through nh3 (the ammonia sanitiser): no scripts, event handlers, ``javascript:`` URLs,
  iframes, forms or styles;
- ``safe_outputs`` / ``safe_markdown`` / ``safe_notebook``: a notebook whose HTML, markdown, SVG and
  JavaScript outputs, markdown and raw cells can be rendered by nbconvert (the feedback page, formgrader)
  without running anything a submission wrote; images (PNG, JPEG) are kept as they are.
"""
from __future__ import annotations

import base64
import re

import nh3

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
ANSI_SEQUENCE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")  # colours: dropped whole, not just their ESC
MAX_HTML_CHARS = 500_000  # one HTML, markdown or SVG output kept for rendering (a DataFrame, a small figure)
MAX_MARKDOWN_CHARS = 200_000  # one markdown or raw cell
SCRIPT_MIMES = ("application/javascript", "text/javascript", "application/x-javascript")
DROPPED_MIMES = SCRIPT_MIMES + ("text/latex", "application/vnd.jupyter.widget-view+json",
                                "application/vnd.jupyter.widget-state+json")
TRUNCATED = "\n... [output truncated by the grader]"

_ATTRIBUTES = {tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()}
_ATTRIBUTES["*"] = {"class", "title", "lang"}  # highlighted code and tables keep their classes
_URL_ESCAPE = re.compile(r"(?i)\b(java|vb)(script\s*:)")


def printable(text, limit: int | None = None) -> str:
    """text without control characters (newline and tab kept) or terminal colour sequences, cut at limit."""
    text = "" if text is None else str(text)
    if limit is not None:
        text = text[:limit * 2]  # sequences removed below can only shorten it
    text = CONTROL.sub("", ANSI_SEQUENCE.sub("", text))
    return text[:limit] if limit is not None else text


def csv_cell(value) -> str:
    """A CSV field no spreadsheet runs as a formula: printable, and a leading = + - @ quoted with '."""
    text = printable(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def clean_html(html: str) -> str:
    """HTML with nothing that runs: nh3's allowlist of tags, attributes and URL schemes (plus classes)."""
    return nh3.clean(str(html)[:MAX_HTML_CHARS], attributes=_ATTRIBUTES, link_rel="noopener noreferrer nofollow")


def safe_markdown(source: str) -> str:
    """Markdown whose rendering runs nothing: inline HTML sanitised, ``javascript:`` links broken.

    Markdown itself is kept (only when the text holds ``<`` does it pass through the sanitiser, which
    escapes what is not allowed; ``>`` and ``&`` come back so that quotes and entities still read).
    """
    source = str(source)
    if len(source) > MAX_MARKDOWN_CHARS:
        source = source[:MAX_MARKDOWN_CHARS] + "\n\n*[cell truncated by the grader]*"
    source = printable(source)
    source = _URL_ESCAPE.sub(r"\1-blocked-\2", source)
    if "<" in source:
        source = _TAG_START.sub(_escape_unless_tag, source)  # "$a<b$" is maths, not a <b> tag
        cleaned = nh3.clean(source, attributes=_ATTRIBUTES, link_rel="noopener noreferrer nofollow")
        source = _UNESCAPE.sub(lambda m: _ENTITIES[m.group(1) or m.group(2)], cleaned)
    return source


_ALLOWED_TAGS = {t.lower() for t in nh3.ALLOWED_TAGS}
_TAG_START = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)(?=[\s/>])|<(?=[A-Za-z/!?])")
# what the sanitiser escaped but cannot start a tag: ">", "&", and "<" before a space, a digit, "=" ...
_UNESCAPE = re.compile(r"&(gt|amp|lt);(?![A-Za-z/!?])|&(gt|amp);")
_ENTITIES = {"gt": ">", "amp": "&", "lt": "<"}


def _escape_unless_tag(m: re.Match) -> str:
    if m.group(2) and m.group(2).lower() in _ALLOWED_TAGS:
        return m.group(0)  # an allowed tag: the sanitiser checks its attributes
    return "&lt;" + (m.group(1) or "") + (m.group(2) or "")


def _svg_as_image(svg: str) -> str:
    """An SVG as an <img>: a browser runs no script in an image."""
    data = base64.b64encode(svg.encode("utf-8", errors="replace")).decode()
    return f'<img alt="an SVG output of the notebook" src="data:image/svg+xml;base64,{data}">'


def safe_data(data: dict) -> dict:
    """One output's mime bundle, safe to render: scripts dropped, HTML sanitised, SVG as an image, sizes cut."""
    out = {}
    for mime, value in data.items():
        if mime in DROPPED_MIMES:
            continue
        if isinstance(value, list):
            value = "".join(str(v) for v in value)
        if mime == "text/html":
            value = clean_html(value) if len(value) <= MAX_HTML_CHARS else None
        elif mime == "text/markdown":
            value = safe_markdown(value) if len(value) <= MAX_HTML_CHARS else None
        elif mime == "image/svg+xml":
            if len(value) <= MAX_HTML_CHARS and "text/html" not in data:
                out["text/html"] = _svg_as_image(value)
            continue
        elif mime.startswith("image/"):
            pass  # base64 pixels: rendered as <img src="data:...">, nothing to run
        elif isinstance(value, str):
            value = printable(value, MAX_HTML_CHARS)
        if value is not None:
            out[mime] = value
    if not out:
        plain = data.get("text/plain")
        out["text/plain"] = printable(plain, 20_000) if isinstance(plain, str) else \
            "[an output the grader does not show: a script, or too large]"
    return out


def safe_outputs(outputs: list) -> None:
    """Every output of one code cell made safe to render, in place."""
    for out in outputs:
        if "data" in out and isinstance(out["data"], dict):
            out["data"] = safe_data(out["data"])
        if "text" in out:
            out["text"] = printable(out["text"])
        if out.get("output_type") == "error":
            out["ename"] = printable(out.get("ename", ""), 200)
            out["evalue"] = printable(out.get("evalue", ""), 5000)
            out["traceback"] = [printable(line, 2000) if "\x1b" not in str(line) else _keep_colours(line)
                                for line in out.get("traceback", [])]


def _keep_colours(line) -> str:
    """A traceback line with its colour codes (nbconvert turns them into spans) and no other control character."""
    line = str(line)[:4000]
    kept = ANSI_SEQUENCE.findall(line)
    parts = ANSI_SEQUENCE.split(line)
    return "".join(CONTROL.sub("", p) + (k if re.fullmatch(r"\x1b\[[0-9;]*m", k) else "")
                   for p, k in zip(parts, kept + [""]))


def safe_notebook(nb) -> None:
    """Every cell of nb safe to render (nbconvert, formgrader), in place: markdown, raw cells, outputs."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = safe_markdown(cell.source)
            cell.pop("attachments", None)
        elif cell.cell_type == "raw":
            cell.source = printable(cell.source, MAX_MARKDOWN_CHARS)
            if "<" in cell.source:
                cell.source = clean_html(cell.source)
        elif cell.cell_type == "code":
            safe_outputs(cell.get("outputs", []))
