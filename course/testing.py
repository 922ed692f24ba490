"""Assertions for notebook test cells, with messages that teach.

Every check ends in a plain Python comparison of Python numbers, so the
verdict does not rest on ``torch.allclose`` or ``numpy.testing`` (which a
submission could monkeypatch). A failure says what was expected, what came
back, and the likely cause when the test knows it:

    assert_close(out, ref, name="softmax(x)", hint="did you subtract the max?")

Test cells import this module as ``T`` in the notebook's setup cell.
"""
from __future__ import annotations

import math
import warnings
from typing import Any, NamedTuple, Sequence

import torch

__all__ = ["assert_close", "assert_equal", "assert_shape", "assert_dtype", "assert_true", "quiet", "seeded",
           "OpRecorder", "CallRecorder", "torch_calls", "assert_not_called", "tensor_bytes_held", "grad", "Grads", "is_instance",
           "where_the_code_lives"]


class quiet(warnings.catch_warnings):
    """Context manager silencing warnings: nbgrader scores a test cell that writes to stderr 0."""

    def __enter__(self):
        out = super().__enter__()
        warnings.simplefilter("ignore")
        return out


def seeded(seed: int = 0) -> torch.Generator:
    """A fresh CPU generator, so tests are deterministic whatever ran before."""
    return torch.Generator().manual_seed(seed)


def _fail(name: str, what: str, hint: str | None) -> None:
    message = f"{name}: {what}"
    if hint:
        message += f" Likely cause: {hint}"
    raise AssertionError(message)


def _fmt(x: Any) -> str:
    if isinstance(x, float):
        return f"{x:.6g}"
    return repr(x)


def assert_true(condition: bool, message: str) -> None:
    """``assert condition`` with a message; works under ``python -O`` too."""
    if condition is not True and not bool(condition):
        raise AssertionError(message)


def assert_shape(actual: Any, shape: Sequence[int], name: str = "result", hint: str | None = None) -> None:
    if not isinstance(actual, torch.Tensor):
        _fail(name, f"expected a torch.Tensor of shape {tuple(shape)}, got {type(actual).__name__}.", hint)
    if tuple(actual.shape) != tuple(shape):
        _fail(name, f"expected shape {tuple(shape)}, got {tuple(actual.shape)}.", hint)


def assert_dtype(actual: Any, dtype: torch.dtype, name: str = "result", hint: str | None = None) -> None:
    if not isinstance(actual, torch.Tensor):
        _fail(name, f"expected a torch.Tensor of dtype {dtype}, got {type(actual).__name__}.", hint)
    if actual.dtype != dtype:
        _fail(name, f"expected dtype {dtype}, got {actual.dtype}.", hint or "keep the input's dtype.")


def _as_list(x: Any) -> list:
    if isinstance(x, torch.Tensor):
        flat = x.detach().reshape(-1)
        if flat.is_floating_point() or flat.is_complex():
            flat = flat.to(torch.float64) if not flat.is_complex() else flat
        return flat.tolist()
    return [x]


def _index(flat_index: int, shape: Sequence[int]) -> tuple:
    index = []
    for size in reversed(tuple(shape)):
        index.append(flat_index % size if size else 0)
        flat_index //= size if size else 1
    return tuple(reversed(index))


