"""How well the behavioural diagnoses (course/grader/diagnose.py) name the known mistakes: an in-process measure.

For one assignment: replay the reference notebook in-process (as tests/harness.py does) and record, as the
test kernel would, every call a test cell makes to a top-level solution function with plain-data arguments
(the probes). Then, for each WRONG variant of tests/mutations/ that carries a diagnosis, play the learner:
its outcomes on the probes the real grader would keep (each test cell stopped at its first call whose outcome
differs from the reference's, as its failed check would stop it; of the calls made, the first PROBES_PER_NAME
per function and the last call of each failing cell),
computed with another random seed than the grader's replays (a learner's code draws from the tests' random
state), and ask the matcher (``diagnose.choose``) to name its mistake among

- every WRONG variant of that exercise ("known": the learner made a mistake in the catalogue), and
- every WRONG variant but itself ("unseen": a mistake the catalogue has only through other variants; a
  different diagnosis there is a wrong diagnosis on an implementation the project never saw).

Each answer is correct (its own diagnosis), wrong (another one) or none. In the "unseen" case, an exercise the
catalogue names nothing for goes to the generic tier (course/grader/relations.py): "generic" counts the variants
it states a relation for (true by construction: never wrong); "silent" counts those that agree with the
reference on every probe the grader keeps (no tier can say anything). RIGHT variants must get nothing from
either tier.

    .venv/bin/python tests/diagnose_eval.py [ASSIGNMENT ...]    # prints the table
"""
from __future__ import annotations

import inspect
import itertools
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("MPLBACKEND", "Agg")

import torch  # noqa: E402

import harness  # noqa: E402
from course import diagnoses, testing  # noqa: E402
from course.grader import bridge, diagnose, relations  # noqa: E402
from course.notebooks import grade_id, is_solution_cell, is_test_cell, nbgrader_meta  # noqa: E402
from course.progress import exercises_of  # noqa: E402
from course.notebooks import read_notebook, source_notebook  # noqa: E402

SLOW = 2.0  # seconds for the reference (or a variant) to replay an exercise's probes: past it, no diagnosis
KEEP_CALLS = 24  # calls per function recorded from the reference run (the grader keeps fewer: see select())
LEARNER_SEED = diagnose.SEED + 1  # a learner's code draws from another random state than the grader's replays


TIMEOUT = "timeout"


class NotPlain(Exception):
    pass


def _persistent(obj):
    """As test_side._lend: tensors cross as plain data; what would cross as a handle makes the call no probe."""
    if type(obj) is torch.Tensor and obj.layout == torch.strided:
        return ("x", bridge.encode(obj), "Tensor")
    module = getattr(obj, "__module__", None) if isinstance(obj, type) or callable(obj) else type(obj).__module__
    if callable(obj) and not isinstance(obj, torch.nn.Module):
        qualname = getattr(obj, "__qualname__", "") or ""
        if module in (None, "__main__") or "<" in qualname:
            raise NotPlain()
        return None
    if (module or "") == "__main__" or (module or "").startswith("course.sim"):
        raise NotPlain()
    return None


