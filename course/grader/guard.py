"""Guard cells: catch a submission that tampers with the test machinery or pokes at the course's files.

The grader adds cells to the learner's notebook, and removes them (and their
outputs) before scoring and feedback:

- a first cell, before any other, records the identity of every callable in
  builtins, math, numpy, numpy.testing, torch, torch.nn.functional,
  torch.testing, course.testing and of every method of torch.Tensor (the
  modules a notebook uses are imported there, as its setup cell would), plus
  the IPython machinery that runs cells, and publishes a digest of them. It also
  installs an audit hook (``sys.addaudithook``: it cannot be removed) that
  refuses, and reports at once, any file operation or command naming the
  course's private paths (source/, the gradebook, other submissions), and any
  lookup of libc's file or process calls through ctypes (what those touch is
  invisible to Python);
- checks compare with that record and publish what changed (a function
  replaced, ``torch.allclose = lambda *a, **k: True``; a module swapped in
  ``sys.modules``; a tracer or a torch function mode left active) with a new
  digest: on the first line of every test cell (so a patch that undoes itself
  is caught while in place), in a cell of their own after each group of test
  cells (so killing the kernel after a test hides nothing), and at the end.

The first cell's code lives in guard_kernel.py (a real module, linted and
tested; shipped to the kernel as source). The trusted grader reads these reports from outputs of a private mimetype
(``MIME``), each keyed by a random nonce it chose. A check whose cell ran but
that reported nothing, or whose digest disagrees with the first, also counts as
tampering. When the kernel dies, a test's points count only if a clean check
ran after it.

Test cells also re-run the read-only cells' imports first (on their first line,
so line numbers hold): a learner rebinding ``T`` or ``torch`` in the notebook's
namespace cannot change what the tests call.
"""
from __future__ import annotations

import ast
import inspect
import json
import secrets
import textwrap
from dataclasses import dataclass, field

MIME = "application/vnd.course-guard+json"
WATCHED = ["builtins", "math", "numpy", "numpy.testing", "torch", "torch.nn.functional", "torch.testing",
           "course.testing"]


def _kernel_source() -> str:
    """The source of guard_kernel._course_guard_start, as the kernel will run it."""
    from . import guard_kernel

    return textwrap.dedent(inspect.getsource(guard_kernel._course_guard_start))


_START = _kernel_source() + "\n\n_course_guard_start(%(cfg)s)\ndel _course_guard_start\n"

CHECK = '__import__("sys").__dict__["_course_guard_state"]["check"](%r)'

MACHINERY = ["run_cell", "run_cell_async", "_run_cell", "run_ast_nodes", "run_code", "transform_cell",
             "transform_ast", "should_run_async", "ex", "ev", "showtraceback", "_showtraceback", "do_execute",
             "execute_request", "publish", "send", "run_line_magic", "run_cell_magic"]


