"""Two-kernel grading: what crosses between the kernels, how a notebook is split, and the authoring rules.

The student kernel's answers reach the test kernel only through course.grader.bridge.decode, which builds
plain data and nothing else; arguments a learner's function changed in place come back; the student
kernel's job never holds a test cell; and every notebook's test cells follow the rules that make this work
(docs/authoring.md, "Test cells run in a kernel of their own").
"""
import json
from types import SimpleNamespace
import math

import pytest
import torch

from course.grader import bridge, two_kernels
from course.notebooks import assignments, grade_id, is_test_cell, read_notebook, source_notebook


# ------------------------------------------------------------------------------------------------ plain data
def _wire(data):
    return json.loads(json.dumps(data))


def _round_trip(value):
    return bridge.decode(_wire(bridge.encode(value)))


@pytest.mark.parametrize("value", [
    None, True, 3, -2**70, 1.5, "text", b"\x00\xff", [1, [2.0]], (1, "a"), {"a": 1, 2: [3]}, {1, 2},
    frozenset({"x"}), complex(1, -2), slice(1, None, 2), Ellipsis, torch.float16, torch.device("cpu"),
])
def test_plain_values_cross_unchanged(value):
    back = _round_trip(value)
    assert back == value and type(back) is type(value)


@pytest.mark.parametrize("dtype", list(bridge.TENSOR_DTYPES.values()))
def test_tensors_cross_with_dtype_shape_and_bytes(dtype):
    x = (torch.arange(24) % 7).reshape(2, 3, 4).to(dtype)
    back = _round_trip(x.transpose(0, 2))                          # a non-contiguous view
    assert back.dtype == dtype and back.shape == (4, 3, 2) and torch.equal(back, x.transpose(0, 2))
    assert _round_trip(torch.empty(0, 3, dtype=dtype)).shape == (0, 3)


def test_non_finite_floats_and_nan_tensors_cross():
    assert math.isnan(_round_trip(float("nan"))) and _round_trip(float("-inf")) == float("-inf")
    back = _round_trip(torch.tensor([float("nan"), float("inf"), 1.0]))
    assert torch.isnan(back[0]) and back[1] == float("inf")


def test_subclasses_arrive_as_their_base_type():
    class Always(int):
        def __eq__(self, other):
            return True

        __hash__ = int.__hash__

    class Text(str):
        pass

    class Sneaky(torch.Tensor):
        def __eq__(self, other):
            return True

    sneaky = torch.zeros(3).as_subclass(Sneaky)
    assert type(_round_trip(Always(0))) is int and _round_trip(Always(0)) != 5
    assert type(_round_trip(Text("a"))) is str
    back = _round_trip(sneaky)
    assert type(back) is torch.Tensor and not torch.equal(back, torch.ones(3))
    assert type(_round_trip(torch.nn.Parameter(torch.ones(2)))) is torch.Tensor


def test_named_tuples_keep_their_fields_and_generators_their_state():
    values, indices = _round_trip(torch.tensor([3.0, 1.0]).max(dim=0))
    assert values == 3.0 and indices == 0
    assert _round_trip(torch.tensor([3.0, 1.0]).max(dim=0)).indices == 0
    g = torch.Generator().manual_seed(5)
    assert torch.equal(_round_trip(g).get_state(), g.get_state())


def test_requires_grad_is_said_but_the_graph_stays():
    x = torch.ones(2, requires_grad=True)
    back = _round_trip(x * 2)
    assert back.requires_grad and back.grad_fn is None


def test_objects_that_are_not_data_become_handles():
    made = []
    record = bridge.encode([object()], handle=lambda obj: {"$": "handle", "id": 1, "type": type(obj).__name__})
    bridge.decode(record, remote=lambda r: made.append(r) or "proxy")
    assert made and made[0]["type"] == "object"
    with pytest.raises(bridge.BridgeError):
        bridge.encode(object())


