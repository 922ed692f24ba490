"""Behavioural diagnoses: name a failing exercise's likely mistake from what the tests' own calls returned.

TRUSTED: this module runs in the test kernel (course.grader.test_side), never in the student kernel.

1. **Probes are the tests' own calls.** While the test cells run, every call of a proxy for a top-level
   notebook function whose arguments crossed as plain data (no handle either way) is recorded (an object
   made by a top-level class is recorded as a script: the constructor's arguments, then the calls on it): the
   function's name, the arguments exactly as the test kernel pickled them (``bridge.dumps_args``: made
   here, never by the student), and what came back: the reply's value and in-place changes as plain data,
   or the exception's type and first line. The first ``PROBES_PER_NAME`` calls of each name are kept, and
   always the last call a failing test cell made. A call through ``T.grad(fn, ...)`` is a call of fn (its
   output as the value: test_side._probe_through_helper). Nothing new is sent to the student kernel.
2. **Which tests failed**: a ``post_run_cell`` hook in the test kernel notes each test cell's success
   (test cells are the only cells it runs with ``store_history``), keyed by the cell's source digest.
3. **Matching**, in a last grader cell of the test job (``run``): for each exercise with a failed test and
   with probes, the reference solution cells (from the source notebook) are run over the test kernel's
   setup names, then each WRONG variant of that exercise (``tests/mutations/nbNN_*.py``) over a copy;
   every one replays the probes (RNGs seeded identically before each call). A variant *fires* when it
   agrees with the learner on every probe and differs from the reference on at least one. The exercise
   gets diagnosis d iff the learner differs from the reference, at least one variant fires, and every
   firing variant carries d (course.diagnoses). Anything else (no variant, two diagnoses, a variant that
   could not be judged in time) says nothing: a wrong diagnosis is worse than none.

Agreement (``same``): tensors of the same shape and dtype, close within ``RTOL``/``ATOL`` with NaN
equal to NaN and inf to inf; numbers close; strings, booleans and None equal; containers element by
element; two exceptions agree when their types and first lines are the same.
"""
from __future__ import annotations

import ast
import contextlib
import hashlib
import io
import json
import math
import os
import random
import signal
import sys
import threading
import time
import warnings
from dataclasses import dataclass, field

import torch

from . import bridge

PROBES_PER_NAME = 4
MAX_PROBE_CHARS = 4 * 2**20  # wire characters of one probe's arguments or reply kept (larger calls are not probes)
MAX_PROBES_CHARS = 64 * 2**20  # in all
MARK = "course-grader: diagnoses: "  # the line the grader reads from the diagnose cell's output
RTOL, ATOL = 1e-4, 1e-5
SEED = 20240607
VARIANT_SECONDS = 3.0  # one variant (or the reference) replaying an exercise's probes
MIN_BUDGET, MAX_BUDGET, SHARE = 3.0, 30.0, 0.10  # the whole step: 10% of the run so far, within these bounds


@dataclass
class Probe:
    name: str
    args: str  # base64 pickle made by the test kernel (bridge.dumps_args), tensors as ("x", plain data)
    grad: bool  # torch.is_grad_enabled() at the call
    outcome: dict  # {"value", "changes", "kwchanges"} as plain data, or {"error": [type, first line]}
    chars: int = 0
    # a script (an object made by calling a top-level class): ``args`` are the constructor's, ``steps`` the
    # calls on the object after it, [(method, wire args, grad)] (".name": reading a plain attribute; "__call__":
    # calling the object), ``outcome`` {"steps": [each step's outcome]}; None for a function's call
    steps: list | None = None
    closed: bool = False  # something the script does not record touched the object: no more steps


@dataclass
class _Log:
    probes: dict = field(default_factory=dict)  # name -> [Probe], in call order
    last: Probe | None = None  # the last call the running test cell made
    cells: list = field(default_factory=list)  # (source digest, success) of each test cell, in order
    chars: int = 0
    hooked: bool = False
    objects: dict = field(default_factory=dict)  # student handle id -> its script (kept ones and the latest)
    methods: dict = field(default_factory=dict)  # handle id of a bound method -> (object's handle id, name)


LOG = _Log()