@dataclass
class Recorder:
    test_files: set
    calls: dict = field(default_factory=dict)  # name -> [Probe]

    def wrap(self, name, fn):
        recorder = self

        def wrapper(*args, **kwargs):
            caller = sys._getframe(1).f_code.co_filename
            if caller in recorder.test_files and len(recorder.calls.get(name, [])) < KEEP_CALLS:
                try:
                    with testing.not_recorded():  # as test_side's marshalling: not the learner's code
                        sent = bridge.dumps_args([list(args), kwargs], _persistent)
                except Exception:  # noqa: BLE001 - not plain data: not a probe
                    sent = None
                if sent is not None and len(sent) <= diagnose.MAX_PROBE_CHARS:
                    recorder.calls.setdefault(name, []).append(
                        _placed(diagnose.Probe(name, sent, torch.is_grad_enabled(), {}), caller))
            return fn(*args, **kwargs)

        wrapper.__wrapped__ = fn
        return wrapper

    def _sent(self, args, kwargs):
        try:
            with testing.not_recorded():
                sent = bridge.dumps_args([list(args), kwargs], _persistent)
        except Exception:  # noqa: BLE001 - not plain data
            return None
        return sent if len(sent) <= diagnose.MAX_PROBE_CHARS else None

    def wrap_class(self, name, cls):
        """A subclass that records, as the test kernel would, the objects test cells make and what they call on
        them (its name and qualname are the class's own)."""
        recorder, files = self, self.test_files

        def from_test(depth=2):
            return sys._getframe(depth).f_code.co_filename in files

        def script_of(obj):
            script = object.__getattribute__(obj, "__dict__").get("_diag_script")
            return script if script is not None and not script.closed else None

        def add(script, what):
            if len(script.steps) >= diagnose.MAX_STEPS:
                script.closed = True
            else:
                script.steps.append(what)

        def __init__(obj, *args, **kwargs):
            script = None
            if from_test() and len(recorder.calls.get(name, [])) < diagnose.SCRIPTS_PER_CLASS:
                sent = recorder._sent(args, kwargs)
                if sent is not None:
                    script = diagnose.Probe(name, sent, torch.is_grad_enabled(), {}, steps=[])
                    recorder.calls.setdefault(name, []).append(_placed(script, sys._getframe(1).f_code.co_filename))
            cls.__init__(obj, *args, **kwargs)
            object.__setattr__(obj, "_diag_script", script)

        def __getattribute__(obj, attr):
            value = cls.__getattribute__(obj, attr)
            if attr.startswith("_") or not from_test():
                return value
            script = script_of(obj)
            if script is None:
                return value
            if inspect.ismethod(value):
                def method(*args, **kwargs):
                    sent = recorder._sent(args, kwargs)
                    if sent is None:
                        script.closed = True
                    elif not script.closed:
                        add(script, (attr, sent, torch.is_grad_enabled()))
                    out = value(*args, **kwargs)
                    _end_unless_plain(script, out)
                    return out
                return method
            try:
                bridge.encode(value)
                add(script, ("." + attr, "", False))
            except bridge.BridgeError:  # another object: the grader's script ends here
                script.closed = True
            return value

        def __call__(obj, *args, **kwargs):
            script = script_of(obj) if from_test() else None
            if script is not None:
                sent = recorder._sent(args, kwargs)
                if sent is None:
                    script.closed = True
                else:
                    add(script, ("__call__", sent, torch.is_grad_enabled()))
            out = cls.__call__(obj, *args, **kwargs)
            if script is not None:
                _end_unless_plain(script, out)
            return out

        body = {"__init__": __init__, "__getattribute__": __getattribute__, "__module__": cls.__module__,
                "__qualname__": cls.__qualname__, "_diag_original": cls}
        if callable(getattr(cls, "__call__", None)) and "__call__" in dir(cls):
            body["__call__"] = __call__
        try:
            return type(cls.__name__, (cls,), body)
        except TypeError:
            return cls


def _end_unless_plain(script, value) -> None:
    """A step whose result would cross as a handle (an object, a generator): the grader's script ends there."""
    try:
        bridge.encode(value)
    except bridge.BridgeError:
        if script.steps and not script.closed:
            script.steps.pop()
        script.closed = True


_RECORDED: dict = {}
_ORDER = itertools.count()


def _placed(probe, cell: str):
    """A probe with the test cell that made the call and its place among all the calls of the run."""
    probe.cell, probe.seq = cell, next(_ORDER)
    return probe


def record_probes(assignment: str):
    """(probes by function name, the reference namespace: setup cells and reference solution cells), once per
    assignment and process."""
    if assignment not in _RECORDED:
        _RECORDED[assignment] = _record_probes(assignment)
    return _RECORDED[assignment]


def _record_probes(assignment: str):
    cells = harness.source_cells(assignment)
    tests = {f"<{grade_id(c)}>" for c in cells if is_test_cell(c)}
    recorder = Recorder(tests)
    namespace = harness._start()
    outcome = harness.Outcome({}, [])
    for cell in cells:
        if cell.cell_type != "code":
            continue
        if is_solution_cell(cell):
            harness._step(cell, {}, namespace, outcome, False)
            for name in diagnose.function_names(cell.source):
                value = namespace.get(name)
                if isinstance(value, type):
                    namespace[name] = recorder.wrap_class(name, value)
                elif callable(value):
                    namespace[name] = recorder.wrap(name, value)
        elif is_test_cell(cell):
            harness._step(cell, {}, namespace, outcome, False)
        elif nbgrader_meta(cell).get("locked"):
            harness._step(cell, {}, namespace, outcome, False)
    harness._finish()
    assert not outcome.failures, f"{assignment}: the reference fails {outcome.failures}"
    # the test kernel's names after the tests, the reference's functions unwrapped (what diagnose.run builds)
    clean = {k: (v.__dict__.get("_diag_original", v) if isinstance(v, type) else getattr(v, "__wrapped__", v))
             for k, v in namespace.items()}
    return recorder.calls, clean


