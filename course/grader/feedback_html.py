"""nbconvert's HTML exporter for feedback pages, made cheap to run once per submission.

The same markdown, code highlighting and HTML cleaning come back in every
submission of an assignment, so those filters are memoized; and the page skips
HTMLExporter's BeautifulSoup pass over the whole document (it only adds alt text
to images, done here with a regex, and tab stops). Imported only when a page is
written: nbconvert takes a second or two to import.
"""
from __future__ import annotations

import re
import threading

from nbconvert import HTMLExporter
from nbconvert.exporters.html import contextfilter
from nbconvert.exporters.templateexporter import TemplateExporter
from nbconvert.filters import clean_html as nbconvert_clean_html
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

from .sanitize import clean_html

_IMG_TAG = re.compile(r"<img\b[^>]*")  # one pass: each match runs to the next ">" (linear, never rescanned)


def add_alt_text(html: str) -> str:
    """Alt text on every <img> without one (linear time: a flood of "<img" costs one pass, not a square)."""
    return _IMG_TAG.sub(lambda m: m.group(0) if "alt=" in m.group(0) else
                        '<img alt="an output of the notebook"' + m.group(0)[4:], html)


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


class FeedbackExporter(HTMLExporter):
    """HTMLExporter with memoized markdown, highlighting and cleaning, and no BeautifulSoup pass."""

    def __init__(self, **kw):
        super().__init__(**kw)
        self._markdown = _memo(lambda source: clean_html(HTMLExporter.markdown2html(self, {}, source)))
        self._highlighters: dict = {}

    def markdown2html(self, context, source):
        cell = context.get("cell", {}) if hasattr(context, "get") else {}
        if cell.get("attachments"):
            return clean_html(HTMLExporter.markdown2html(self, context, source))
        return self._markdown(source)

    def default_filters(self):
        for name, fn in super().default_filters():
            if name == "clean_html":
                fn = _memo(nbconvert_clean_html)
            elif name == "markdown2html":
                fn = self._markdown_filter
            yield name, fn

    @contextfilter  # jinja passes the template context to markdown2html, as nbconvert's own does
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
        return add_alt_text(html), resources


# ------------------------------------------------------------------ a page-writing process
# ``python -m course.grader.feedback_html`` serves pages: each request is a length-prefixed notebook (JSON),
# each answer the length-prefixed HTML. The grader waits for it under a time limit and kills it when the limit
# passes (course.grader.feedback.PageWriter): nothing a submission printed can stall the batch.
def _read_exact(stream, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = stream.read(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def main() -> int:
    import json
    import os
    import sys

    import nbformat

    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but answers on the pipe
    exporter = FeedbackExporter()
    while True:
        try:
            size = int.from_bytes(_read_exact(stdin, 8), "big")
            nb = nbformat.from_dict(json.loads(_read_exact(stdin, size)))
        except EOFError:
            return 0
        try:
            body = exporter.from_notebook_node(nb)[0].encode("utf-8", errors="replace")
        except Exception as err:  # noqa: BLE001 - one page never stops the others
            body = b"\0" + f"{err.__class__.__name__}: {err}"[:500].encode("utf-8", errors="replace")
        stdout.write(len(body).to_bytes(8, "big") + body)
        stdout.flush()
        del nb
        if os.getppid() == 1:
            return 0


if __name__ == "__main__":
    raise SystemExit(main())