# ------------------------------------------------------------------------------------------------ recording
def digest(source: str) -> str:
    return hashlib.sha1(source.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _has_handle(data) -> bool:
    if isinstance(data, list):
        return any(_has_handle(v) for v in data)
    if isinstance(data, dict):
        return data.get("$") == "handle" or any(_has_handle(v) for v in data.values())
    return False


def first_line(text) -> str:
    text = str(text or "").strip()
    return (text.splitlines()[0] if text else "")[:300]


def _outcome(reply: dict) -> dict:
    """What a call's reply says came of it: its error's type and first line, or its value and in-place changes."""
    if "error" in reply:
        err = reply.get("error") if isinstance(reply.get("error"), dict) else {}
        return {"error": [str(err.get("type", ""))[:100], first_line(err.get("message"))]}
    return {"value": reply.get("value"), "changes": reply.get("changes") or [],
            "kwchanges": reply.get("kwchanges") or {}}


def record(name: str, args: str, grad: bool, reply: dict, log: _Log | None = None) -> None:
    """Note one call of a top-level notebook function whose arguments crossed as plain data (cheap: the
    reply is only looked into when the call is kept)."""
    log = log or LOG
    outcome = _outcome(reply)
    probe = Probe(name, args, bool(grad), outcome, -1)
    log.last = probe
    kept = log.probes.setdefault(name, [])
    if len(kept) < PROBES_PER_NAME:
        _keep(probe, kept, log)


def _keep(probe: Probe, kept: list, log: _Log) -> None:
    """Keep a probe unless it is not plain data (a handle came back) or too large."""
    if probe.steps is not None:  # a script: its steps were sized as they came
        probe.chars = max(probe.chars, 0) + len(probe.args)
    elif probe.chars < 0:
        if _has_handle(probe.outcome):
            probe.chars = MAX_PROBES_CHARS + 1
        else:
            try:
                probe.chars = len(probe.args) + len(json.dumps(probe.outcome, allow_nan=True))
            except (TypeError, ValueError):
                probe.chars = MAX_PROBES_CHARS + 1
    if probe.chars <= MAX_PROBE_CHARS and log.chars + probe.chars <= MAX_PROBES_CHARS:
        kept.append(probe)
        log.chars += probe.chars


def cell_ended(source: str, success: bool, log: _Log | None = None) -> None:
    """A test cell ended: keep the last call it made when it failed."""
    log = log or LOG
    log.cells.append((digest(source), bool(success)))
    last, log.last = log.last, None
    if not success and last is not None:
        kept = log.probes.setdefault(last.name, [])
        if all(p is not last for p in kept):
            _keep(last, kept, log)


SCRIPTS_PER_CLASS, MAX_STEPS = 3, 16


def new_object(obj: int, name: str, args: str, grad: bool, log: _Log | None = None) -> None:
    """A top-level class was called with plain data and gave object ``obj``: start its script."""
    log = log or LOG
    script = Probe(name, args, bool(grad), {"steps": []}, -1, steps=[])
    kept = log.probes.setdefault(name, [])
    held = {id(p) for probes in log.probes.values() for p in probes}
    for key in [k for k, s in log.objects.items() if id(s) not in held]:
        del log.objects[key]  # only kept scripts and the latest one stay open
    log.objects[obj] = script
    log.last = script
    if len(kept) < SCRIPTS_PER_CLASS:
        kept.append(script)


def _script_of(target: int, log: _Log):
    if target in log.objects:
        return log.objects[target], "__call__"
    owner, name = log.methods.get(target, (None, None))
    return log.objects.get(owner), name


def step(target: int, args: str, grad: bool, reply: dict, log: _Log | None = None) -> None:
    """A call with plain data on a scripted object (calling it, or one of its methods)."""
    log = log or LOG
    script, name = _script_of(target, log)
    if script is None or script.closed:
        return
    outcome = _outcome(reply)
    _add_step(script, (name, args, bool(grad)), outcome, log)


def attribute(target: int, name: str, reply: dict, log: _Log | None = None) -> None:
    """The tests read attribute ``name`` of a scripted object: a method (its calls become steps), plain data
    (a step), or another object (which the script cannot follow: it ends there)."""
    log = log or LOG
    script = log.objects.get(target)
    if script is None or script.closed or "error" in reply:
        return
    value = reply.get("value")
    if isinstance(value, dict) and value.get("$") == "handle":
        if value.get("type") == "method" and isinstance(value.get("id"), int):
            log.methods[value["id"]] = (target, str(name))
        else:
            script.closed = True
        return
    _add_step(script, ("." + str(name), "", False), {"value": value}, log)


def touched(target: int, log: _Log | None = None) -> None:
    """A scripted object (or its method) was used in a way the script does not record: it ends there."""
    log = log or LOG
    script, _ = _script_of(target, log)
    if script is not None:
        script.closed = True


def _rough_size(data, depth: int = 0) -> int:
    """Characters of plain data, roughly (a tensor's bytes are one string: cheap to walk)."""
    if isinstance(data, str):
        return len(data)
    if depth > 60:
        return MAX_PROBE_CHARS
    if isinstance(data, list):
        return sum(_rough_size(v, depth + 1) for v in data) + 1
    if isinstance(data, dict):
        return sum(_rough_size(v, depth + 1) for v in data.values()) + 1
    return 8


def _add_step(script: Probe, what: tuple, outcome: dict, log: _Log) -> None:
    size = len(what[1]) + _rough_size(outcome)
    if len(script.steps) >= MAX_STEPS or _has_handle(outcome) or max(script.chars, 0) + size > MAX_PROBE_CHARS:
        script.closed = True
        return
    script.chars = max(script.chars, 0) + size
    script.steps.append(what)
    script.outcome["steps"].append(outcome)
    log.last = script


def _post_run_cell(result) -> None:
    try:
        info = getattr(result, "info", None)
        if info is not None and getattr(info, "store_history", False):  # test cells only
            cell_ended(getattr(info, "raw_cell", "") or "", bool(getattr(result, "success", False)))
    except Exception:  # noqa: BLE001 - never a word in a test cell's output
        pass


def install_hook() -> None:
    """Watch the test kernel's test cells (once)."""
    if LOG.hooked:
        return
    try:
        shell = get_ipython()  # type: ignore[name-defined]  # noqa: F821 - IPython's builtin in a kernel
    except NameError:
        return
    shell.events.register("post_run_cell", _post_run_cell)
    LOG.hooked = True


# ------------------------------------------------------------------------------------------------ comparing
def _dtype_class(t: torch.Tensor) -> str:
    if t.dtype == torch.bool:
        return "bool"
    if t.is_complex():
        return "complex"
    return "float" if t.is_floating_point() else "int"


def tensors_close(a: torch.Tensor, b: torch.Tensor) -> bool:
    if a.shape != b.shape or a.dtype != b.dtype:  # a dtype the spec did not ask for is a mistake of its own
        return False
    if _dtype_class(a) in ("bool", "int"):
        return bool(torch.equal(a.to(torch.int64), b.to(torch.int64)))
    wide = torch.complex128 if a.is_complex() else torch.float64
    return bool(torch.isclose(a.to(wide), b.to(wide), rtol=RTOL, atol=ATOL, equal_nan=True).all())


def _number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


IGNORED_KEYS = {"requires_grad", "name"}  # a result's graph flag, a named tuple's class name


def same(a, b) -> bool:
    """Two outcomes (or parts of them) as plain data agree within tolerance."""
    if _number(a) and _number(b):
        if isinstance(a, int) != isinstance(b, int):  # an int where a float is expected is a mistake of its own
            return False
        if isinstance(a, int):
            return a == b
        return math.isclose(a, b, rel_tol=RTOL, abs_tol=ATOL) or (a != a and b != b)
    if isinstance(a, dict) and isinstance(b, dict):
        kind = a.get("$")
        if kind != b.get("$"):
            return False
        if kind == "tensor" and ("dtype" in a or "dtype" in b):  # a tensor (a change record has no dtype)
            try:
                return tensors_close(_tensor(a), _tensor(b))
            except bridge.BridgeError:
                return False
        if kind == "float":
            return a.get("v") == b.get("v")
        keys = (set(a) | set(b)) - IGNORED_KEYS
        return all(k in a and k in b and same(a[k], b[k]) for k in keys)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if type(a) is not type(b):
        return False
    return a == b


def _tensor(data: dict) -> torch.Tensor:
    out = bridge.decode(data)
    return torch.from_numpy(out) if not isinstance(out, torch.Tensor) else out


def choose(learner: list, reference: list, variants: list) -> str | None:
    """The diagnosis, from outcomes on the same probes: ``variants`` is [(diagnosis id, outcomes)].

    None unless the learner differs from the reference and every variant that agrees with the learner on
    every probe, and differs from the reference somewhere, carries one and the same diagnosis."""
    if len(learner) != len(reference) or not learner:
        return None
    if all(same(x, r) for x, r in zip(learner, reference)):
        return None
    fired = set()
    for diagnosis, outcomes in variants:
        if len(outcomes) != len(learner):
            continue
        if all(same(x, v) for x, v in zip(learner, outcomes)) and not all(same(v, r) for v, r in
                                                                        zip(outcomes, reference)):
            fired.add(diagnosis)
    return next(iter(fired)) if len(fired) == 1 else None


# ------------------------------------------------------------------------------------------------ replaying
class OutOfTime(Exception):
    """A variant (or the reference) took longer than its share of the diagnosis budget."""


def _resolve(pid):
    side, data, _ = pid
    if side != "x":
        raise bridge.BridgeError("a probe holds a handle")
    return bridge.decode(data)


def seed_all(seed: int = SEED) -> None:
    random.seed(seed)
    torch.manual_seed(seed)
    try:
        import numpy as np

        np.random.seed(seed % 2**32)
    except ImportError:  # pragma: no cover
        pass


def _no_handle(obj):
    raise bridge.BridgeError(f"a {type(obj).__name__} is not plain data")


def call(fn, probe: Probe, seed: int = SEED) -> dict:
    """fn on a fresh copy of the probe's arguments: the outcome as plain data, like the student kernel's reply
    (the global random generators seeded with ``seed`` first). A script: the class, then its steps."""
    if probe.steps is not None:
        return _run_script(fn, probe, seed)
    return _call_once(fn, probe.args, probe.grad, seed)


def _run_script(cls, probe: Probe, seed: int) -> dict:
    seed_all(seed)
    args, kwargs = bridge.loads_args(probe.args, _resolve)
    try:
        with torch.set_grad_enabled(probe.grad):
            obj = cls(*args, **kwargs)
    except (OutOfTime, KeyboardInterrupt):
        raise
    except Exception as err:  # noqa: BLE001
        return {"steps": [], "error": [type(err).__name__[:100], first_line(err)]}
    steps = []
    for name, sent, grad in probe.steps:
        if name.startswith("."):
            try:
                steps.append({"value": bridge.encode(getattr(obj, name[1:]), _no_handle)})
            except (OutOfTime, KeyboardInterrupt):
                raise
            except Exception as err:  # noqa: BLE001 - bridge errors too: another outcome than the learner's
                steps.append({"error": [type(err).__name__[:100], first_line(err)]})
            continue
        try:
            target = obj if name == "__call__" else getattr(obj, name)
        except AttributeError as err:
            steps.append({"error": ["AttributeError", first_line(err)]})
            continue
        steps.append(_call_once(target, sent, grad, seed))
    return {"steps": steps}


def _call_once(fn, sent: str, grad: bool, seed: int) -> dict:
    args, kwargs = bridge.loads_args(sent, _resolve)
    before = [bridge.snapshot(a) for a in args]
    kw_before = {k: bridge.snapshot(v) for k, v in kwargs.items()}
    seed_all(seed)
    try:
        with torch.set_grad_enabled(grad):
            value = fn(*args, **kwargs)
        return {"value": bridge.encode(value, _no_handle),
                "changes": [bridge.changes(a, b) for a, b in zip(args, before)],
                "kwchanges": {str(k): bridge.changes(kwargs[k], kw_before[k]) for k in kwargs}}
    except (OutOfTime, KeyboardInterrupt):
        raise
    except bridge.BridgeError:
        return {"opaque": True}
    except Exception as err:  # noqa: BLE001 - what a wrong variant raises is its outcome
        return {"error": [type(err).__name__[:100], first_line(err)]}


@contextlib.contextmanager
def _quiet():
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()), \
            contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        yield