def select(learner: list, reference: list, probes: list) -> list[int]:
    """Indexes of the probes the grader would keep. A learner's test cell stops at its first failed check, taken
    here to be its first call whose outcome differs from the reference's: the calls after it in that cell are
    never made. Of the calls made, the grader keeps the first few per name and the last call of each failing
    cell (see diagnose.py)."""
    order = sorted(range(len(probes)), key=lambda i: getattr(probes[i], "seq", i))
    made, last_of_failing, stopped = [], {}, set()
    for i in order:
        cell = getattr(probes[i], "cell", None)
        if cell in stopped:
            continue
        made.append(i)
        if not diagnose.same(learner[i], reference[i]):
            last_of_failing[cell] = i
            if cell is not None:
                stopped.add(cell)
    keep, seen = [], {}
    for i in made:
        seen[probes[i].name] = seen.get(probes[i].name, 0) + 1
        if seen[probes[i].name] <= diagnose.PROBES_PER_NAME:
            keep.append(i)
    return sorted(set(keep) | set(last_of_failing.values()))


@dataclass
class Tally:
    assignment: str
    wrong: int = 0  # WRONG variants with a diagnosis
    known: dict = field(default_factory=lambda: {"correct": 0, "wrong": 0, "none": 0})
    unseen: dict = field(default_factory=lambda: {"correct": 0, "wrong": 0, "none": 0, "generic": 0, "silent": 0,
                                                  "unjudged": 0})
    relations: dict = field(default_factory=dict)  # generic relation -> how many unseen variants got it
    right_diagnosed: list = field(default_factory=list)
    slow: list = field(default_factory=list)  # exercises the grader would give up on (out of time)
    details: list = field(default_factory=list)  # (grade_id, variant, diagnosis, verdict among the known ones)
    known_wrong: list = field(default_factory=list)
    unseen_wrong: list = field(default_factory=list)
    seconds: float = 0.0

    def row(self) -> str:
        k, u = self.known, self.unseen
        return (f"{self.assignment:34s} {self.wrong:4d}  known {k['correct']:3d}/{k['wrong']:2d}/{k['none']:3d}  "
                f"unseen {u['correct']:3d}/{u['generic']:3d}/{u['wrong']:2d}/{u['none']:3d} "
                f"(silent {u['silent']:3d}, unjudged {u['unjudged']:3d})  {self.seconds:5.1f}s")


