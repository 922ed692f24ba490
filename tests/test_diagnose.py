"""Behavioural diagnoses (course/grader/diagnose.py): the matcher, the recording, and every assignment's variants.

- unit tests of the matcher: agreement within tolerance, NaN, exceptions, a learner who matches the reference
  or two diagnoses gets none;
- the recording the test kernel does: the first calls per function, always the last call of a failing cell;
- per assignment, the in-process measure of tests/diagnose_eval.py: every WRONG variant with a diagnosis
  is named correctly or not at all (never wrongly), every RIGHT variant gets none.
"""
from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch

import diagnose_eval
from course import diagnoses
from course.grader import bridge, diagnose
from course.notebooks import assignments


def _probe(name, *args, **kwargs):
    sent = bridge.dumps_args([list(args), kwargs], diagnose_eval._persistent)
    return diagnose.Probe(name, sent, True, {})


def _value(x):
    return {"value": bridge.encode(x), "changes": [], "kwchanges": {}}


# ------------------------------------------------------------------------------------------------ same
def test_tensors_agree_within_tolerance_and_nan_equals_nan():
    a = torch.tensor([1.0, float("nan"), float("inf"), -2.0])
    assert diagnose.same(_value(a), _value(a + 1e-7))
    assert not diagnose.same(_value(a), _value(a.double()))  # float64 where float32 came back: another outcome
    assert not diagnose.same(_value(a), _value(a + 1e-2))
    assert not diagnose.same(_value(a), _value(torch.tensor([1.0, 0.0, float("inf"), -2.0])))
    assert not diagnose.same(_value(a), _value(a.reshape(2, 2)))
    assert not diagnose.same(_value(torch.ones(3)), _value(torch.ones(3, dtype=torch.bool)))
    assert not diagnose.same(_value(torch.ones(3)), _value(1.0))


def test_numbers_containers_and_requires_grad():
    assert diagnose.same(_value(1.0), _value(1.0 + 1e-9)) and not diagnose.same(_value(1.0), _value(1.1))
    assert diagnose.same(_value(float("nan")), _value(float("nan")))
    assert not diagnose.same(_value(3), _value(4)) and not diagnose.same(_value(True), _value(1))
    assert diagnose.same(_value({"a": [1, (2.0, "x")]}), _value({"a": [1, (2.0, "x")]}))
    assert not diagnose.same(_value({"a": [1, 2]}), _value({"a": [1, 2, 3]}))
    assert diagnose.same(_value(torch.ones(2, requires_grad=True) * 1), _value(torch.ones(2)))
    assert diagnose.same(_value(torch.ones(2).numpy()), _value(torch.ones(2).numpy() + 1e-9))
    changed = {"$": "tensor", "value": bridge.encode(torch.zeros(2))}  # an argument changed in place
    assert diagnose.same(changed, {"$": "tensor", "value": bridge.encode(torch.zeros(2))})
    assert not diagnose.same(changed, {"$": "tensor", "value": bridge.encode(torch.ones(2))})
    assert not diagnose.same(changed, None)


def test_exceptions_agree_only_on_type_and_first_line():
    a = {"error": ["ValueError", "bad shape"]}
    assert diagnose.same(a, {"error": ["ValueError", "bad shape"]})
    assert not diagnose.same(a, {"error": ["TypeError", "bad shape"]})
    assert not diagnose.same(a, {"error": ["ValueError", "other"]})
    assert not diagnose.same(a, _value(1.0))


# ------------------------------------------------------------------------------------------------ choose
def test_choose_names_the_single_diagnosis_that_fires():
    ref, learner = [_value(1.0), _value(2.0)], [_value(1.0), _value(5.0)]
    fires, agrees_with_ref, other = [_value(1.0), _value(5.0)], list(ref), [_value(9.0), _value(5.0)]
    assert diagnose.choose(learner, ref, [("d1", fires), ("d2", other), ("d3", agrees_with_ref)]) == "d1"
    assert diagnose.choose(learner, ref, [("d1", fires), ("d1", list(fires))]) == "d1"  # two variants, one mistake


def test_choose_says_nothing_on_two_diagnoses_none_or_a_reference_match():
    ref, learner = [_value(1.0)], [_value(5.0)]
    assert diagnose.choose(learner, ref, [("d1", [_value(5.0)]), ("d2", [_value(5.0)])]) is None
    assert diagnose.choose(learner, ref, [("d1", [_value(4.0)])]) is None
    assert diagnose.choose(ref, ref, [("d1", list(ref))]) is None  # the learner agrees with the reference
    assert diagnose.choose([], [], [("d1", [])]) is None


# ------------------------------------------------------------------------------------------------ recording
def test_recording_keeps_the_first_calls_and_the_last_call_of_a_failing_cell():
    log = diagnose._Log()
    for i in range(7):
        diagnose.record("f", f"args{i}", True, {"value": i, "changes": [], "kwchanges": {}}, log)
    diagnose.cell_ended("test cell", True, log)
    assert [p.args for p in log.probes["f"]] == ["args0", "args1", "args2", "args3"]
    diagnose.record("g", "g-args", True, {"value": {"$": "handle", "id": 1}}, log)  # a handle: no probe
    diagnose.record("f", "args-late", True, {"error": {"type": "ValueError", "message": "no\nmore"}}, log)
    diagnose.cell_ended("failing cell", False, log)
    assert log.probes["f"][-1].args == "args-late" and log.probes["f"][-1].outcome == {"error": ["ValueError", "no"]}
    diagnose.record("g", "g-args", True, {"value": [{"$": "handle", "id": 1}]}, log)
    diagnose.cell_ended("failing cell", False, log)
    assert not log.probes["g"] and [ok for _, ok in log.cells] == [True, False, False]