def cpu() -> float:
    """This process's CPU seconds (the step's budgets are CPU time: a busy machine does not shrink them)."""
    return time.process_time()


@contextlib.contextmanager
def time_limit(seconds: float | None):
    """Raise OutOfTime in this (main) thread after ``seconds`` of this process's user CPU time (a virtual timer:
    no other timer, such as pytest-timeout's, is disturbed); no limit elsewhere or when None."""
    if seconds is None or threading.current_thread() is not threading.main_thread() \
            or not hasattr(signal, "setitimer"):
        yield
        return

    def stop(signum, frame):
        raise OutOfTime()

    previous = signal.signal(signal.SIGVTALRM, stop)
    signal.setitimer(signal.ITIMER_VIRTUAL, max(0.01, seconds))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        signal.signal(signal.SIGVTALRM, previous)


def run_cell(code: str, namespace: dict, label: str) -> None:
    with _quiet():
        exec(compile(code, f"<{label}>", "exec"), namespace)


def replay(namespace: dict, probes: list[Probe], seed: int = SEED) -> list[dict]:
    out = []
    with _quiet():
        for probe in probes:
            fn = namespace.get(probe.name)
            out.append(call(fn, probe, seed) if callable(fn) else {"missing": probe.name})
    return out


def stable(namespace: dict, probes: list[Probe], reference: list) -> list[int]:
    """Indexes of the probes whose reference outcome does not depend on the global random generators (the
    learner's code drew from the tests' random state, the replays from a seed: those cannot be compared)."""
    again = replay(namespace, probes, SEED + 7)
    return [i for i, (a, b) in enumerate(zip(reference, again)) if same(a, b)]


