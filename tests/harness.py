"""Run a source notebook's tests in-process against swapped-in implementations.

This is how tests/ proves the hidden tests catch each wrong implementation
kept in tests/mutations/ and accept each right one. It executes, in notebook
order, the read-only code cells (setup and helpers), the solution cells (the
reference, or a replacement for one grade_id), and every autograded test cell,
just as nbgrader would, but in one Python process so hundreds of variants run
in seconds. Free cells (examples, plots) are skipped: tests never depend on them.

`run` replays the notebook once for one set of replacements. `Batch` grades many
variants of one assignment with one replay: it executes the reference cells in
order and, at the first cell a variant replaces, forks; the child runs that
variant and the rest of the notebook and reports its `Outcome` through a pipe,
while the parent, untouched, carries on with the reference. A child starts from
exactly the state a fresh replay would have reached at that cell (same globals,
same RNG state), so its outcome is the one `run` would give.
"""
from __future__ import annotations

import os
import pickle
import select
import signal
import time
import traceback
import warnings
from dataclasses import dataclass
from typing import Hashable, Iterator

os.environ.setdefault("MPLBACKEND", "Agg")

from course.grader.report import one_line  # noqa: E402
from course.notebooks import (grade_id, is_solution_cell, is_test_cell, nbgrader_meta, read_notebook,  # noqa: E402
                              source_notebook)

_CACHE: dict = {}
# a forked variant that runs longer than this is killed and counted as failing (nbgrader would time it out too)
VARIANT_TIMEOUT = float(os.environ.get("COURSE_VARIANT_TIMEOUT", "300"))


def source_cells(assignment: str) -> list:
    if assignment not in _CACHE:
        _CACHE[assignment] = read_notebook(source_notebook(assignment)).cells
    return _CACHE[assignment]


def solution_ids(assignment: str) -> list[str]:
    return [grade_id(c) for c in source_cells(assignment) if is_solution_cell(c)]


def test_ids(assignment: str) -> list[str]:
    return [grade_id(c) for c in source_cells(assignment) if is_test_cell(c)]


@dataclass
class Outcome:
    failures: dict  # test grade_id -> one-line error
    passed: list

    def summary(self) -> str:
        return "; ".join(f"{k}: {v}" for k, v in self.failures.items()) or "all tests passed"


def _one_line(err: BaseException) -> str:
    return one_line(f"{type(err).__name__}: {err}", 300)


def _check(assignment: str, replace: dict) -> None:
    unknown = set(replace) - set(solution_ids(assignment))
    if unknown:
        raise KeyError(f"{assignment} has no solution cell {sorted(unknown)}")


def _exec(code: str, gid: str, namespace: dict) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(code, f"<{gid}>", "exec"), namespace)


def _step(cell, replace: dict, namespace: dict, outcome: Outcome, stop_at_first_failure: bool) -> bool:
    """Execute one cell as nbgrader would; True when the replay should stop here."""
    if cell.cell_type != "code":
        return False
    gid = grade_id(cell)
    if is_test_cell(cell):
        try:
            _exec(cell.source, gid, namespace)
            outcome.passed.append(gid)
        except Exception as err:  # a failing test is data here
            outcome.failures[gid] = _one_line(err)
            return stop_at_first_failure
    elif is_solution_cell(cell):
        try:
            _exec(replace.get(gid, cell.source), gid, namespace)
        except Exception as err:
            outcome.failures[gid] = "solution cell raised " + _one_line(err)
    elif nbgrader_meta(cell).get("locked"):
        exec(compile(cell.source, f"<{gid}>", "exec"), namespace)
    return False


def _start() -> dict:
    import matplotlib

    matplotlib.use("Agg", force=True)
    return {"__name__": "__main__"}


def _finish() -> None:
    import matplotlib.pyplot as plt

    plt.close("all")


def run(assignment: str, replace: dict[str, str] | None = None, stop_at_first_failure: bool = False) -> Outcome:
    """Execute the notebook's graded path with ``replace[grade_id]`` swapped in for solution cells."""
    replace = dict(replace or {})
    _check(assignment, replace)
    namespace = _start()
    outcome = Outcome({}, [])
    for cell in source_cells(assignment):
        if _step(cell, replace, namespace, outcome, stop_at_first_failure):
            break
    _finish()
    return outcome


def _rng_state() -> tuple:
    import random

    import numpy as np
    import torch

    return random.getstate(), np.random.get_state(), torch.get_rng_state()


def _set_rng_state(state: tuple) -> None:
    import random

    import numpy as np
    import torch

    random.setstate(state[0])
    np.random.set_state(state[1])
    torch.set_rng_state(state[2])