def test_an_object_made_by_a_top_level_class_is_recorded_as_a_script():
    log = diagnose._Log()
    value = {"value": 1, "changes": [], "kwchanges": {}}
    diagnose.new_object(7, "Cache", "ctor", True, log)
    diagnose.step(7, "call-args", True, value, log)  # cache(x)
    diagnose.attribute(7, "append", {"value": {"$": "handle", "id": 8, "type": "method"}}, log)
    diagnose.step(8, "append-args", True, value, log)  # cache.append(x)
    diagnose.attribute(7, "length", {"value": 3}, log)  # cache.length
    script = log.probes["Cache"][0]
    assert [s[0] for s in script.steps] == ["__call__", "append", ".length"] and len(script.outcome["steps"]) == 3
    diagnose.touched(8, log)  # the method was handed to something the script does not record
    diagnose.step(7, "more", True, value, log)
    assert len(script.steps) == 3 and script.closed
    diagnose.new_object(9, "Cache", "ctor2", True, log)
    diagnose.attribute(9, "child", {"value": {"$": "handle", "id": 10, "type": "Linear"}}, log)  # another object
    assert log.probes["Cache"][1].closed and not log.probes["Cache"][1].steps


def test_a_script_replays_on_the_variants_classes():
    base = {"torch": torch}
    reference = "class Counter:\n    def __init__(self, start):\n        self.n = start\n" \
                "    def add(self, k):\n        self.n += k\n        return self.n\n"
    diagnose.run_cell(reference, base, "reference")
    probe = diagnose.Probe("Counter", _probe("Counter", 1).args, True, {}, steps=[
        ("add", _probe("add", 2).args, True), ("add", _probe("add", 3).args, True), (".n", "", False)])
    twice = reference.replace("self.n += k", "self.n += 2 * k")
    learner = diagnose.call(lambda start: _load(twice)(start), probe)
    assert [s["value"] for s in learner["steps"]] == [5, 11, 11]
    assert diagnose.judge(base, [probe], [("adds_twice", twice)], learner=[learner])[0] == "adds_twice"
    assert diagnose.judge(base, [probe], [("adds_twice", twice)], learner=[diagnose.call(base["Counter"], probe)]) \
        == (None, "agrees with the reference")


def _load(code):
    space = {"torch": torch}
    diagnose.run_cell(code, space, "learner")
    return space["Counter"]


def test_judge_replays_variants_on_the_probes():
    base = {"torch": torch}
    diagnose.run_cell("def softmax(x, dim=-1):\n    return torch.softmax(x, dim=dim)\n", base, "reference")
    variants = [("ignores_dim", "def softmax(x, dim=-1):\n    return torch.softmax(x, dim=-1)\n"),
                ("no_normalisation", "def softmax(x, dim=-1):\n    return torch.exp(x)\n"),
                ("broken", "def softmax(x, dim=-1):\n    raise ValueError('no')\n")]
    x = torch.randn(3, 4)
    probes = [_probe("softmax", x, dim=0), _probe("softmax", x)]
    learner = [diagnose.call(lambda x, dim=-1: torch.softmax(x, -1), p) for p in probes]  # as the reply says it
    assert diagnose.judge(base, probes, variants, learner=learner)[0] == "ignores_dim"
    right = [diagnose.call(lambda x, dim=-1: torch.softmax(x, dim), p) for p in probes]
    assert diagnose.judge(base, probes, variants, learner=right) == (None, "agrees with the reference")
    raised = [{"error": ["ValueError", "no"]}] * 2
    assert diagnose.judge(base, probes, variants, learner=raised)[0] == "broken"
    tie = variants + [("other", variants[2][1])]
    assert diagnose.judge(base, probes, tie, learner=raised, generic=False)[0] is None
    # two catalogue diagnoses: none of them; the generic tier states the learner's own error
    assert diagnose.judge(base, probes, tie, learner=raised) == ("generic_raises(error=ValueError)",
                                                                "no single diagnosis; generic")


def test_calls_that_draw_on_the_random_generators_are_not_compared():
    base = {"torch": torch}
    diagnose.run_cell("def noise(n):\n    return torch.randn(n)\n", base, "reference")
    probes = [_probe("noise", 3)]
    learner = [diagnose.call(lambda n: torch.zeros(n), probes[0])]
    variants = [("zeros", "def noise(n):\n    return torch.zeros(n)\n")]
    assert diagnose.judge(base, probes, variants, learner=learner) == (
        None, "every probe draws on the random generators")


def test_the_step_never_runs_past_the_submissions_time_limit(capsys):
    import time

    diagnose.run("01_attention", "unused.ipynb", [], "unused", until=time.time() - 1)
    details = {}
    assert diagnose.parse(capsys.readouterr().out, details) == {} and details["why"] == "no time left"


def test_parse_reads_only_the_marked_line():
    text = "noise\n" + diagnose.MARK + '{"diagnoses": {"softmax": "softmax_no_shift"}}\nmore'
    assert diagnose.parse(text) == {"softmax": "softmax_no_shift"}
    assert diagnose.parse("nothing") == {} and diagnose.parse(diagnose.MARK + "{broken") == {}


# ------------------------------------------------------------------------------------------------ every exercise
CATALOGUED = [a for a in assignments() if diagnoses.load(a)]


@pytest.mark.parametrize("assignment", CATALOGUED)
def test_known_mistakes_are_named_correctly_or_not_at_all(assignment):
    tally = diagnose_eval.evaluate(assignment)
    print(tally.row())
    assert not tally.known_wrong, f"{assignment}: wrong diagnoses of known variants: {tally.known_wrong}"
    assert not tally.right_diagnosed, f"{assignment}: RIGHT variants diagnosed: {tally.right_diagnosed}"
    # measured (December 2026): 994 of 1335 WRONG variants named, from 37% (07) to 98% (02) per assignment;
    # the rest agree with the reference on every call the tests make, tie with another mistake, or are classes
    assert tally.known["correct"] >= 0.15 * tally.wrong, f"{assignment}: only {tally.row()}"
    assert math.isfinite(tally.seconds)