def function_names(source: str, classes: bool = True) -> list[str]:
    """The functions (and classes) a solution cell defines at its top level."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef) + ((ast.ClassDef,) if classes else ())
    return [n.name for n in tree.body if isinstance(n, kinds)]


def _solution_sources(source_nb, ex) -> list[str]:
    from ..notebooks import grade_id, is_solution_cell

    return [cell.source for cell in source_nb.cells if is_solution_cell(cell) and grade_id(cell) in ex.cells]


# generic findings that a failing helper cannot explain (the result's kind of container, None): kept when an
# exercise uses another failing exercise's function; other generic findings are dropped then
OWN_MISTAKE = {"generic_type", "generic_returns_none"}


def _failing_upstream(source_nb, ex, failing: list) -> list[str]:
    """The functions and classes of other failing exercises that this exercise's reference solution uses: its
    own outcomes may then be wrong only through them, and a relation found on them would send the learner to
    the wrong place (the catalogue tier, which must match a variant exactly, is kept)."""
    used: set = set()
    for source in _solution_sources(source_nb, ex):
        try:
            used |= {n.id for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Name)}
        except SyntaxError:
            continue
    found = []
    for other in failing:
        if other is not ex:
            found += [name for src in _solution_sources(source_nb, other) for name in function_names(src)
                      if name in used]
    return sorted(set(found))


def judge(namespace: dict, probes: list[Probe], variants: list, deadline: float | None = None,
          learner: list | None = None, until: float | None = None, generic: bool = True) -> tuple[str | None, str]:
    """(diagnosis or None, why) for one exercise. ``namespace``: setup names and the reference solution
    cells; ``variants``: [(diagnosis id, variant cell source)]; ``learner``: the learner's outcomes
    (default: the probes' own); ``generic``: when the catalogue names nothing, a generic diagnosis (a
    relation to the reference, course/grader/relations.py) may be given."""
    tier = _generic if generic else (lambda learner, reference, probes, why, *rest: (None, why))
    learner = learner if learner is not None else [p.outcome for p in probes]
    reference = keep = None
    left = (lambda: None) if deadline is None else (lambda: deadline - cpu())
    try:
        with time_limit(_share(left())):
            reference = replay(namespace, probes)
            keep = stable(namespace, probes, reference)
        probes, learner, reference = [probes[i] for i in keep], [learner[i] for i in keep], [reference[i] for i in keep]
        if not probes:
            return None, "every probe draws on the random generators"
        if all(same(x, r) for x, r in zip(learner, reference)):
            return None, "agrees with the reference"
        outcomes = []
        for diagnosis, code in variants:
            remaining = left()
            if (remaining is not None and remaining <= GENERIC_RESERVE) or \
                    (until is not None and time.time() > until):
                return tier(learner, reference, probes, "out of time", left(), until)
            with time_limit(_share(None if remaining is None else remaining - GENERIC_RESERVE)):
                space = dict(namespace)
                try:
                    run_cell(code, space, "variant")
                except OutOfTime:
                    raise
                except Exception:  # noqa: BLE001 - a variant that does not even run matches nothing
                    continue
                outcomes.append((diagnosis, replay(space, probes)))
    except OutOfTime:
        if reference is None or keep is None:
            return None, "out of time"
        return tier(learner, reference, probes, "out of time", left(), until)
    found = choose(learner, reference, outcomes)
    if found:
        return found, "matched"
    return tier(learner, reference, probes, "no single diagnosis" if variants else "no known variants", left(),
                    until)


GENERIC_SECONDS = 1.0  # at most, the generic tier's checks on one exercise (arithmetic on the probes' outcomes)
GENERIC_RESERVE = 0.2  # CPU seconds the variants leave of the step's budget for them


def _generic(learner: list, reference: list, probes: list, why: str, remaining: float | None = None,
             until: float | None = None) -> tuple[str | None, str]:
    """The second tier, when the catalogue named nothing: a relation between the learner's outcomes and the
    reference's that holds on every kept probe (course/grader/relations.py), or None."""
    from .relations import relate

    if until is not None and time.time() > until:
        return None, why
    seconds = GENERIC_SECONDS if remaining is None else min(GENERIC_SECONDS, remaining)
    if seconds <= 0.01:
        return None, why
    try:
        with time_limit(seconds):
            found = relate(learner, reference, probes)
    except OutOfTime:
        return None, why
    return (found, f"{why}; generic") if found else (None, why)


