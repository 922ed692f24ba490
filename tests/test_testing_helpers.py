"""course.testing: verdicts from plain Python numbers, and messages that teach."""
import pytest
import torch

from course import testing as T


def test_assert_close_accepts_within_tolerance():
    T.assert_close(torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0 + 1e-7]))
    T.assert_close(0.5, 0.5 + 1e-9)
    T.assert_close(torch.tensor([float("-inf"), 1.0]), torch.tensor([float("-inf"), 1.0]))


@pytest.mark.parametrize("actual,expected,needle", [
    (torch.tensor([1.0, 2.5]), torch.tensor([1.0, 2.0]), "expected 2 at index (1,), got 2.5"),
    (torch.ones(2, 3), torch.ones(3, 2), "expected shape (3, 2), got (2, 3)"),
    (torch.ones(2, dtype=torch.float64), torch.ones(2), "expected dtype torch.float32"),
    (torch.tensor([float("nan")]), torch.tensor([1.0]), "non-finite"),
    ([1.0], torch.ones(1), "expected a torch.Tensor"),
    (torch.tensor([0.0]), torch.tensor([float("-inf")]), "expected -inf"),
])
def test_assert_close_messages(actual, expected, needle):
    with pytest.raises(AssertionError) as err:
        T.assert_close(actual, expected, name="f(x)", hint="think")
    message = str(err.value)
    assert message.startswith("f(x): ") and needle in message and "Likely cause: think" in message


def test_assert_close_does_not_trust_torch_allclose(monkeypatch):
    monkeypatch.setattr(torch, "allclose", lambda *a, **k: True)
    with pytest.raises(AssertionError):
        T.assert_close(torch.tensor([1.0]), torch.tensor([2.0]))


def test_assert_equal_types_and_tensors():
    T.assert_equal(3, 3)
    T.assert_equal(torch.tensor([True, False]), torch.tensor([True, False]))
    with pytest.raises(AssertionError, match="Python int"):
        T.assert_equal(3.0, 3)
    with pytest.raises(AssertionError, match="Python bool"):
        T.assert_equal(torch.tensor(True), True)
    with pytest.raises(AssertionError, match=r"index \(1, 0\)"):
        T.assert_equal(torch.tensor([[1], [2]]), torch.tensor([[1], [3]]))


def test_quiet_silences_warnings(recwarn):
    import warnings

    with T.quiet():
        warnings.warn("noise")
    assert len(recwarn) == 0


def test_seeded_is_deterministic():
    assert torch.equal(torch.randn(3, generator=T.seeded(4)), torch.randn(3, generator=T.seeded(4)))


# ------------------------------------------------------------------ watchers and the memory walk (issue 13)
def test_torch_calls_sees_functions_and_aten_ops():
    import torch.nn.functional as F

    x = torch.randn(3, 4)
    out, names = T.torch_calls(F.gelu, x)
    assert torch.equal(out, F.gelu(x)) and "gelu" in names
    _, names = T.torch_calls(lambda t: torch.nn.LayerNorm(4)(t), x)
    assert "layer_norm" in names and "native_layer_norm" in names
    _, names = T.torch_calls(lambda t: 0.5 * t * (1 + torch.erf(t / 2 ** 0.5)), x)
    T.assert_not_called(names, ["gelu"])
    with pytest.raises(AssertionError, match="forbids"):
        T.assert_not_called({"native_batch_norm"}, ["batch_norm"], name="batch_norm", hint="write it yourself")


def test_op_recorder_budget_and_largest_output():
    with T.OpRecorder() as rec:
        torch.ones(5, 7) @ torch.ones(7, 2)
    assert "mm" in rec.names and rec.largest_output()[0] == 35
    with pytest.raises(RuntimeError, match="more than 2 torch operations"):
        with T.OpRecorder(max_ops=2):
            for _ in range(5):
                torch.ones(3) + 1


def test_tensor_bytes_held_counts_each_storage_once():
    class Holder:
        pass

    h = Holder()
    h.a = torch.zeros(10)                       # 40 bytes
    h.view = h.a[2:5]                           # the same storage
    h.nested = [torch.zeros(3, dtype=torch.float64), {"k": torch.ones(2)}, (h.a,)]   # 24 + 8
    h.again = h
    assert T.tensor_bytes_held(h) == 72

    class Skip:
        def __init__(self):
            self.big = torch.zeros(1000)

    h.skip = Skip()
    assert T.tensor_bytes_held(h, skip=(Skip,)) == 72
    assert T.tensor_bytes_held(h) == 72 + 4000