# Wrong implementations written by hand, not in tests/mutations/ (the matcher never saw their code): (assignment,
# grade_id) -> [(label, the catalogue's diagnosis of that mistake or None when it has none, cell source)]
HAND_WRITTEN = {
    ('01_attention', 'softmax'): [
        ('torch_softmax_float64', None, """
def softmax(x, dim=-1):
    return torch.softmax(x.double(), dim=dim)
"""),
        ('no_shift_via_exp_div', 'softmax_no_shift', """
def softmax(x, dim=-1):
    return x.exp() / x.exp().sum(dim, keepdim=True)
"""),
        ('shift_min', None, """
def softmax(x, dim=-1):
    e = torch.exp(x - x.amin(dim=dim, keepdim=True))
    return e / e.sum(dim=dim, keepdim=True)
"""),
        ('sum_over_all', None, """
def softmax(x, dim=-1):
    e = torch.exp(x - x.amax(dim=dim, keepdim=True))
    return e / e.sum()
"""),
    ],
    ('01_attention', 'causal_mask'): [
        ('ones_minus_triu', 'mask_transposed', """
def causal_mask(seq_len):
    return ~torch.ones(seq_len, seq_len, dtype=torch.bool).tril(-1)
"""),
        ('int_mask', None, """
def causal_mask(seq_len):
    return torch.ones(seq_len, seq_len, dtype=torch.int64).tril()
"""),
        ('superdiag', None, """
def causal_mask(seq_len):
    return torch.ones(seq_len, seq_len, dtype=torch.bool).tril(1)
"""),
    ],
    ('01_attention', 'self_attention_flops'): [
        ('only_qk', 'flops_forgets_av', """
def self_attention_flops(seq_len, d_model):
    return 2 * seq_len ** 2 * d_model + 8 * seq_len * d_model ** 2
"""),
        ('float', 'flops_returns_float', """
def self_attention_flops(seq_len, d_model):
    return 4.0 * seq_len ** 2 * d_model + 8 * seq_len * d_model ** 2
"""),
        ('no_proj_at_all', None, """
def self_attention_flops(seq_len, d_model):
    return 4 * seq_len ** 2 * d_model
"""),
    ],
    ('02_positional_encoding', 'sinusoidal_encoding'): [
        ('sin_cos_swapped', 'pe_sin_cos_swapped', """
def sinusoidal_encoding(seq_len, d_model):
    pos = torch.arange(seq_len, dtype=torch.float64).unsqueeze(1)
    two_i = torch.arange(0, d_model, 2, dtype=torch.float64)
    angle = pos / 10000.0 ** (two_i / d_model)
    pe = torch.zeros(seq_len, d_model, dtype=torch.float64)
    pe[:, 0::2] = torch.cos(angle)
    pe[:, 1::2] = torch.sin(angle[:, : d_model // 2])
    return pe.to(torch.float32)
"""),
        ('base_1000', None, """
def sinusoidal_encoding(seq_len, d_model):
    pos = torch.arange(seq_len, dtype=torch.float64).unsqueeze(1)
    two_i = torch.arange(0, d_model, 2, dtype=torch.float64)
    angle = pos / 1000.0 ** (two_i / d_model)
    pe = torch.zeros(seq_len, d_model, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(angle)
    pe[:, 1::2] = torch.cos(angle[:, : d_model // 2])
    return pe.to(torch.float32)
"""),
    ],
    ('03_ffn_normalization', 'layer_norm'): [
        ('unbiased_var', 'norm_unbiased_variance', """
def layer_norm(x, weight, bias, eps=1e-5):
    mean = x.mean(dim=-1, keepdim=True)
    var = x.var(dim=-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * weight + bias
"""),
        ('eps_outside', 'norm_eps_placement', """
def layer_norm(x, weight, bias, eps=1e-5):
    mean = x.mean(dim=-1, keepdim=True)
    var = (x - mean).pow(2).mean(dim=-1, keepdim=True)
    return (x - mean) / (torch.sqrt(var) + eps) * weight + bias
"""),
        ('no_affine', None, """
def layer_norm(x, weight, bias, eps=1e-5):
    mean = x.mean(dim=-1, keepdim=True)
    var = (x - mean).pow(2).mean(dim=-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps)
"""),
        ('over_batch', 'norm_wrong_axis', """
def layer_norm(x, weight, bias, eps=1e-5):
    mean = x.mean(dim=0, keepdim=True)
    var = (x - mean).pow(2).mean(dim=0, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * weight + bias
"""),
    ],
    ('03_ffn_normalization', 'rms_norm'): [
        ('subtracts_mean', 'rms_subtracts_mean', """
def rms_norm(x, weight, eps=1e-6):
    x = x - x.mean(-1, keepdim=True)
    ms = x.pow(2).mean(dim=-1, keepdim=True)
    return x / torch.sqrt(ms + eps) * weight
"""),
        ('no_sqrt', None, """
def rms_norm(x, weight, eps=1e-6):
    ms = x.pow(2).mean(dim=-1, keepdim=True)
    return x / (ms + eps) * weight
"""),
    ],
    ('03_ffn_normalization', 'gelu'): [
        ('tanh_always', None, """
def gelu(x, approximate='none'):
    inner = math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)
    return 0.5 * x * (1.0 + torch.tanh(inner))
"""),
        ('sigmoid_approx', None, """
def gelu(x, approximate='none'):
    return x * torch.sigmoid(1.702 * x)
"""),
    ],
}


def test_hand_written_mistakes_are_named_rightly_or_not_at_all():
    """Mistakes written differently from every variant: a known mistake may be named, never a wrong one."""
    import diagnose_unseen

    counts, rows = diagnose_unseen.evaluate(HAND_WRITTEN, generic=False)
    assert counts["wrong"] == 0, [r for r in rows if r[3] == "wrong"]
    named = [label for _, _, label, verdict, _ in rows if verdict == "catalogue"]
    expected_named = [label for cases in HAND_WRITTEN.values() for label, expected, _ in cases if expected]
    # measured: each of the 9 with a catalogued mistake is named; the 11 others get none
    assert len(named) >= 7 and set(named) <= set(expected_named), (named, expected_named)


# ------------------------------------------------------------------------------------------------ generic tier
def _outs(values, changes=None):
    return [{"value": bridge.encode(v), "changes": changes or [], "kwchanges": {}} for v in values]


_G = torch.Generator().manual_seed(7)
REF = [torch.randn(3, 4, generator=_G), torch.randn(2, 5, generator=_G)]
INTS = [torch.tensor([3, 1, 4, 1, 5]), torch.tensor([[2, 7], [1, 8]])]
NUDGE = lambda t: t.flatten().index_put((torch.tensor([0]),), t.flatten()[:1] + 0.5).reshape(t.shape)  # noqa: E731