@dataclass(frozen=True)
class Variant:
    replace: dict  # solution grade_id -> cell source
    stop_at_first_failure: bool = False


class VariantError(RuntimeError):
    """A variant's replay raised outside a solution or test cell (a read-only cell, or the harness itself)."""


class Batch:
    """Outcomes of many variants of one assignment from one replay of its reference, forking per variant.

    ``outcome(key)`` advances the replay only as far as that key's variant needs, so each pytest test
    pays for its own variant (and the reference cells before it), and a test selected alone forks only
    for itself.
    """

    def __init__(self, assignment: str, variants: dict[Hashable, Variant], timeout: float = VARIANT_TIMEOUT):
        self.assignment = assignment
        self.timeout = timeout
        cells = source_cells(assignment)
        position = {grade_id(c): i for i, c in enumerate(cells) if is_solution_cell(c)}
        self._at: dict[int, list] = {}
        for key, variant in variants.items():
            _check(assignment, variant.replace)
            first = min((position[g] for g in variant.replace), default=len(cells))
            self._at.setdefault(first, []).append((key, variant))
        self.keys = set(variants)
        self._results: dict = {}
        self._replay: Iterator | None = None
        self._reference: Outcome | None = None

    def outcome(self, key: Hashable) -> Outcome:
        if key not in self.keys:
            raise KeyError(f"{self.assignment}: variant {key!r} is not in this batch")
        self._advance(lambda: key in self._results, f"variant {key!r}")
        result = self._results[key]
        if isinstance(result, str):
            raise VariantError(f"{self.assignment} {key!r}: {result}")
        return result

    def reference(self) -> Outcome:
        """The reference's own outcome: the replay every variant forks from, run to its end (variants not yet
        pulled are forked on the way). The parent replays exactly what `run(assignment)` does, so this is its
        outcome, without a replay of its own."""
        self._advance(lambda: self._reference is not None, "its end")
        return self._reference

    def _advance(self, done, what: str) -> None:
        import torch

        if self._replay is None:
            self._replay = self._walk()
        threads = torch.get_num_threads()
        torch.set_num_threads(1)  # an OpenMP pool does not survive a fork (make test runs one thread anyway)
        try:
            while not done():
                try:
                    next(self._replay)
                except StopIteration:
                    if done():
                        break
                    raise VariantError(f"{self.assignment}: the replay ended before {what}") from None
        finally:
            torch.set_num_threads(threads)

    def _walk(self) -> Iterator[None]:
        cells = source_cells(self.assignment)
        namespace = _start()
        outcome = Outcome({}, [])
        try:
            for i in range(len(cells) + 1):
                for key, variant in self._at.get(i, []):
                    self._results[key] = self._fork(cells, i, variant, namespace, outcome)
                    # other tests may run before the next pull: give the replay back the RNG state it had
                    state = _rng_state()
                    yield
                    _set_rng_state(state)
                if i < len(cells):
                    _step(cells[i], {}, namespace, outcome, False)
            self._reference = outcome
        finally:
            _finish()

    def _fork(self, cells, start: int, variant: Variant, namespace: dict, before: Outcome) -> Outcome | str:
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: run this variant from `start` on, send the outcome, never return
            code = 1
            try:
                os.close(read_end)
                signal.signal(signal.SIGALRM, signal.SIG_DFL)  # the parent's pytest-timeout handler is not ours
                outcome = Outcome(dict(before.failures), list(before.passed))
                for cell in cells[start:]:
                    if _step(cell, variant.replace, namespace, outcome, variant.stop_at_first_failure):
                        break
                payload = pickle.dumps(outcome)
                code = 0
            except BaseException:  # noqa: B036 - everything goes back to the parent
                payload = pickle.dumps(traceback.format_exc(limit=-3))
            try:
                view = memoryview(payload)
                while view:
                    view = view[os.write(write_end, view):]
            finally:
                os._exit(code)
        os.close(write_end)
        chunks, deadline, timed_out = [], time.monotonic() + self.timeout, False
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([read_end], [], [], left)[0]:
                    timed_out = True
                    os.kill(pid, signal.SIGKILL)
                    break
                chunk = os.read(read_end, 1 << 16)
                if not chunk:
                    break
                chunks.append(chunk)
        finally:
            os.close(read_end)
            _, status = os.waitpid(pid, 0)
        if timed_out:
            return Outcome({"(timeout)": f"the variant ran past {self.timeout:.0f}s and was stopped"}, [])
        if not chunks:
            return f"the forked replay died without a report (wait status {status})"
        result = pickle.loads(b"".join(chunks))
        return result if isinstance(result, Outcome) else f"the replay raised\n{result}"