def test_shared_with_arguments_names_the_entries_that_alias_an_argument():   # 09, 12 (conv-c)
    a = {"w": torch.ones(3), "b": torch.zeros(2)}
    out, shared = T.shared_with_arguments(lambda d: {"w": d["w"][1:], "b": d["b"] + 1}, a)
    assert shared == ["['w']"] and torch.equal(out["b"], torch.ones(2))
    assert T.shared_with_arguments(lambda s: [s[0].clone()], [a["w"]])[1] == []
    assert T.shared_with_arguments(lambda m: m.weight.T, torch.nn.Linear(2, 3))[1] == ["the result"]
    assert T.type_name(torch.nn.Linear(2, 3)) == "Linear" and T.type_name(3) == "int"


# ------------------------------------------------------------------------------ helpers of 03 and 04 (conv-a)

def test_without_autograd_blocks_backward_and_passes_honest_code():
    def by_hand(x):
        return 2 * x

    def by_autograd(x):
        with torch.enable_grad():
            x = x.detach().clone().requires_grad_(True)
            (x ** 2).sum().backward()
        return x.grad

    assert T.without_autograd(by_hand, torch.ones(2)).tolist() == [2.0, 2.0]
    with pytest.raises((AssertionError, RuntimeError)):
        T.without_autograd(by_autograd, torch.ones(2))
    assert torch.autograd.grad is not None and torch.is_grad_enabled()      # everything restored


def test_forward_backward_order_records_alternation():
    import torch.nn as nn

    def alternate(model, x):
        for xb in x.chunk(2):
            model(xb).sum().backward()

    def all_forwards_first(model, x):
        losses = [model(xb).sum() for xb in x.chunk(2)]
        sum(losses).backward()

    x = torch.randn(4, 3)
    assert T.forward_backward_order(alternate, nn.Linear(3, 1), x) == "FBFB"
    assert T.forward_backward_order(all_forwards_first, nn.Linear(3, 1), x) == "FFBB"


def test_steps_on_one_grad_reveals_a_buffer_that_aliases_the_grad():
    def aliasing(param, grad, state, lr):
        if "buf" not in state:
            state["buf"] = grad                     # no copy
        else:
            state["buf"].mul_(0.9).add_(grad)
        param.add_(state["buf"], alpha=-lr)

    def copying(param, grad, state, lr):
        state["buf"] = grad.clone() if "buf" not in state else state["buf"].mul(0.9).add(grad)
        param.add_(state["buf"], alpha=-lr)

    grads = [torch.tensor([1.0]), torch.tensor([2.0])]
    good = T.steps_on_one_grad(copying, torch.zeros(1), grads, lr=1.0)
    bad = T.steps_on_one_grad(aliasing, torch.zeros(1), grads, lr=1.0)
    assert abs(good["params"][1].item() + 3.9) < 1e-6 and good["grads"][1].item() == 2.0
    assert bad["grads"][1].item() != 2.0            # the aliasing buffer changed the caller's gradient


def test_train_with_step_matches_torch_sgd():
    import torch.nn as nn
    import torch.nn.functional as F

    def sgd(param, grad, state, lr):
        param.add_(grad, alpha=-lr)

    torch.manual_seed(0)
    model, X, y = nn.Linear(3, 1), torch.randn(8, 3), torch.randn(8, 1)
    theirs = nn.Linear(3, 1)
    theirs.load_state_dict(model.state_dict())
    run = T.train_with_step(sgd, model, X, y, {"lr": 0.1}, [0.1, 0.05])
    opt = torch.optim.SGD(theirs.parameters(), lr=0.1)
    for lr in (0.1, 0.05):
        opt.zero_grad()
        F.mse_loss(theirs(X), y).backward()
        opt.param_groups[0]["lr"] = lr
        opt.step()
    assert run["losses"].shape == (2,) and not run["grad_changed"]
    for a, b in zip(run["params"], theirs.parameters()):
        T.assert_close(a, b.detach())