def _share(remaining: float | None) -> float | None:
    return None if remaining is None else max(0.01, min(VARIANT_SECONDS, remaining))


# ------------------------------------------------------------------------------------------------ the step
def _process_age() -> float | None:
    """Seconds since this process started (Linux), else None."""
    try:
        with open("/proc/self/stat", "rb") as fh:
            stat = fh.read().decode(errors="replace")
        start = int(stat[stat.rindex(")") + 2:].split()[19]) / os.sysconf("SC_CLK_TCK")
        with open("/proc/uptime") as fh:
            return float(fh.read().split()[0]) - start
    except (OSError, ValueError, IndexError):
        return None


def budget() -> float:
    age = _process_age()
    return MIN_BUDGET if age is None else max(MIN_BUDGET, min(MAX_BUDGET, SHARE * age))


def _fits(probe: Probe) -> bool:
    """A probe worth replaying: a script with at least one step, and not too large."""
    if probe.steps is None:
        return True
    if not probe.steps:
        return False
    try:
        return len(probe.args) + sum(len(s[1]) for s in probe.steps) + len(json.dumps(probe.outcome)) <= MAX_PROBE_CHARS
    except (TypeError, ValueError, RecursionError):
        return False


def failing_exercises(source_nb, tests: list, log: _Log | None = None) -> list:
    """Exercises of the source notebook with a test cell that ran and failed (``tests``: [(grade_id,
    digest)] of the test cells the test kernel ran)."""
    from ..progress import exercises_of

    log = log or LOG
    outcomes: dict = {}
    for key, ok in log.cells:
        outcomes.setdefault(key, []).append(ok)
    failed = set()
    for gid, key in tests:
        results = outcomes.get(key)
        if results:
            if not results.pop(0):
                failed.add(gid)
    return [ex for ex in exercises_of(source_nb) if ex.kind == "code" and failed & set(ex.tests)]