# (relation's id (prefix), learner's results from the reference's, a near miss that must not get that id)
GENERIC_CASES = [
    ("generic_factor(c=-1)", lambda r: [-t for t in r], lambda r: [NUDGE(-r[0]), -r[1]]),
    ("generic_factor(c=0.5)", lambda r: [t / 2 for t in r], lambda r: [r[0] / 2, r[1] / 3]),
    ("generic_permuted(perm=swap2)", lambda r: [t.T for t in r], lambda r: [NUDGE(r[0].T), NUDGE(r[1].T)]),
    ("generic_dtype(got=float64,want=float32)", lambda r: [t.double() for t in r],
     lambda r: [2 * t.double() for t in r]),
    ("generic_singleton(ones=more)", lambda r: [t.unsqueeze(0) for t in r], lambda r: [t.unsqueeze(0) + 1 for t in r]),
    ("generic_rank(d=-1)", lambda r: [t.sum(-1) for t in r], lambda r: [t.sum(-1).reshape(-1, 1) for t in r]),
    ("generic_nonfinite", lambda r: [t.clone().fill_(float("inf")) for t in r], lambda r: [t * 2 for t in r]),
    ("generic_reordered(dim=-1)", lambda r: [t.sort(-1).values for t in r],
     lambda r: [NUDGE(t.sort(-1).values) for t in r]),
    ("generic_flipped(dim=-1)", lambda r: [t.flip(-1) for t in r], lambda r: [NUDGE(t.flip(-1)) for t in r]),
    ("generic_zeros", lambda r: [torch.zeros_like(t) for t in r], lambda r: [NUDGE(torch.zeros_like(t)) for t in r]),
    ("generic_close", lambda r: [t + 0.004 * t.abs().max() * torch.cos(t) for t in r],
     lambda r: [t + 0.1 * torch.cos(t) for t in r]),
    ("generic_returns_none", lambda r: [None, None], lambda r: [r[0] + 1, r[1]]),
]


@pytest.mark.parametrize("expected, learner, near_miss", GENERIC_CASES, ids=[c[0] for c in GENERIC_CASES])
def test_each_generic_relation_fires_on_its_mistake_and_not_on_the_reference_or_a_near_miss(expected, learner,
                                                                                            near_miss):
    from course.grader import relations

    reference = _outs(REF)
    assert relations.relate(_outs(learner(REF)), reference) == expected
    assert relations.relate(reference, reference) is None
    assert relations.relate(_outs(near_miss(REF)), reference) != expected


def test_generic_relations_on_integers_booleans_errors_and_in_place_changes():
    from course.grader import relations

    ints = _outs(INTS)
    assert relations.relate(_outs([t + 1 for t in INTS]), ints) == "generic_offset(b=1)"  # off by one
    assert relations.relate(_outs([INTS[0] + 1, INTS[1] + 2]), ints) == "generic_offset_varies"
    mask = [torch.ones(4, 4, dtype=torch.bool).tril(), torch.ones(3, 3, dtype=torch.bool).tril()]
    assert relations.relate(_outs([~m for m in mask]), _outs(mask)) == "generic_negated"
    assert relations.relate(_outs([m.tril(-1) for m in mask]), _outs(mask)) == "generic_bool_fewer"
    assert relations.relate(_outs([torch.ones_like(m).tril(1) for m in mask]), _outs(mask)) == "generic_bool_more"
    raised = [{"error": ["ValueError", "bad"]}] * 2
    assert relations.relate(raised, _outs(REF)) == "generic_raises(error=ValueError)"
    assert relations.relate(_outs(REF), raised) == "generic_no_raise(want=ValueError)"
    changed = bridge.changes(REF[0] * 0, bridge.snapshot(REF[0]))  # the learner's call changed argument 0
    assert relations.relate(_outs(REF, [changed]), _outs(REF, [None])) == "generic_modifies(at=a0)"
    assert relations.relate(_outs(REF, [None]), _outs(REF, [changed])) == "generic_not_in_place(at=a0)"
    grad_only = {"$": "tensor", "grad": bridge.encode(REF[0])}  # a backward pass left .grad: not a change
    assert relations.relate(_outs(REF, [grad_only]), _outs(REF, [None])) is None
    # (out, weights): only the weights relate to the reference (sharper), the outputs merely differ
    w = torch.softmax(REF[0], -1)
    sharp = torch.softmax(3 * REF[0], -1)
    found = relations.relate(_outs([(sharp @ REF[0].T, sharp)]), _outs([(w @ REF[0].T, w)]))
    assert found == "generic_sharper(dim=-1,at=r1)", found
    assert relations.relate(_outs([(w @ REF[0].T, w.T.contiguous() / w.T.sum(0))]),
                            _outs([(w @ REF[0].T, w)])) == "generic_permuted(perm=swap2,at=r1)"


def test_one_number_against_another_says_no_factor_two_calls_that_agree_do():
    from course.grader import relations

    assert relations.relate(_outs([3.0]), _outs([2.0])) == "generic_greater"  # 1.5 times on one call: no factor
    assert relations.relate(_outs([3.0, 6.0]), _outs([2.0, 4.0])) == "generic_factor(c=1.5)"
    assert relations.relate(_outs([3, 5]), _outs([2, 4])) == "generic_offset(b=1)"
    assert relations.relate(_outs([2.0, 4.0]), _outs([2, 4])) is None  # an int for a float: the catalogue's business
    assert relations.relate(_outs([2.0000001]), _outs([2.0])) is None  # within the tolerance: no difference


def test_a_draw_from_the_tests_generator_is_left_to_the_catalogue():
    from course.grader import relations

    probe = _probe("sample", torch.ones(3), generator=torch.Generator().manual_seed(0))
    plain = _probe("sample", torch.ones(3))
    assert relations.relate(_outs([REF[0] * 2]), _outs([REF[0]]), [probe]) is None
    assert relations.relate(_outs([REF[0] * 2]), _outs([REF[0]]), [plain]) == "generic_factor(c=2)"