@pytest.mark.parametrize("data", [
    {"$": "tensor", "dtype": "float32", "shape": [3], "data": "AAAA"},           # bytes do not match the shape
    {"$": "tensor", "dtype": "object", "shape": [1], "data": ""},                # no such dtype
    {"$": "tensor", "dtype": "float32", "shape": [-1], "data": ""},
    {"$": "pickle", "v": "gASVAAAAAAAAAAA="},                                    # nothing but the known kinds
    {"$": "handle", "id": 1},                                                     # a handle where none may be
    {"$": "dict", "k": [[1]], "v": [1]},                                          # an unhashable key
    {"$": "generator", "state": 1},
    {"$": "float", "v": "1e308*10"},
    {"no": "kind"},
    3j,
])
def test_the_decoder_refuses_anything_else(data):
    with pytest.raises(bridge.BridgeError):
        bridge.decode(data)


def test_the_decoder_refuses_deep_nesting():
    data = 1
    for _ in range(200):
        data = [data]
    with pytest.raises(bridge.BridgeError):
        bridge.decode(data)


def test_errors_keep_built_in_types_and_say_where():
    try:
        raise ValueError("bad shape")
    except ValueError as err:
        record = bridge.error_record(err)
    with pytest.raises(ValueError, match="bad shape"):
        bridge.raise_error(record, "your f")
    with pytest.raises(bridge.RemoteError, match="Custom: boom"):
        bridge.raise_error({"type": "Custom", "message": "boom"}, "your f")


# ------------------------------------------------------------------------------------------------ copy back
def _call_remotely(fn, *args):
    """What test_side and student_side do around a call, in one process: copy, call, copy changes back."""
    sent = bridge.loads_args(bridge.dumps_args(list(args), lambda obj: None), None)
    before = [bridge.snapshot(a) for a in sent]
    fn(*sent)
    for original, copy, snap in zip(args, sent, before):
        change = bridge.changes(copy, snap)
        bridge.apply_changes(original, _wire(change))


def test_changes_in_place_come_back():
    x, state, params = torch.zeros(3), {}, [torch.ones(2), torch.ones(2)]
    model = torch.nn.Linear(2, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    g = torch.Generator().manual_seed(0)

    def learner(x, state, params, model, opt, g, counts):
        x.add_(1)
        state["step"] = 1
        counts["n"] += 1
        counts["seen"][0] = "yes"
        params[1].mul_(3)
        model(torch.ones(1, 2)).sum().backward()
        opt.step()
        model.eval()
        torch.rand(1, generator=g)

    want = torch.Generator().manual_seed(0)
    torch.rand(1, generator=want)
    weight = model.weight.detach().clone()
    counts = {"n": 0, "seen": [None]}
    _call_remotely(learner, x, state, params, model, opt, g, counts)
    assert counts == {"n": 1, "seen": ["yes"]}
    assert torch.equal(x, torch.ones(3)) and state == {"step": 1} and torch.equal(params[1], torch.full((2,), 3.0))
    assert model.weight.grad is not None and not torch.equal(model.weight, weight) and not model.training
    assert opt.state_dict()["state"], "the optimizer's momentum buffers came back"
    assert torch.equal(g.get_state(), want.get_state())


def test_submodule_modes_and_frozen_parameters_come_back():
    """eval() of one submodule and requires_grad_(False) on a layer (freezing) reach the test's own module."""
    model = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Dropout(0.5), torch.nn.Linear(2, 1))

    def learner(model):
        model[1].eval()
        model[0].weight.requires_grad_(False)

    _call_remotely(learner, model)
    assert model.training and model[0].training and not model[1].training and model[2].training
    assert not model[0].weight.requires_grad and model[0].bias.requires_grad and model[2].weight.requires_grad

    def unfreeze_and_train(model):
        model.train()
        model[0].weight.requires_grad_(True)

    _call_remotely(unfreeze_and_train, model)
    assert model[1].training and model[0].weight.requires_grad