def test_checkpoint_trial_reports_each_fault():
    import os

    def atomic(state, path):
        tmp = path + ".tmp"
        torch.save(state, tmp)
        os.replace(tmp, path)

    def in_place(state, path):
        torch.save(state, path)

    saves = [({"step": 1}, None), ({"step": 2}, "torch_save"), ({"step": 3}, "unpicklable"), ({"step": 4}, "rename"),
             ({"step": 5}, "link")]
    good = T.checkpoint_trial(atomic, saves, subdir="run")
    assert [r["raised"] is not None for r in good] == [False, True, True, True, False]
    assert good[1]["os_error"] and [r["loaded"]["step"] for r in good] == [1, 1, 1, 1, 5]
    assert good[0]["save_dirs"] == [good[0]["dir"]] and good[0]["dir"].endswith("run")
    assert good[4]["linked"] and good[4]["link_loaded"]["step"] == 1
    bad = T.checkpoint_trial(in_place, [({"step": 1}, None), ({"step": 2}, "torch_save"), ({"step": 3}, "link")])
    assert bad[1]["load_error"] is not None and bad[2]["link_loaded"]["step"] == 3
    assert torch.save.__module__ == "torch.serialization" and os.replace.__name__ == "replace"


def test_call_with_saved_file_and_call_each():
    back = T.call_with_saved_file(lambda path: torch.load(path, weights_only=False), {"a": [1, 2]})
    assert back == {"a": [1, 2]}
    assert T.call_each(pow, [(2, 3), (3, 2)]) == [8, 9]


def test_recorders_skip_the_two_kernel_graders_own_marshalling(monkeypatch):
    # In the test kernel a call into the student kernel encodes its arguments and decodes its result
    # (course/grader/bridge.py, test_side.py): those torch calls are not the watched code's, only what the student
    # kernel reports recording is. A fake endpoint stands for the student kernel.
    from course.grader import bridge, test_side

    answer = bridge.encode(torch.full((3,), 2.0))

    class StudentKernel:
        def request(self, op, **fields):
            return {"value": answer, "recorded": {"calls": ["add"], "ops": [["add", [[3]], [[3]]]]}}

    monkeypatch.setitem(test_side._state, "endpoint", StudentKernel())
    f = test_side.StudentObject({"id": 1, "type": "function", "callable": True, "repr": "<function f at 0x0>"})
    x = torch.ones(3)
    with T.CallRecorder() as calls, T.OpRecorder() as rec:
        out = f(x)
    assert torch.equal(out, torch.full((3,), 2.0))
    assert calls.names == ["add"] and rec.ops == [("add", [(3,)], [(3,)])]
    # the same grader functions called by other code, or code compiled under the grader's file name, are watched
    ns: dict = {}
    exec(compile("def marshal(t):\n    return t.detach().numpy()\n", bridge.__file__, "exec"), ns)
    with T.CallRecorder() as calls, T.OpRecorder() as rec:
        bridge.encode(x)
        ns["marshal"](x)
    assert calls.names.count("numpy") == 2 and "detach" in rec.names


def test_build_and_call_sees_an_argument_changed_in_a_later_call():
    class KeepsParams:
        def __init__(self, params, scale=1.0):
            self.params, self.scale = params, scale

        def step(self, grads):
            for p, g in zip(self.params, grads):
                p.sub_(self.scale * g)                 # changes the constructor's argument in place

    class Copies(KeepsParams):
        def __init__(self, params, scale=1.0):
            super().__init__([p.clone() for p in params], scale)

    params, grads = [torch.ones(2), torch.zeros(3)], [torch.ones(2), torch.ones(3)]
    obj, changed = T.build_and_call(Copies, (params,), {"scale": 0.5}, "step", [(grads,), (grads,)])
    assert changed == [] and torch.equal(obj.params[0], torch.zeros(2))
    obj, changed = T.build_and_call(KeepsParams, (params,), {}, "step", [(grads,)])
    assert changed == ["args[0][0]", "args[0][1]"]


# ------------------------------------------------------------------ helpers that run where the code lives (13, 15)
def test_grad_of_output_backpropagates_the_chosen_element():
    def two_losses(a, b):
        return (a * b).sum(), (a ** 2).sum()

    a, b = torch.tensor([1.0, 2.0]), torch.tensor([3.0, -1.0])
    first = T.grad_of_output(two_losses, a, b, output=0)
    second = T.grad_of_output(two_losses, a, b, output=1)
    assert torch.equal(first.inputs[0], b) and torch.equal(first.inputs[1], a)
    assert torch.equal(second.inputs[0], 2 * a) and second.inputs[1] is None    # b is not in the second loss
    assert not any(t.requires_grad for t in second.output) and second.output[1].item() == 5.0
    assert a.grad is None and not a.requires_grad                                # the caller's tensors untouched