def test_generic_texts_render_in_both_languages_and_travel_through_the_csv():
    from course.diagnoses import generic
    from course.grader.classroom import parse_diagnoses
    from course.grader.report import Report, diagnosis_text

    ids = [case[0] for case in GENERIC_CASES] + [
        "generic_offset(b=1)", "generic_negated(at=r1)", "generic_modifies(at=a2)", "generic_length(d=-1)",
        "generic_size(dims=-2.-1)", "generic_type(got=a_tensor,want=a_tuple)", "generic_flatter(dim=-1,at=m.step)",
        "generic_normalised_dim(dim=-2,want=-1)", "generic_raises(error=ZeroDivisionError)"]
    for relation in generic.TEXTS:
        ids.append(generic.make(relation))
    for d in ids:
        en, zh = diagnosis_text("01_attention", d), diagnosis_text("01_attention", d, "zh")
        assert en and zh and "{" not in en + zh and "}" not in en + zh, d
        assert diagnosis_text("01_attention", d, "both") == f"{en} / {zh}"
    assert "-1 times (the sign flipped)" in generic.text("generic_factor(c=-1)")
    assert "1/sqrt(8)" in generic.text("generic_factor(c=0.353553)")
    assert "off by one" in generic.text("generic_offset(b=1)") and "差一" in generic.text("generic_offset(b=1)", "zh")
    assert "2nd value it returns" in generic.text("generic_dtype(got=float64,want=float32,at=r1)")
    assert generic.parse("generic_nonsense(c=1)") is None and diagnosis_text("01_attention", "generic_x") == ""
    from course.grader.classroom import diagnoses_cell

    report = Report("01_attention", "01_attention.ipynb", [], diagnoses={"softmax": "generic_factor(c=-1,at=r1)"})
    assert parse_diagnoses(diagnoses_cell(report)) == report.diagnoses


def _softmax_step():
    """The reference notebook of 01_attention, the test kernel's setup names, its test cells' digests."""
    from course.grader.diagnose import digest
    from course.notebooks import grade_id, is_locked_cell, is_test_cell, read_notebook, source_notebook

    source = read_notebook(source_notebook("01_attention"))
    base = {"__name__": "__main__"}
    for cell in source.cells:
        if cell.cell_type == "code" and is_locked_cell(cell) and not is_test_cell(cell):
            diagnose.run_cell(cell.source, base, "setup")
    return source, base, [(grade_id(c), digest(c.source)) for c in source.cells if is_test_cell(c)]


def _softmax_log(source, softmax, inputs, passed: bool):
    """What the test kernel records when the softmax tests call the learner's ``softmax`` on ``inputs``."""
    from course.notebooks import grade_id, is_test_cell

    log = diagnose._Log()
    for x in inputs:
        probe = _probe("softmax", x, dim=-1)
        diagnose.record("softmax", probe.args, True, diagnose.call(softmax, probe), log)
    for c in source.cells:
        if is_test_cell(c) and grade_id(c).startswith("test_softmax"):
            diagnose.cell_ended(c.source, passed, log)
    return log


def test_the_step_names_a_generic_diagnosis_when_the_catalogue_has_none():
    """diagnose.diagnose on a learner's softmax that flips the sign: no variant fires, the relation does."""
    from course.notebooks import ROOT

    source, base, tests = _softmax_step()
    learner = dict(base)
    diagnose.run_cell("def softmax(x, dim=-1):\n    return -torch.softmax(x, dim=dim)\n", learner, "learner")
    log = _softmax_log(source, learner["softmax"], [torch.tensor([[1.0, 2.0], [3.0, 5.0]]),
                                                    torch.tensor([[0.5, 0.0], [1.0, -2.0]])], False)
    found = diagnose.diagnose("01_attention", source, tests, base, str(ROOT / "tests"), 60, log)
    assert found["diagnoses"] == {"softmax": "generic_factor(c=-1)"}, found
    assert found["why"]["softmax"].endswith("; generic")


def test_no_generic_diagnosis_for_an_exercise_whose_failing_helper_explains_it():
    """A learner's attention calls their own softmax, which is wrong (negated): attention's outputs differ from
    the reference only through softmax. The generic tier names softmax's mistake and says nothing of attention
    (a relation found on attention's outputs would send the learner to the wrong cell; only findings a helper
    cannot cause, such as the kind of container returned, are kept: see
    test_course_check_names_unseen_mistakes_through_the_generic_tier)."""
    from course.notebooks import ROOT, grade_id, is_test_cell

    source, base, tests = _softmax_step()
    learner = dict(base)
    diagnose.run_cell("def softmax(x, dim=-1):\n    return -torch.softmax(x, dim=dim)\n", learner, "learner")
    diagnose.run_cell(next(c.source for c in source.cells if grade_id(c) == "scaled_dot_product_attention"),
                      learner, "learner")
    log = _softmax_log(source, learner["softmax"], [torch.tensor([[1.0, 2.0], [3.0, 5.0]]),
                                                    torch.tensor([[0.5, 0.0], [1.0, -2.0]])], False)
    g = torch.Generator().manual_seed(0)
    for _ in range(2):
        q, k, v = (torch.randn(1, 3, 4, generator=g) for _ in range(3))
        probe = _probe("scaled_dot_product_attention", q, k, v)
        diagnose.record(probe.name, probe.args, True, diagnose.call(learner[probe.name], probe), log)
    for c in source.cells:
        if is_test_cell(c) and grade_id(c).startswith("test_scaled_dot_product_attention"):
            diagnose.cell_ended(c.source, False, log)
    found = diagnose.diagnose("01_attention", source, tests, base, str(ROOT / "tests"), 60, log)
    assert found["diagnoses"].get("softmax") == "generic_factor(c=-1)", found
    assert "scaled_dot_product_attention" not in found["diagnoses"], found
    assert "dropped: it uses softmax, which failed too" in found["why"]["scaled_dot_product_attention"], found


