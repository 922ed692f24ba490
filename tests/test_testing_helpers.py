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
