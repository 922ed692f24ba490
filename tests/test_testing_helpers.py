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