def _variants(assignment: str, repo_tests: str):
    """{solution grade_id: [(diagnosis id, cell source)]} of the WRONG entries that carry a diagnosis."""
    import importlib

    from .. import diagnoses

    catalogue = diagnoses.load(assignment)
    if catalogue is None or not os.path.isdir(os.path.join(repo_tests, "mutations")):
        return {}
    if repo_tests not in sys.path:
        sys.path.insert(0, repo_tests)
    with _quiet():
        module = importlib.import_module(f"mutations.nb{assignment}")
    out: dict = {}
    for gid, name, code in module.WRONG:
        diagnosis = catalogue.variants.get((gid, name))
        if diagnosis:
            out.setdefault(gid, []).append((diagnosis, code))
    return out


def diagnose(assignment: str, source_nb, tests: list, base: dict, repo_tests: str, seconds: float,
             log: _Log | None = None, until: float | None = None) -> dict:
    """{"diagnoses": {exercise name: diagnosis id}, "seconds", "why": {exercise: reason}}."""
    from ..notebooks import grade_id, is_solution_cell

    log = log or LOG
    started, wall = cpu(), time.monotonic()
    deadline = started + seconds  # in CPU seconds of this process
    result: dict = {"diagnoses": {}, "why": {}}
    failing = failing_exercises(source_nb, tests, log)
    todo = []
    for ex in failing:
        names = {name for src in _solution_sources(source_nb, ex) for name in function_names(src)}
        probes = [p for n in sorted(names) for p in log.probes.get(n, []) if _fits(p)]
        if probes:
            todo.append((ex, probes))
        else:
            result["why"][ex.name] = "no probes"
    if todo and deadline - cpu() < 0.5:
        result["why"].update({ex.name: "out of time" for ex, _ in todo})
        todo = []
    if todo:
        variants = _variants(assignment, repo_tests)
        from .. import diagnoses

        catalogue = diagnoses.load(assignment)
        generic_off = catalogue.generic_off if catalogue is not None else {}
        namespace = dict(base)
        namespace.setdefault("__name__", "__main__")
        last = max(i for i, cell in enumerate(source_nb.cells)
                   if is_solution_cell(cell) and any(grade_id(cell) in ex.cells for ex, _ in todo))
        ready: dict = {}
        try:
            for i, cell in enumerate(source_nb.cells[:last + 1]):
                if not is_solution_cell(cell):
                    continue
                left = deadline - cpu()
                if left <= 0:
                    raise OutOfTime()
                with time_limit(min(left, VARIANT_SECONDS)):
                    try:
                        run_cell(cell.source, namespace, grade_id(cell))
                    except OutOfTime:
                        raise
                    except Exception:  # noqa: BLE001 - our reference cell failed here: judge nothing after it
                        break
                for ex, probes in todo:
                    if grade_id(cell) == ex.cells[-1]:
                        ready[ex.name] = dict(namespace)
        except OutOfTime:
            pass
        for ex, probes in todo:
            if ex.name not in ready:
                result["why"][ex.name] = "reference not ready"
                continue
            cands = [v for gid in ex.cells for v in variants.get(gid, [])]
            found, why = judge(ready[ex.name], probes, cands, deadline, until=until,
                               generic=not any(gid in generic_off for gid in ex.cells))
            upstream = _failing_upstream(source_nb, ex, failing)
            if upstream and found and found.split("(")[0] not in OWN_MISTAKE:
                found, why = None, f"{why}; dropped: it uses {', '.join(upstream)}, which failed too"
            result["why"][ex.name] = why
            if found:
                result["diagnoses"][ex.name] = found
    result["seconds"] = round(time.monotonic() - wall, 3)
    result["cpu_seconds"] = round(cpu() - started, 3)
    return result


