"""Every wrong implementation in tests/mutations/ loses points; every right one scores full.

Each module tests/mutations/nbNN_<assignment>.py defines ASSIGNMENT, WRONG and
RIGHT: lists of (solution grade_id, variant name, full cell source). A test
class per assignment keeps each assignment on one xdist worker.
"""
from __future__ import annotations

import importlib
import pkgutil

import pytest

import mutations
from harness import run, solution_ids


def _modules():
    for info in sorted(pkgutil.iter_modules(mutations.__path__), key=lambda i: i.name):
        yield importlib.import_module(f"mutations.{info.name}")


def _make_class(module):
    assignment = module.ASSIGNMENT

    class _Mutations:
        def test_reference_passes_every_test(self):
            outcome = run(assignment)
            assert not outcome.failures, outcome.summary()

        @pytest.mark.parametrize("cell,name,code", module.WRONG, ids=[f"{c}-{n}" for c, n, _ in module.WRONG])
        def test_wrong_implementation_loses_points(self, cell, name, code):
            outcome = run(assignment, {cell: code}, stop_at_first_failure=True)
            assert outcome.failures, f"{assignment}: the wrong {cell} ({name}) passed every test"

        @pytest.mark.parametrize("cell,name,code", module.RIGHT, ids=[f"{c}-{n}" for c, n, _ in module.RIGHT])
        def test_right_implementation_scores_full(self, cell, name, code):
            outcome = run(assignment, {cell: code})
            assert not outcome.failures, f"{assignment}: the correct {cell} ({name}) failed: {outcome.summary()}"

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