def test_new_hand_written_mistakes_get_a_right_diagnosis_or_a_generic_one_never_a_wrong_one():
    """tests/diagnose_unseen.py: 24 mistakes written by hand after the generic tier, and the 20 of HAND_WRITTEN."""
    import diagnose_unseen

    counts, rows = diagnose_unseen.evaluate(diagnose_unseen.UNSEEN)
    print(counts)
    assert counts["wrong"] == 0, [r for r in rows if r[3] == "wrong"]
    # measured (December 2026, each test cell stopped at its first differing call): 14 catalogue (each the right
    # one), 10 generic, 0 none of 24; of HAND_WRITTEN: 9 catalogue, 7 generic, 4 none
    assert counts["catalogue"] + counts["generic"] >= 20, rows
    counts, rows = diagnose_unseen.evaluate(HAND_WRITTEN)
    print(counts)
    assert counts["wrong"] == 0, [r for r in rows if r[3] == "wrong"]
    assert counts["catalogue"] + counts["generic"] >= 14, rows


# ------------------------------------------------------------------------------------------------ end to end
def _submission(tmp_path, assignment, replace: dict):
    """The reference notebook with some solution cells replaced, saved as a learner's file."""
    from course.notebooks import grade_id, read_notebook, source_notebook, write_notebook

    nb = read_notebook(source_notebook(assignment))
    for cell in nb.cells:
        if grade_id(cell) in replace:
            cell.source = replace[grade_id(cell)]
    path = tmp_path / assignment / f"{assignment}.ipynb"
    write_notebook(nb, path)
    return path


def _variant(module, gid, name, kind="WRONG"):
    return next(code for g, n, code in getattr(module, kind) if (g, n) == (gid, name))


def _checked(tmp_path, assignment, variants: dict):
    """(report, graded notebook) of the reference with solution cells replaced by named variants of
    tests/mutations ({grade_id: variant name, or (name, "RIGHT")}), graded as `course check` grades."""
    import importlib

    from course.grader.notebook import GradeOptions, grade_notebook

    module = importlib.import_module(f"mutations.nb{assignment}")
    path = _submission(tmp_path, assignment, {gid: _variant(module, gid, *([v] if isinstance(v, str) else v))
                                              for gid, v in variants.items()})
    return grade_notebook(path, assignment, GradeOptions(workdir=path.parent))


@pytest.mark.slow
def test_course_check_names_the_mistakes_of_several_exercises(tmp_path):
    from course.grader.feedback import feedback_notebook
    from course.grader.report import Report, format_report

    report, nb = _checked(tmp_path, "01_attention", {
        "causal_mask": "upper_triangle", "self_attention_flops": "macs_not_flops",
        "sliding_window_mask": "not_causal",
        "topk_attention": ("gather_topk_values", "RIGHT"),  # right: passes
    })
    assert report.diagnoses == {"causal_mask": "mask_transposed", "self_attention_flops": "flops_macs",
                                "sliding_window_mask": "window_not_causal"}, (report.diagnoses, report.flags)
    table = format_report(report, "zh")
    catalogue = diagnoses.load("01_attention")
    assert f"likely mistake: {catalogue.diagnoses['mask_transposed'].english}" in table
    assert f"可能的错误：{catalogue.diagnoses['flops_macs'].chinese}" in table
    marked = [c for c in report.cells if c.diagnosis]
    assert len(marked) == 3 and all(c.status != "passed" for c in marked)
    assert Report.from_dict(report.to_dict()).diagnoses == report.diagnoses  # course check's cache, the grader's state
    page = feedback_notebook(nb, report)
    notes = [c.source for c in page.cells if c.get("metadata", {}).get("course_diagnosis")]
    assert len(notes) == 3 and catalogue.diagnoses["window_not_causal"].english in "".join(notes)


@pytest.mark.slow
def test_course_check_names_the_mistakes_of_classes(tmp_path):
    """The objects the tests make from the learner's classes are scripts, replayed on the variants' classes."""
    report, _ = _checked(tmp_path, "06_efficient_inference", {
        "kv_cache": "prepends_new_tokens", "rolling_kv_cache": "newest_first", "paged_kv_allocator": "floor_division"})
    assert report.diagnoses == {"kv_cache": "kv_order", "rolling_kv_cache": "roll_order",
                                "paged_kv_allocator": "paged_block_count"}, (report.diagnoses, report.flags)


@pytest.mark.slow
def test_course_check_names_unseen_mistakes_through_the_generic_tier(tmp_path):
    """Two mistakes no catalogue entry makes, graded as `course check` does: the generic tier names both."""
    import diagnose_unseen
    from course.grader.notebook import GradeOptions, grade_notebook
    from course.grader.report import format_report

    forgets_weights = dict((label, code) for label, _, code in
                           diagnose_unseen.UNSEEN[("01_attention", "scaled_dot_product_attention")])["forgets_weights"]
    path = _submission(tmp_path, "01_attention", {
        "softmax": "def softmax(x, dim=-1):\n    e = torch.exp(x - x.amax(dim=dim, keepdim=True))\n"
                   "    return -(e / e.sum(dim=dim, keepdim=True))\n",
        "scaled_dot_product_attention": forgets_weights})
    report, _ = grade_notebook(path, "01_attention", GradeOptions(workdir=path.parent))
    assert report.diagnoses.get("softmax") == "generic_factor(c=-1)", (report.diagnoses, report.flags)
    assert report.diagnoses.get("scaled_dot_product_attention") == "generic_type(got=a_tensor,want=a_tuple)", \
        report.diagnoses
    table = format_report(report, "zh")
    assert "likely mistake: Where the result differs from the expected one, it is exactly -1 times (the sign" in table
    assert "likely mistake: Returns a tensor where a tuple is expected." in table
    assert "可能的错误：返回了 张量，而期望的是 tuple。" in table


