"""Every wrong implementation in tests/mutations/ loses points; every right one scores full.

Each module tests/mutations/nbNN_<assignment>.py defines ASSIGNMENT, WRONG and
RIGHT: lists of (solution grade_id, variant name, full cell source). A test
class per assignment keeps each assignment on one xdist worker.

The variants of one assignment share one replay of its reference notebook
(harness.Batch forks at each variant's cell), so a variant costs only the cells
from its own solution cell on; each variant is still its own test, with its
own verdict and message. Only the variants pytest selected are run. The reference's own
outcome is the end of that same replay (harness.Batch.reference).
"""
from __future__ import annotations

import importlib
import pkgutil

import pytest

import mutations
from harness import Batch, Variant, run, solution_ids

_WRONG, _RIGHT = "test_wrong_implementation_loses_points", "test_right_implementation_scores_full"
_BATCHES: dict = {}


def _modules():
    for info in sorted(pkgutil.iter_modules(mutations.__path__), key=lambda i: i.name):
        if not info.name.startswith("nb"):  # _patch.py: the helper, not a suite
            continue
        yield importlib.import_module(f"mutations.{info.name}")


def _batch(request, assignment: str) -> Batch:
    """One Batch per assignment and process, holding the variants of this class that this session runs."""
    if assignment not in _BATCHES:
        variants = {}
        for item in request.session.items:
            if getattr(item, "cls", None) is not request.cls or getattr(item, "originalname", None) not in (_WRONG, _RIGHT):
                continue
            params = item.callspec.params
            key = (item.originalname, params["cell"], params["name"], params["code"])
            variants[key] = Variant({params["cell"]: params["code"]}, stop_at_first_failure=item.originalname == _WRONG)
        _BATCHES[assignment] = Batch(assignment, variants)
    return _BATCHES[assignment]


def _outcome(request, assignment: str, kind: str, cell: str, name: str, code: str):
    batch = _batch(request, assignment)
    key = (kind, cell, name, code)
    if key not in batch.keys:  # not collected in this session's items (a plugin re-ran it, say): replay alone
        return run(assignment, {cell: code}, stop_at_first_failure=kind == _WRONG)
    return batch.outcome(key)


def _make_class(module):
    assignment = module.ASSIGNMENT

    class _Mutations:
        @pytest.mark.parametrize("cell,name,code", module.WRONG, ids=[f"{c}-{n}" for c, n, _ in module.WRONG])
        def test_wrong_implementation_loses_points(self, request, cell, name, code):
            outcome = _outcome(request, assignment, _WRONG, cell, name, code)
            assert outcome.failures, f"{assignment}: the wrong {cell} ({name}) passed every test"

        @pytest.mark.parametrize("cell,name,code", module.RIGHT, ids=[f"{c}-{n}" for c, n, _ in module.RIGHT])
        def test_right_implementation_scores_full(self, request, cell, name, code):
            outcome = _outcome(request, assignment, _RIGHT, cell, name, code)
            assert not outcome.failures, f"{assignment}: the correct {cell} ({name}) failed: {outcome.summary()}"

        def test_reference_passes_every_test(self, request):
            """After the variants (pytest runs a class's tests in this order): the reference's outcome is the
            end of the replay they forked from, not a replay of its own."""
            outcome = _batch(request, assignment).reference()
            assert not outcome.failures, outcome.summary()

        def test_every_exercise_has_three_wrong_implementations(self):
            counts = {gid: 0 for gid in solution_ids(assignment)}
            for cell, _, _ in module.WRONG:
                counts[cell] = counts.get(cell, 0) + 1
            thin = {gid: n for gid, n in counts.items() if n < 3}
            assert not thin, f"{assignment}: exercises with fewer than 3 mutation tests: {thin}"

    _Mutations.__name__ = f"TestMutations_{assignment}"
    _Mutations.__qualname__ = _Mutations.__name__
    return _Mutations


for _module in _modules():
    _cls = _make_class(_module)
    globals()[_cls.__name__] = _cls