def test_unchanged_arguments_send_nothing_back():
    x = torch.randn(4)
    snap = bridge.snapshot(x)
    assert bridge.changes(x, snap) is None
    assert bridge.changes(torch.nn.Linear(2, 2), bridge.snapshot(torch.nn.Linear(2, 2))) is not None  # new init


# ------------------------------------------------------------------------------------------------ the split
def test_the_student_job_never_holds_a_test_cell():
    for assignment in assignments():
        nb = read_notebook(source_notebook(assignment))
        student, tests, origin, keep, setup = two_kernels.plan(nb, 60)
        sources = {c.source for c in nb.cells if is_test_cell(c)}
        assert not sources & {spec["source"] for spec in student}, assignment
        assert len([s for s in tests if s.get("source") in sources]) == len(sources), assignment


def _loaded(source: str) -> set:
    """Global names a cell reads: at its top level, or free in its functions and classes (symtable's view)."""
    import symtable

    try:
        top = symtable.symtable(source, "<cell>", "exec")
    except SyntaxError:
        return set()
    names, tables = set(), [top]
    while tables:
        table = tables.pop()
        for sym in table.get_symbols():
            if sym.is_referenced() and (table is top or sym.is_global() or
                                        (table.get_type() == "class" and not sym.is_local())):
                names.add(sym.get_name())
        tables.extend(table.get_children())
    return names


def rule_one_problems(nb) -> list:
    """Names a non-test cell reads that only an earlier test cell binds."""
    code = [c for c in nb.cells if c.cell_type == "code"]
    bound_by_tests, bound_by_others, problems = {}, set(), []
    for cell in code:
        names = two_kernels.bound_names(cell.source)
        if is_test_cell(cell):
            for name in names - bound_by_others:
                bound_by_tests.setdefault(name, grade_id(cell))
            continue
        for name in sorted((_loaded(cell.source) - names) & set(bound_by_tests) - bound_by_others):
            problems.append(f"{name!r} (bound by {bound_by_tests[name]}, used by {grade_id(cell) or 'a demo cell'})")
        bound_by_others |= names
    return problems


def test_rule_one_is_checked():
    from course.authoring import NotebookBuilder

    nb = NotebookBuilder()
    nb.setup("import torch")
    nb.solution("f", "def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION")
    nb.tests("test_f_basics", "model = f(1)\ncfg = 2", points=1)
    nb.code("def g(cfg):\n    return cfg + 1\nprint(model)")                  # `model`: only the test bound it
    assert rule_one_problems(SimpleNamespace(cells=nb.cells)) == ["'model' (bound by test_f_basics, used by a demo cell)"]


@pytest.mark.parametrize("assignment", assignments())
def test_no_test_cell_defines_what_a_later_learner_cell_uses(assignment):
    """Rule 1: learner cells never see what a test cell binds (it runs in the other kernel)."""
    problems = rule_one_problems(read_notebook(source_notebook(assignment)))
    assert not problems, (f"{assignment}: a non-test cell uses names only a test cell binds: {problems}. In "
                          f"two-kernel grading the test cells run in another kernel; bind them in the demo cell")


def test_an_error_in_a_lent_callback_does_not_quote_the_test_cell():
    """A callback defined in a (hidden) test cell raises while learner code calls it: the learner's kernel gets
    the type and message, never the line of the test cell it was raised on."""
    from course.grader.test_side import TestEndpoint

    source = "def callback():\n    raise RuntimeError('boom')  # SECRET-HIDDEN-LINE\n"
    import linecache

    namespace, name = {}, "<ipython-input-1-hidden>"
    linecache.cache[name] = (len(source), None, source.splitlines(True), name)  # as IPython keeps a cell's source
    exec(compile(source, name, "exec"), namespace)
    try:
        namespace["callback"]()
    except RuntimeError as err:
        assert "SECRET" in bridge.error_record(err)["where"], "the premise: a record says where"
        record = TestEndpoint.__new__(TestEndpoint).error_record(err)
    assert record["message"] == "boom" and "SECRET" not in json.dumps(record)