def test_the_step_names_one_diagnosis_never_two_never_a_passing_exercise(monkeypatch):
    """diagnose.diagnose, the test kernel's last step, on recorded calls of a learner's softmax (no kernels)."""
    import importlib

    from course.notebooks import ROOT

    source, base, tests = _softmax_step()
    wrong = _variant(importlib.import_module("mutations.nb01_attention"), "softmax", "shift_by_mean")
    learner = dict(base)
    diagnose.run_cell(wrong, learner, "learner")
    inputs = [torch.tensor([[1.0, 2.0], [3.0, 5.0]]), torch.tensor([[1000.0, 0.0], [1.0, -900.0]])]
    log_of = lambda passed: _softmax_log(source, learner["softmax"], inputs, passed)  # noqa: E731

    repo = str(ROOT / "tests")
    found = diagnose.diagnose("01_attention", source, tests, base, repo, 60, log_of(False))
    assert found["diagnoses"] == {"softmax": "softmax_mean_shift"}, found
    assert diagnose.diagnose("01_attention", source, tests, base, repo, 60, log_of(True))["diagnoses"] == {}
    variants = diagnose._variants("01_attention", repo)
    twice = {**variants, "softmax": variants["softmax"] + [("softmax_global_shift", wrong)]}  # a tie: two ids
    monkeypatch.setattr(diagnose, "_variants", lambda assignment, where: twice)
    found = diagnose.diagnose("01_attention", source, tests, base, repo, 60, log_of(False))
    # no catalogue diagnosis; the generic tier states what holds on every call (the mean shift overflows)
    assert found["diagnoses"] == {"softmax": "generic_nonfinite"}, found
    assert found["why"]["softmax"] == "no single diagnosis; generic", found


# One course check per assignment (tests/diagnose_eval.py names each of these rightly in process): up to three
# exercises that neither use nor are used by another exercise's functions, each given a WRONG variant that
# carries a diagnosis; the real kernels, proxies and probes must name every one. (grade_id, variant, diagnosis)
# A failing test cell stops at its first failed check, so real grading sees fewer calls than the reference's
# run: 15's `factor_two_for_k_and_v` ties with `fp32_default` (both double every call made before the first
# failed check, all with the default bytes_per_el) and 16's `once_per_word` is not told apart; this table first
# came from a measure that did not stop cells (diagnose_eval now does), and other variants stand for those two.
NAMED_END_TO_END = {
    '01_attention': [
        ('qk_score_variance', 'divide_by_dk', 'variance_divide_by_dk'),
        ('causal_mask', 'upper_triangle', 'mask_transposed'),
        ('causal_additive_mask', 'large_negative_not_inf', 'additive_mask_finite'),
    ],
    '02_positional_encoding': [
        ('sinusoidal_encoding', 'sin_cos_swapped', 'pe_sin_cos_swapped'),
        ('relative_shift_matrix', 'rotation_transposed', 'shift_rotation_transposed'),
        ('t5_relative_bucket', 'upper_half_for_keys_before_query', 't5_direction_swapped'),
    ],
    '03_ffn_normalization': [
        ('gelu', 'erf_without_sqrt2', 'gelu_erf_scale'),
        ('layer_norm', 'unbiased_variance', 'norm_unbiased_variance'),
        ('layer_norm_backward', 'missing_xhat_term', 'lnb_missing_term'),
    ],
    '04_training_optimization': [
        ('sgd_step', 'dampened_momentum', 'sgd_dampened'),
        ('adam_step', 'no_bias_correction', 'adam_no_bias_correction'),
        ('warmup_cosine_lr', 'warmup_off_by_one', 'lr_warmup_off_by_one'),
    ],
    '05_flash_attention_gpu': [
        ('online_softmax', 'sum_not_rescaled', 'online_sum_not_rescaled'),
        ('flash_attention_forward', 'accumulator_not_rescaled', 'flash_acc_not_rescaled'),
        ('attention_hbm_bytes', 'floor_block_c', 'hbm_block_rounding'),
    ],
    '06_efficient_inference': [
        ('kv_cache', 'shared_across_layers', 'kv_shared_layers'),
        ('kv_cache_bytes', 'forgets_k_and_v', 'kvb_formula'),
        ('rolling_kv_cache', 'newest_first', 'roll_order'),
    ],
    '07_parallel_computing': [
        ('amdahl_speedup', 'fractions_swapped', 'amdahl_formula'),
        ('allreduce_time', 'ring_without_over_n', 'time_ring'),
        ('bus_bandwidth', 'n_minus_1_over_n', 'busbw_factor'),
    ],
    '08_zero_memory': [
        ('zero_model_state_bytes', 'hard_coded_k12', 'zms_k_ignored'),
        ('zero_comm_volume', 'no_ring_factor', 'zcv_ring_factor'),
        ('max_params_that_fit', 'round_to_nearest', 'mpf_rounding'),
    ],
    '09_compression_deployment': [
        ('quantize_absmax', 'qmax_is_2_pow_bits_minus_1', 'q_range'),
        ('dequantize', 'uint8_wraps_around', 'dq_overflow'),
        ('quantize_zeropoint', 'range_excludes_zero', 'zp_range'),
    ],
    '10_llm_training_alignment': [
        ('mlm_mask', 'labels_only_where_masked', 'mlm_labels'),
        ('causal_lm_loss', 'no_shift', 'clm_shift'),
        ('sft_labels', 'off_by_one_inclusive', 'sft_prompt_span'),
    ],
    '11_classic_ml_evaluation': [
        ('precision_recall_f1', 'precision_and_recall_swapped', 'prf_definitions'),
        ('roc_auc', 'ties_count_one', 'auc_ties'),
        ('average_precision', 'ties_not_grouped', 'ap_ties'),
    ],
    '12_multimodal_federated_privacy': [
        ('clip_loss', 'no_normalisation', 'clip_normalise'),
        ('recall_at_k', 'columns_as_queries', 'rk_axis'),
        ('fedavg', 'unweighted_mean', 'fedavg_weights'),
    ],
    '13_ml_applications': [
        ('discounted_returns', 'forward_cumsum', 'ret_direction'),
        ('reinforce_loss', 'no_minus_sign', 'pg_sign'),
        ('potential_shaping', 'sign_flipped', 'shaping_formula'),
    ],
    '14_rlhf_grpo': [
        ('last_token_scores', 'count_minus_one', 'lts_position'),
        ('ranking_loss', 'adjacent_pairs_only', 'rank_pairs'),
        ('kl_penalized_rewards', 'score_at_last_column', 'klr_score_position'),
    ],
    '15_modern_architectures': [
        ('mla_absorbed_attention', 'scale_by_sqrt_d_c', 'mla_scale'),
        ('mla_kv_cache_bytes', 'ignores_rope', 'mlab_formula'),
        ('load_balancing_loss', 'hf_value_without_one_over_k', 'lb_formula'),
    ],
    '16_tokenization': [
        ('utf8_encode', 'le_boundaries', 'utf8_ranges'),
        ('count_pairs', 'ignores_word_count', 'cp_counting'),
        ('wordpiece_tokenize', 'no_hash_prefix', 'wp_prefix'),
    ],
    '17_capstone_tiny_llm': [
        ('training_flops', 'forward_only', 'flops_forward_only'),
        ('training_memory_bytes', 'no_master_copy', 'mem_master_copy'),
        ('optimal_checkpoint_interval', 'no_factor_two', 'ckpt_constant'),
    ],
}


