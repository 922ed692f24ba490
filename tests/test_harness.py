"""tests/harness.py's Batch (one replay, a fork per variant) gives exactly what a fresh replay gives."""
import importlib

import pytest

from harness import Batch, Variant, VariantError, run, solution_ids

ASSIGNMENT = "09_compression_deployment"  # the cheapest replay


def _variants():
    module = importlib.import_module(f"mutations.nb{ASSIGNMENT}")
    wrong = [(c, code, True) for c, _, code in module.WRONG[::6]]
    right = [(c, code, False) for c, _, code in module.RIGHT[::3]]
    return wrong + right + [(c, code, False) for c, _, code in module.WRONG[1::9]]  # wrong ones run to the end


def test_batch_outcomes_equal_fresh_replays():
    variants = _variants()
    batch = Batch(ASSIGNMENT, {i: Variant({c: code}, stop) for i, (c, code, stop) in enumerate(variants)})
    for i, (cell, code, stop) in reversed(list(enumerate(variants))):  # any order of pulls
        fresh = run(ASSIGNMENT, {cell: code}, stop_at_first_failure=stop)
        forked = batch.outcome(i)
        assert (list(forked.failures), forked.passed) == (list(fresh.failures), fresh.passed), (cell, code)
    # the end of the replay the variants forked from is the reference's own outcome (test_mutations uses it)
    reference, fresh = batch.reference(), run(ASSIGNMENT)
    assert (list(reference.failures), reference.passed) == (list(fresh.failures), fresh.passed)
    assert reference.passed, "the reference's replay ran no test cell"
    # also when no variant was pulled before: the walk forks them on the way
    wrong = [(c, code) for c, _, code in importlib.import_module(f"mutations.nb{ASSIGNMENT}").WRONG[:3]]
    early = Batch(ASSIGNMENT, {i: Variant({c: code}, True) for i, (c, code) in enumerate(wrong)})
    reference = early.reference()
    assert (list(reference.failures), reference.passed) == (list(fresh.failures), fresh.passed)
    assert all(early.outcome(i).failures for i in range(len(wrong)))


def test_a_variant_that_hangs_is_stopped_and_fails():
    cell = solution_ids(ASSIGNMENT)[0]
    batch = Batch(ASSIGNMENT, {"hang": Variant({cell: "while True:\n    pass"})}, timeout=3)
    outcome = batch.outcome("hang")
    assert "(timeout)" in outcome.failures


def test_a_variant_that_kills_its_process_is_an_error_not_a_pass():
    cell = solution_ids(ASSIGNMENT)[-1]
    batch = Batch(ASSIGNMENT, {"exit": Variant({cell: "import os\nos._exit(3)"})})
    with pytest.raises(VariantError, match="died without a report"):
        batch.outcome("exit")