def evaluate(assignment: str) -> Tally:
    started = time.monotonic()
    import importlib

    module = importlib.import_module(f"mutations.nb{assignment}")
    catalogue = diagnoses.load(assignment)
    tally = Tally(assignment)
    calls, clean = record_probes(assignment)
    source = read_notebook(source_notebook(assignment))
    sources = {grade_id(c): c.source for c in source.cells if is_solution_cell(c)}
    for ex in exercises_of(source):
        if ex.kind != "code":
            continue
        names = sorted({n for gid in ex.cells for n in diagnose.function_names(sources.get(gid, ""))})
        probes = [p for n in names for p in calls.get(n, [])]
        wrong = [(gid, name, code, catalogue.variants.get((gid, name))) for gid, name, code in module.WRONG
                 if gid in ex.cells and catalogue and catalogue.variants.get((gid, name))]
        right = [(gid, name, code) for gid, name, code in module.RIGHT if gid in ex.cells]
        tally.wrong += len(wrong)
        generic = not (catalogue and any(gid in catalogue.generic_off for gid in ex.cells))
        if not probes:
            tally.known["none"] += len(wrong)
            tally.unseen["none"] += len(wrong)
            tally.unseen["unjudged"] += len(wrong)
            continue
        try:
            with diagnose.time_limit(SLOW):
                reference = diagnose.replay(clean, probes)
        except diagnose.OutOfTime:  # the grader would run out of its time for this exercise
            tally.known["none"] += len(wrong)
            tally.unseen["none"] += len(wrong)
            tally.unseen["unjudged"] += len(wrong)
            tally.slow.append(ex.name)
            continue
        try:
            with diagnose.time_limit(SLOW):
                keep = diagnose.stable(clean, probes, reference)
        except diagnose.OutOfTime:
            keep = []
        probes, reference = [probes[i] for i in keep], [reference[i] for i in keep]
        if not probes:  # every probe draws on the random generators: the grader compares nothing
            tally.known["none"] += len(wrong)
            tally.unseen["none"] += len(wrong)
            tally.unseen["unjudged"] += len(wrong)
            continue
        outs = [_outcomes(clean, code, probes) for _, _, code, _ in wrong]
        if any(o is TIMEOUT for o in outs):  # the grader gives up on the exercise (diagnose.judge: out of time)
            tally.known["none"] += len(wrong)
            tally.unseen["none"] += len(wrong)
            tally.unseen["unjudged"] += len(wrong)
            tally.slow.append(ex.name)
            continue
        for k, (gid, name, code, diag) in enumerate(wrong):
            # the learner's code ran in the student kernel with the tests' random state, not the grader's seed
            learner = _outcomes(clean, code, probes, LEARNER_SEED) if outs[k] is not None else None
            if learner is None or learner is TIMEOUT:
                tally.known["none"] += 1
                tally.unseen["none"] += 1
                tally.unseen["unjudged"] += 1
                continue
            idx = select(learner, reference, probes)
            pick = lambda xs: [xs[i] for i in idx]  # noqa: E731
            cands = [(wrong[j][3], pick(outs[j])) for j in range(len(wrong)) if outs[j] is not None]
            others = [(wrong[j][3], pick(outs[j])) for j in range(len(wrong)) if outs[j] is not None and j != k]
            for kind, pool, bad in (("known", cands, tally.known_wrong), ("unseen", others, tally.unseen_wrong)):
                found = diagnose.choose(pick(learner), pick(reference), pool)
                verdict = "none" if found is None else "correct" if found == diag else "wrong"
                if kind == "unseen" and found is None and generic:  # the second tier: a relation
                    relation = relations.relate(pick(learner), pick(reference), pick(probes))
                    if relation:
                        verdict = "generic"
                        base = relation.split("(")[0]
                        tally.relations[base] = tally.relations.get(base, 0) + 1
                    elif all(diagnose.same(x, r) for x, r in zip(pick(learner), pick(reference))):
                        tally.unseen["silent"] += 1  # agrees with the reference on every kept probe
                getattr(tally, kind)[verdict] += 1
                if kind == "known":
                    tally.details.append((gid, name, diag, verdict))
                if verdict == "wrong":
                    bad.append((gid, name, diag, found))
        for gid, name, code in right:
            learner = _outcomes(clean, code, probes, LEARNER_SEED)
            if learner is None or learner is TIMEOUT:
                continue
            idx = select(learner, reference, probes)
            cands = [(wrong[j][3], [outs[j][i] for i in idx]) for j in range(len(wrong)) if outs[j] is not None]
            found = diagnose.choose([learner[i] for i in idx], [reference[i] for i in idx], cands)
            if found is None and generic:  # nor the generic tier: a RIGHT variant passed, it is told nothing
                found = relations.relate([learner[i] for i in idx], [reference[i] for i in idx],
                                         [probes[i] for i in idx])
            if found is not None:
                tally.right_diagnosed.append((gid, name, found))
    tally.seconds = time.monotonic() - started
    return tally


def _outcomes(clean: dict, code: str, probes: list, seed: int = diagnose.SEED):
    space = dict(clean)
    try:
        with diagnose.time_limit(SLOW):
            diagnose.run_cell(code, space, "variant")
            return diagnose.replay(space, probes, seed)
    except diagnose.OutOfTime:
        return TIMEOUT
    except Exception:  # noqa: BLE001 - a variant that does not run as a cell matches nothing
        return None


def main(argv: list[str]) -> int:
    from course.notebooks import assignments

    names = argv or [a for a in assignments() if diagnoses.load(a)]
    total = Tally("total")
    print(f"{'assignment':34s} WRONG  known correct/wrong/none  unseen catalogue-correct/generic/wrong/none "
          "(of none: silent agrees with the reference on every kept probe; unjudged: no probes, out of time)")
    for name in names:
        t = evaluate(name)
        print(t.row(), flush=True)
        for bad in t.known_wrong + t.unseen_wrong + t.right_diagnosed:
            print("    ", bad)
        total.wrong += t.wrong
        total.seconds += t.seconds
        for kind in ("known", "unseen"):
            for key in getattr(t, kind):
                getattr(total, kind)[key] += getattr(t, kind)[key]
        for key, n in t.relations.items():
            total.relations[key] = total.relations.get(key, 0) + n
    print(total.row())
    print("generic relations (unseen):", ", ".join(f"{k} {n}" for k, n in sorted(total.relations.items(),
                                                                                key=lambda kv: -kv[1])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
