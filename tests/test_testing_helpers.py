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