@dataclass
class Guard:
    """One grading run's guard: the cells' sources, and what to make of their outputs.

    ``start_source()`` goes first; ``test_source()`` wraps each test cell (imports, then a check);
    ``check_source()`` is a cell of its own after each group of test cells and at the end. Each
    check carries a fresh nonce; ``verdict()`` reads them back.
    """
    modules: list[str]
    protected: list[str]
    allowed: list[str]
    imports: str = ""  # the read-only cells' import statements, re-run before each test cell
    start_nonce: str = field(default_factory=lambda: secrets.token_hex(16))
    checks: list[str] = field(default_factory=list)

    def start_source(self) -> str:
        cfg = {"modules": self.modules, "watched": WATCHED, "protected": self.protected, "allowed": self.allowed,
               "nonce": self.start_nonce, "mime": MIME, "machinery": MACHINERY}
        return _START.replace("%(cfg)s", repr(cfg)).strip() + "\n"

    def _nonce(self) -> str:
        self.checks.append(secrets.token_hex(12))
        return self.checks[-1]

    def check_source(self) -> tuple[str, str]:
        nonce = self._nonce()
        return CHECK % nonce + "\n", nonce

    def test_source(self, source: str) -> tuple[str, str]:
        """A test cell's code after the read-only imports and a check, on its first line when that
        parses (line numbers hold), else on a line of their own."""
        nonce = self._nonce()
        prelude = "; ".join(p for p in (self.imports, CHECK % nonce) if p)
        if source.lstrip().startswith(("from __future__", "%%")):
            return source, nonce  # nothing may come first: the check after the cell covers it
        lines = source.split("\n")
        lines[0] = prelude + "; " + lines[0] if lines[0].strip() else prelude
        candidate = "\n".join(lines)
        try:
            ast.parse(candidate)
            return candidate, nonce
        except SyntaxError:
            return prelude + "\n" + source, nonce

    def verdict(self, start_outputs: list, checks: list[tuple[str, bool, list]], all_outputs: list) -> "Verdict":
        """``checks``: (nonce, its cell ran, its cell's outputs) for each check issued, in order."""
        v = Verdict()
        for out in all_outputs:
            for p in _payloads([out], self.start_nonce, "access"):
                what = str(p.get("what", ""))
                if what not in v.access:
                    v.access.append(what)
        start = _payloads(start_outputs, self.start_nonce, "start")
        if not start:
            v.problems.append("the grader's first check did not run")
            return v
        digest = start[-1].get("digest")
        replaced, notes = [], []
        for nonce, ran, outputs in checks:
            found = _payloads(outputs, nonce, "check")
            if not found:
                if ran:
                    notes.append("a check of the grader reported nothing (its machinery was altered)")
                continue
            payload = found[-1]
            names = [str(x) for x in payload.get("replaced", [])]
            replaced += [n for n in names if n not in replaced]
            notes += [str(n) for n in payload.get("notes", []) if str(n) not in notes]
            if not names and payload.get("digest") != digest:
                notes.append("the grader's records of the test machinery were altered")
            elif not names and not payload.get("notes"):
                v.clean.add(nonce)
        if replaced:
            v.tampered.append("replaced " + ", ".join(replaced[:12]) + (" and more" if len(replaced) > 12 else ""))
        v.tampered += [n for n in dict.fromkeys(notes)]
        return v


@dataclass
class Verdict:
    tampered: list[str] = field(default_factory=list)
    access: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    clean: set = field(default_factory=set)  # nonces of the checks that found everything as it was

    @property
    def flagged(self) -> bool:
        return bool(self.tampered or self.access)

    def flags(self) -> list[str]:
        out = []
        if self.tampered:
            out.append("tampering with the test machinery detected: " + "; ".join(self.tampered))
        if self.access:
            shown = ", ".join(self.access[:5]) + (f" and {len(self.access) - 5} more" if len(self.access) > 5 else "")
            out.append(f"the submission tried to reach the course's private files ({shown})")
        return out


def _payloads(outputs: list, nonce: str, kind: str) -> list[dict]:
    found = []
    for out in outputs:
        data = out.get("data", {}) if isinstance(out, dict) else {}
        payload = data.get(MIME)
        if isinstance(payload, str):
            try:
                payload = json.loads(payload)
            except ValueError:
                continue
        if isinstance(payload, dict) and payload.get("nonce") == nonce and payload.get("kind") == kind:
            found.append(payload)
    return found


def strip_guard_outputs(outputs: list) -> list:
    """A cell's outputs without the guard's reports."""
    return [o for o in outputs if not (isinstance(o, dict) and MIME in (o.get("data") or {}))]


def modules_used(sources: list[str]) -> list[str]:
    """The watched modules a notebook mentions (imported by the first guard cell, as its setup would)."""
    text = "\n".join(sources)
    out = []
    for name in WATCHED:
        top = name.split(".")[0]
        if name in ("builtins", "math") or top in text:
            out.append(name)
    return out


def locked_imports(sources: list[str]) -> str:
    """The import statements of read-only cells, as one line (``import torch; from course import testing as T``)."""
    statements = []
    for source in sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Import):
                statements.append("import " + ", ".join(a.name + (f" as {a.asname}" if a.asname else "")
                                                        for a in node.names))
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 \
                    and node.module != "__future__" and not any(a.name == "*" for a in node.names):
                statements.append(f"from {node.module} import " + ", ".join(
                    a.name + (f" as {a.asname}" if a.asname else "") for a in node.names))
    seen = []
    for s in statements:
        if s not in seen:
            seen.append(s)
    return "; ".join(seen)