def assert_close(actual: Any, expected: Any, *, rtol: float = 1e-5, atol: float = 1e-6, name: str = "result",
                 hint: str | None = None, check_dtype: bool = True) -> None:
    """Values equal within ``|a - e| <= atol + rtol * |e|`` elementwise; shapes equal; NaN only where expected.

    ``expected`` is a tensor from an independent oracle or a Python number.
    """
    if isinstance(expected, torch.Tensor):
        if not isinstance(actual, torch.Tensor):
            _fail(name, f"expected a torch.Tensor of shape {tuple(expected.shape)}, got {type(actual).__name__}.",
                  hint)
        if tuple(actual.shape) != tuple(expected.shape):
            _fail(name, f"expected shape {tuple(expected.shape)}, got {tuple(actual.shape)}.", hint)
        if check_dtype and actual.dtype != expected.dtype:
            _fail(name, f"expected dtype {expected.dtype}, got {actual.dtype}.", hint or "keep the input's dtype.")
        shape = tuple(expected.shape)
    else:
        if isinstance(actual, torch.Tensor):
            if actual.numel() != 1:
                _fail(name, f"expected a single number {_fmt(expected)}, got a tensor of shape "
                            f"{tuple(actual.shape)}.", hint)
        elif not isinstance(actual, (int, float, bool)):
            _fail(name, f"expected a number close to {_fmt(expected)}, got {type(actual).__name__}.", hint)
        shape = ()
    got, want = _as_list(actual), _as_list(expected)
    worst, worst_at = -1.0, None
    for i, (a, e) in enumerate(zip(got, want)):
        a, e = complex(a), complex(e)
        if e != e or math.isnan(e.real):  # an expected NaN must come back as NaN
            if not (a != a or math.isnan(a.real)):
                _fail(name, f"at index {_index(i, shape)} expected nan, got {_fmt(a.real)}.", hint)
            continue
        if math.isinf(e.real):
            if a.real != e.real:
                _fail(name, f"at index {_index(i, shape)} expected {_fmt(e.real)}, got {_fmt(a.real)}.", hint)
            continue
        if a != a or math.isnan(a.real) or math.isinf(a.real) or math.isinf(a.imag):
            _fail(name, f"at index {_index(i, shape)} expected {_fmt(e.real)}, got {_fmt(a.real)} "
                        f"(a non-finite value).", hint)
        excess = abs(a - e) - (atol + rtol * abs(e))
        if excess > worst:
            worst, worst_at = excess, (i, a, e)
    if worst > 0:
        i, a, e = worst_at
        a_txt = _fmt(a.real) if a.imag == 0 else _fmt(a)
        e_txt = _fmt(e.real) if e.imag == 0 else _fmt(e)
        n_bad = sum(1 for x, y in zip(got, want)
                    if not (complex(y) != complex(y)) and not math.isinf(complex(y).real)
                    and abs(complex(x) - complex(y)) > atol + rtol * abs(complex(y)))
        where = f" at index {_index(i, shape)}" if shape else ""
        _fail(name, f"expected {e_txt}{where}, got {a_txt} (|error| {abs(a - e):.3g}, tolerance "
                    f"atol={atol:g} + rtol={rtol:g}·|expected|; {n_bad} of {len(want)} values off).", hint)


def assert_equal(actual: Any, expected: Any, name: str = "result", hint: str | None = None) -> None:
    """Exact equality of ints, bools, strings, lists or integer/bool tensors (compared as Python lists)."""
    if isinstance(expected, torch.Tensor):
        if not isinstance(actual, torch.Tensor):
            _fail(name, f"expected a torch.Tensor, got {type(actual).__name__}.", hint)
        if tuple(actual.shape) != tuple(expected.shape):
            _fail(name, f"expected shape {tuple(expected.shape)}, got {tuple(actual.shape)}.", hint)
        if actual.dtype != expected.dtype:
            _fail(name, f"expected dtype {expected.dtype}, got {actual.dtype}.", hint)
        got, want = actual.reshape(-1).tolist(), expected.reshape(-1).tolist()
        for i, (a, e) in enumerate(zip(got, want)):
            if a != e:
                _fail(name, f"at index {_index(i, tuple(expected.shape))} expected {e!r}, got {a!r}.", hint)
        return
    if type(expected) in (int, float) and isinstance(actual, bool):
        _fail(name, f"expected {expected!r}, got the bool {actual!r}.", hint)
    if isinstance(expected, bool) and not isinstance(actual, bool):
        _fail(name, f"expected the Python bool {expected!r}, got {actual!r} ({type(actual).__name__}).", hint)
    if isinstance(expected, int) and not isinstance(expected, bool) and not isinstance(actual, int):
        _fail(name, f"expected the Python int {expected!r}, got {actual!r} ({type(actual).__name__}).", hint)
    if not (actual == expected):
        _fail(name, f"expected {expected!r}, got {actual!r}.", hint)


# ------------------------------------------------------------------------------------------------ two kernels
# When a class is graded, test cells run in a kernel of their own and the learner's functions and objects
# are proxies there (course/grader/test_side.py). A helper that must look inside the learner's objects or
# run their code under special conditions (gradients, memory, patched torch functions) is marked
# @where_the_code_lives: given a proxy as its first argument, it runs in the learner's kernel and returns
# plain data; given a local object (JupyterLab, one kernel), it runs here.
REMOTE_HELPERS: dict = {}


def _remote(obj) -> bool:
    """An object of the student kernel seen from the test kernel (course.grader.test_side's proxies)."""
    return callable(getattr(type(obj), "_course_helper", None))


def where_the_code_lives(helper):
    import functools

    REMOTE_HELPERS[helper.__name__] = helper

    @functools.wraps(helper)
    def run(target, *args, **kwargs):
        if _remote(target):
            return target._course_helper(helper.__name__, *args, **kwargs)
        return helper(target, *args, **kwargs)
    return run


@where_the_code_lives
def is_instance(obj: Any, cls) -> bool:
    """``isinstance(obj, cls)``, also for a learner's object seen from the test kernel."""
    return isinstance(obj, cls)