def run(assignment: str, source_path: str, tests: list, repo_tests: str, offered: list | None = None,
        until: float | None = None) -> None:
    """The grader's last cell in the test kernel: print one line, MARK + JSON, that two_kernels reads.
    ``until``: the wall-clock time (time.time()) by which the step must be over, whatever its budget."""
    started, cpu_started = time.monotonic(), cpu()
    result: dict = {"diagnoses": {}}
    left = None if until is None else until - time.time()
    try:
        if left is not None and left < 1:
            result["why"] = "no time left"
        elif any(LOG.probes.values()) and any(not ok for _, ok in LOG.cells):
            from ..notebooks import read_notebook

            main = sys.modules["__main__"].__dict__
            offered_names = set(offered or ())
            from .test_side import StudentObject, _state

            offered_names |= set(_state.get("offered", ()))
            base = {k: v for k, v in main.items() if k not in offered_names and not isinstance(v, StudentObject)}
            source_nb = read_notebook(source_path)
            seconds = max(0.5, budget() - (cpu() - cpu_started))
            result = diagnose(assignment, source_nb, [tuple(t) for t in tests], base, repo_tests, seconds,
                              until=until)
    except Exception as err:  # noqa: BLE001 - a diagnosis is a bonus: never a reason for a failed grading
        result = {"diagnoses": {}, "error": f"{type(err).__name__}: {first_line(err)}"}
    result["seconds"] = round(time.monotonic() - started, 3)
    print(MARK + json.dumps(result, sort_keys=True), flush=True)


def parse(text: str, details: dict | None = None) -> dict:
    """The diagnoses from the diagnose cell's printed output ({} when there is none); ``details`` gets the
    rest of what the step said (seconds, why each exercise got none)."""
    found = {}
    for line in text.splitlines():
        if line.startswith(MARK):
            try:
                data = json.loads(line[len(MARK):])
            except ValueError:
                continue
            if isinstance(data, dict):
                found = data
    diagnoses = found.get("diagnoses") if isinstance(found.get("diagnoses"), dict) else {}
    if details is not None:
        details.update({k: v for k, v in found.items() if k != "diagnoses"})
    return {str(k): str(v) for k, v in diagnoses.items()}