@pytest.mark.slow
@pytest.mark.parametrize("assignment", sorted(NAMED_END_TO_END))
def test_course_check_names_known_mistakes_in_every_assignment(assignment, tmp_path):
    """Deliverable 6 of the diagnoses issue, end to end: the learner's wrong cells run in the student kernel, the
    tests' calls cross the proxies and are recorded there, the last grader cell names each mistake."""
    from course.notebooks import read_notebook, source_notebook
    from course.progress import exercises_of

    picks = NAMED_END_TO_END[assignment]
    report, _ = _checked(tmp_path, assignment, {gid: name for gid, name, _ in picks})
    exercise_of = {gid: ex.name for ex in exercises_of(read_notebook(source_notebook(assignment))) for gid in ex.cells}
    expected = {exercise_of[gid]: diagnosis for gid, _, diagnosis in picks}
    assert {k: report.diagnoses.get(k) for k in expected} == expected, (report.diagnoses, report.flags)


# ------------------------------------------------------------------------------------------------ course grade
def test_grade_csv_summary_gradebook_and_report_carry_the_diagnoses(demo_course, monkeypatch):
    """A class of six whose grading named mistakes (a stand-in executor: no kernels): the CSV column, the
    summary's commonest mistakes, formgrader's comment, the class report's counts."""
    from concurrent.futures import Future

    from conftest import DEMO
    from course.grader.class_report import write_class_report
    from course.grader.classroom import ClassGrader, format_rows, write_csv
    from course.grader.gradebook import COMMENT_PREFIX
    from course.grader.report import CellResult, Report
    from course.notebooks import read_notebook, write_notebook

    catalogue = diagnoses.Catalogue(DEMO, {
        "add_subtracts": diagnoses.Diagnosis("add_subtracts", "Subtracts instead of adding.", "做了减法。"),
        "square_doubles": diagnoses.Diagnosis("square_doubles", "Doubles instead of squaring.", "做了加倍。")},
        {("add", "minus"): "add_subtracts", ("square", "doubles"): "square_doubles"})
    real_load = diagnoses.load
    monkeypatch.setattr(diagnoses, "load", lambda a: catalogue if a == DEMO else real_load(a))
    named = {"s1": {"add": "add_subtracts"}, "s2": {"add": "add_subtracts"}, "s3": {"add": "add_subtracts"},
             "s4": {"square": "square_doubles"}, "s5": {"add": "add_subtracts", "square": "square_doubles"}, "s6": {}}
    first_test = {"add": "test_add_basics", "square": "test_square_basics"}

    class Canned:  # what grade_job would return for each student, diagnoses included
        def submit(self, fn, job):
            student = Path(job["notebook"]).parent.parent.name
            found = named[student]
            cells = [CellResult(g, "test", 0.0 if g in [first_test[e] for e in found] else p, p,
                                "failed" if g in [first_test[e] for e in found] else "passed",
                                diagnosis=next((d for e, d in found.items() if first_test[e] == g), ""))
                     for g, p in (("test_add_basics", 1), ("test_add_hidden", 2), ("test_square_basics", 1))]
            out = Future()
            out.set_result(Report(DEMO, f"{DEMO}.ipynb", cells, diagnoses=dict(found)).to_dict())
            return out

    reference = read_notebook(demo_course / "source" / DEMO / f"{DEMO}.ipynb")
    for student in named:
        write_notebook(reference, demo_course / "submitted" / student / DEMO / f"{DEMO}.ipynb")
    grader = ClassGrader(DEMO, demo_course, executor=Canned(), sandbox="off")
    rows = grader.run()
    write_csv(rows, demo_course / "grades" / f"{DEMO}.csv")
    text = (demo_course / "grades" / f"{DEMO}.csv").read_text()
    assert text.splitlines()[0].endswith(",flags,diagnoses")
    by_student = {r.student_id: r.diagnoses for r in rows}
    assert by_student["s5"] == "add: add_subtracts; square: square_doubles" and by_student["s6"] == ""
    summary = format_rows(rows, grader.seconds, grader.graded_now)
    assert summary.splitlines()[-3:] == ["most common diagnosed mistakes:",
                                         "  4 students  add: Subtracts instead of adding.",
                                         "  2 students  square: Doubles instead of squaring."]
    from nbgrader.api import Gradebook as NbGradebook

    with NbGradebook(f"sqlite:///{demo_course / 'gradebook.db'}") as gb:
        comment = gb.find_comment("add", DEMO, DEMO, "s1").auto_comment
        assert comment == f"{COMMENT_PREFIX}Subtracts instead of adding. / 做了减法。"
        assert gb.find_comment("square", DEMO, DEMO, "s1").auto_comment in (None, "")
    page, _, report = write_class_report(DEMO, demo_course)
    assert report.mistakes() == [("add", "add_subtracts", 4), ("square", "square_doubles", 2)]
    html = page.read_text()
    assert "id='mistakes-table'" in html and "Subtracts instead of adding." in html


def test_course_check_speaks_chinese_when_the_lab_does(tmp_path, monkeypatch):
    from course.cli import _check_language
    from course.workspace import TRANSLATION_PLUGIN

    monkeypatch.setenv("JUPYTERLAB_SETTINGS_DIR", str(tmp_path))
    assert _check_language(None) == "en" and _check_language("zh") == "zh" and _check_language("en") == "en"
    (tmp_path / TRANSLATION_PLUGIN).parent.mkdir(parents=True)
    (tmp_path / TRANSLATION_PLUGIN).write_text('{"locale": "zh_CN"}')
    assert _check_language(None) == "zh" and _check_language("en") == "en"