# ------------------------------------------------------------------------------------------------ watchers
# Tests enforce rules such as "do not call F.gelu" or "one pass over blocks" by watching what torch runs.
# torch.overrides.TorchFunctionMode sees every torch function and tensor method called (F.gelu -> "gelu");
# TorchDispatchMode sees every low-level aten operation, those inside torch's own functions included.

def _modes():
    from torch.overrides import TorchFunctionMode
    from torch.utils._python_dispatch import TorchDispatchMode
    return TorchFunctionMode, TorchDispatchMode


_TorchFunctionMode, _TorchDispatchMode = _modes()
_ACTIVE: list = []  # the recorders whose block is running: a call into the student kernel is watched there too


def active_recorders() -> list:
    return list(_ACTIVE)


def extend_recorders(calls: list, ops: list) -> None:
    """Add what a call watched in the student kernel recorded to every active recorder here."""
    for recorder in _ACTIVE:
        if isinstance(recorder, CallRecorder):
            recorder.names.extend(calls)
        elif isinstance(recorder, OpRecorder):
            recorder.ops.extend(ops)
            if recorder.max_ops is not None and len(recorder.ops) > recorder.max_ops:
                raise RuntimeError(f"more than {recorder.max_ops} torch operations")


class OpRecorder(_TorchDispatchMode):
    """``with OpRecorder() as rec:`` records every aten operation run inside the block in ``rec.ops`` as
    ``(name, input shapes, output shapes)``. With ``max_ops``, running more operations raises RuntimeError."""

    @classmethod
    def _should_skip_dynamo(cls):  # nothing here is compiled: skip importing torch._dynamo (seconds)
        return False

    def __init__(self, max_ops: int | None = None):
        super().__init__()
        self.ops, self.max_ops = [], max_ops

    def __enter__(self):
        _ACTIVE.append(self)
        return super().__enter__()

    def __exit__(self, *exc):
        _ACTIVE.remove(self)
        return super().__exit__(*exc)

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        from torch.utils._pytree import tree_leaves

        kwargs = kwargs or {}
        out = func(*args, **kwargs)
        shapes = lambda tree: [tuple(t.shape) for t in tree_leaves(tree) if isinstance(t, torch.Tensor)]  # noqa: E731
        self.ops.append((func.overloadpacket.__name__, shapes((args, kwargs)), shapes(out)))
        if self.max_ops is not None and len(self.ops) > self.max_ops:
            raise RuntimeError(f"more than {self.max_ops} torch operations")
        return out

    @property
    def names(self) -> list:
        return [name for name, _, _ in self.ops]

    def largest_output(self) -> tuple:
        """(number of elements, op name, shape) of the largest tensor any recorded operation made."""
        return max(((math.prod(s), name, s) for name, _, outs in self.ops for s in outs), default=(0, None, None))


class CallRecorder(_TorchFunctionMode):
    """``with CallRecorder() as rec:`` records the name of every torch function or tensor method called
    inside the block in ``rec.names`` (e.g. 'gelu', 'sort', 'tolist')."""

    def __init__(self):
        super().__init__()
        self.names = []

    def __enter__(self):
        _ACTIVE.append(self)
        return super().__enter__()

    def __exit__(self, *exc):
        _ACTIVE.remove(self)
        return super().__exit__(*exc)

    def __torch_function__(self, func, types, args=(), kwargs=None):
        self.names.append(getattr(func, "__name__", str(func)))
        return func(*args, **(kwargs or {}))


def torch_calls(fn, *args, **kwargs) -> tuple:
    """Run ``fn(*args, **kwargs)`` watched; return ``(result, names)``: every torch function, tensor method
    and aten operation name it ran (a set of str)."""
    with CallRecorder() as calls, OpRecorder() as rec:
        result = fn(*args, **kwargs)
    return result, set(calls.names) | set(rec.names)


def assert_not_called(names: set, banned: Sequence[str], name: str = "result", hint: str | None = None) -> None:
    """No name in ``names`` contains any of the ``banned`` substrings (e.g. "gelu" matches aten.gelu)."""
    used = sorted(n for n in names if any(b in n for b in banned))
    if used:
        _fail(name, f"called {used}, which the exercise forbids.", hint)