def test_call_each_shares_one_generator_like_a_loop():
    def draw(n, generator=None):
        return torch.rand(n, generator=generator)

    looped = [draw(n, generator=T.seeded(3)) for n in (2, 3)]                   # a fresh generator per call
    g = T.seeded(3)
    want = [draw(n, generator=g) for n in (2, 3)]                                # one stream
    got = T.call_each(draw, [(2,), (3,)], generator=T.seeded(3))
    assert all(torch.equal(x, y) for x, y in zip(got, want))
    assert not torch.equal(got[1][:2], looped[1][:2])


# 16_tokenization, 17_capstone_tiny_llm: helpers that run where the learner's code lives (here: locally)
def test_manual_seed_and_cpu_timed():
    T.manual_seed(3, torch.nn.Linear)
    a = torch.nn.Linear(4, 4).weight.detach().clone()
    T.manual_seed(3, torch.nn.Linear)
    b = torch.nn.Linear(4, 4).weight.detach().clone()
    assert torch.equal(a, b)
    threads = torch.get_num_threads()
    (out, seconds) = T.cpu_timed(lambda n: (torch.get_num_threads(), sum(range(n))), 10_000, threads=1)
    assert out == (1, sum(range(10_000))) and 0 <= seconds < 5 and torch.get_num_threads() == threads


def test_same_object_and_shares_memory():
    m = torch.nn.Sequential(torch.nn.Embedding(5, 3), torch.nn.Linear(3, 5, bias=False))
    assert not T.same_object(m, "0.weight", "1.weight")
    m[1].weight = m[0].weight
    assert T.same_object(m, "0.weight", "1.weight")
    x = torch.arange(4)
    assert T.shares_memory(lambda t: t, x)[1] and T.shares_memory(lambda t: t[1:], x)[1]
    assert not T.shares_memory(lambda t: t.clone(), x)[1]
    assert not T.shares_memory(lambda t: (t + 1, t * 2), x)[1]


def test_call_with_files_and_temp_paths(tmp_path):
    import pathlib

    def read(path, extra):
        return type(path).__name__, pathlib.Path(path).read_text(encoding="utf-8") + extra
    assert T.call_with_files(read, {"a.txt": "模型"}, T.TempPath("a.txt"), extra="!") == ("str", "模型!")
    kind, _ = T.call_with_files(read, {"a.txt": ""}, T.TempPath("a.txt", pathlike=True), "")
    assert kind.endswith("Path")


def test_code_names_and_call_refusing_str():
    def enc(text):
        return list(text.encode("utf-8"))

    def by_bytes(text):
        return list(bytes(text, "utf-8"))

    def by_hand(text):
        return [ord(c) for c in text] + list(bytes([1, 2]))
    assert "encode" in T.code_names(enc) and "encode" not in T.code_names(by_hand)
    assert T.call_refusing_str(by_hand, ["bytes", "bytearray"], "ab") == [97, 98, 1, 2]
    with pytest.raises(RuntimeError, match=r"bytes\(\) called on a str"):
        T.call_refusing_str(by_bytes, ["bytes", "bytearray"], "ab")
    assert by_bytes("ab") == [97, 98]                              # the function itself is unchanged


def test_repeat_then_raise_is_lazy_and_picklable():
    import pickle

    stream = pickle.loads(pickle.dumps(T.RepeatThenRaise("x", 3, "read too far")))
    it = iter(stream)
    assert [next(it) for _ in range(3)] == ["x", "x", "x"]
    with pytest.raises(RuntimeError, match="read too far"):
        next(it)


def test_moves_global_rng_sees_torch_python_and_numpy_global_streams():
    import random

    import numpy as np

    own = T.moves_global_rng(lambda: torch.randperm(5, generator=torch.Generator().manual_seed(0)))
    assert own[1] is False and sorted(own[0].tolist()) == [0, 1, 2, 3, 4]
    for draw in (lambda: torch.manual_seed(0), lambda: torch.rand(1), lambda: random.random(),
                 lambda: np.random.seed(0), lambda: np.random.permutation(3)):
        assert T.moves_global_rng(draw)[1] is True


def test_python_speed_unit_is_a_positive_time_of_a_fixed_workload():
    unit = T.python_speed_unit(len)
    assert isinstance(unit, float) and 0 < unit < 30