@where_the_code_lives
def tensor_bytes_held(obj: Any, skip: tuple = ()) -> int:
    """Bytes of every tensor storage reachable from ``obj`` through attributes, dicts, lists, tuples and sets,
    each storage counted once (views of one buffer count once). Objects of the types in ``skip`` are not
    entered; neither are modules, classes and functions."""
    import collections
    import types

    stack, seen, storages, total = [obj], set(), set(), 0
    while stack:
        o = stack.pop()
        if id(o) in seen or isinstance(o, skip) or isinstance(o, (type, types.ModuleType, types.FunctionType,
                                                                     types.BuiltinFunctionType, types.MethodType)):
            continue
        seen.add(id(o))
        if isinstance(o, torch.Tensor):
            st = o.untyped_storage()
            key = (st.data_ptr(), st.nbytes())
            if key not in storages:
                storages.add(key)
                total += st.nbytes()
        elif isinstance(o, dict):
            stack.extend(o.keys())
            stack.extend(o.values())
        elif isinstance(o, (list, tuple, set, frozenset, collections.deque)):
            stack.extend(o)
        else:
            if hasattr(o, "__dict__"):
                stack.extend(vars(o).values())
            for name in getattr(type(o), "__slots__", ()):
                if isinstance(name, str) and hasattr(o, name):
                    stack.append(getattr(o, name))
    return total


# ------------------------------------------------------------------------------------------------ gradients

class Grads(NamedTuple):
    output: Any
    inputs: tuple
    params: dict


@where_the_code_lives
def grad(fn, *inputs, grad_output=None, **kwargs) -> Grads:
    """Gradients through ``fn``, computed where ``fn`` lives: tests never call ``.backward()`` on a result.

    Runs ``fn(*inputs, **kwargs)`` on copies of the floating-point tensors of ``inputs`` that require grad,
    then backpropagates ``(output * grad_output).sum()`` (``grad_output`` defaults to ones; when ``fn``
    returns a tuple, its first element is used). Returns ``Grads(output, inputs, params)``: the output
    (detached), the gradient of each input (None for non-tensors or when unused) and, when ``fn`` is an
    ``nn.Module``, ``{name: grad}`` of its parameters (whose ``.grad`` is cleared first and left set).
    """
    leaves = [x.detach().clone().requires_grad_(True) if isinstance(x, torch.Tensor) and x.is_floating_point()
              else x for x in inputs]
    params = dict(fn.named_parameters()) if isinstance(fn, torch.nn.Module) else {}
    for p in params.values():
        p.grad = None
    with torch.enable_grad():
        out = fn(*leaves, **kwargs)
        first = out[0] if isinstance(out, (tuple, list)) else out
        weight = torch.ones_like(first) if grad_output is None else grad_output
        (first * weight).sum().backward()
    grads = tuple(x.grad if isinstance(x, torch.Tensor) and x.requires_grad else None for x in leaves)
    detached = type(out)(o.detach() if isinstance(o, torch.Tensor) else o for o in out) \
        if isinstance(out, (tuple, list)) and not hasattr(out, "_fields") else \
        (out.detach() if isinstance(out, torch.Tensor) else out)
    return Grads(detached, grads, {k: p.grad for k, p in params.items()})


# ------------------------------------------------------------------------------------------------ 13_ml_applications
# (also used by 15_modern_architectures)

@where_the_code_lives
def grad_of_output(fn, *inputs, output: int = 0, grad_output=None, **kwargs) -> Grads:
    """``grad`` for a function that returns a tuple, backpropagating its element ``output`` (``grad`` takes the
    first): ``T.grad_of_output(gan_losses, real, fake, output=1)`` is the gradient of the generator's loss.

    Same copies of the inputs and the same ``Grads(output, inputs, params)`` as ``grad``; ``output`` is the
    whole result, its tensors detached.
    """
    leaves = [x.detach().clone().requires_grad_(True) if isinstance(x, torch.Tensor) and x.is_floating_point()
              else x for x in inputs]
    params = dict(fn.named_parameters()) if isinstance(fn, torch.nn.Module) else {}
    for p in params.values():
        p.grad = None
    with torch.enable_grad():
        out = fn(*leaves, **kwargs)
        chosen = out[output]
        weight = torch.ones_like(chosen) if grad_output is None else grad_output
        (chosen * weight).sum().backward()
    grads = tuple(x.grad if isinstance(x, torch.Tensor) and x.requires_grad else None for x in leaves)
    detached = type(out)(o.detach() if isinstance(o, torch.Tensor) else o for o in out) \
        if isinstance(out, (tuple, list)) and not hasattr(out, "_fields") else out
    return Grads(detached, grads, {k: p.grad for k, p in params.items()})


@where_the_code_lives
def call_each(fn, arg_lists, **kwargs) -> list:
    """``[fn(*args, **kwargs) for args in arg_lists]``, run where ``fn`` lives: a statistical test that calls
    learner code thousands of times makes one round trip instead of thousands. The same ``kwargs`` objects
    serve every call, as in a loop: a ``torch.Generator`` keeps drawing from one stream (the caller's own
    generator is not advanced when ``fn`` lives in another kernel)."""
    return [fn(*args, **kwargs) for args in arg_lists]
