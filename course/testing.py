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


# ------------------------------------------------------------------------------------------------ 16_tokenization,
# 17_capstone_tiny_llm: seeding, timing, identity, files and code inspection where the learner's code runs

@where_the_code_lives
def _manual_seed_there(obj, seed: int) -> None:
    torch.manual_seed(seed)


def manual_seed(seed: int, *where) -> None:
    """``torch.manual_seed(seed)`` here and in the kernel where each of ``where`` (a learner's class or
    function) lives: a test that draws a learner's model from torch's global RNG seeds it with this.
    In the learner's own Run All there is one kernel and this is ``torch.manual_seed(seed)``."""
    torch.manual_seed(seed)
    for obj in where:
        _manual_seed_there(obj, seed)


@where_the_code_lives
def cpu_timed(fn, *args, threads: int | None = None, **kwargs) -> tuple:
    """``(fn(*args, **kwargs), seconds)``: the CPU time (``time.process_time``) of the call, measured in the
    kernel where ``fn`` runs; with ``threads``, torch runs the call on that many threads (restored after)."""
    import time

    before = torch.get_num_threads()
    if threads is not None:
        torch.set_num_threads(threads)
    try:
        start = time.process_time()
        result = fn(*args, **kwargs)
        seconds = time.process_time() - start
    finally:
        torch.set_num_threads(before)
    return result, seconds


@where_the_code_lives
def same_object(obj, path_a: str, path_b: str) -> bool:
    """Whether the attributes at the dotted paths ``path_a`` and ``path_b`` of ``obj`` are one object (``is``),
    e.g. ``same_object(lm, "lm_head.weight", "embed.weight")`` for tied weights. Results of learner code are
    copies in the test kernel, so ``is`` between them says nothing: ask where ``obj`` lives."""
    import operator

    return operator.attrgetter(path_a)(obj) is operator.attrgetter(path_b)(obj)


@where_the_code_lives
def shares_memory(fn, *args, **kwargs) -> tuple:
    """``(result, shared)``: ``fn(*args, **kwargs)`` and whether a tensor of the result (a tensor, or a tuple
    or list of them) shares storage with a tensor argument, checked where ``fn`` runs ("return a copy")."""
    result = fn(*args, **kwargs)
    outs = result if isinstance(result, (tuple, list)) else [result]
    ins = [a for a in list(args) + list(kwargs.values()) if isinstance(a, torch.Tensor)]
    held = {a.untyped_storage().data_ptr() for a in ins if a.numel()}
    shared = any(isinstance(o, torch.Tensor) and o.numel() and o.untyped_storage().data_ptr() in held for o in outs)
    return result, shared


class TempPath(NamedTuple):
    """In the arguments of ``call_with_files``: the path of the file ``name`` it writes (a ``pathlib.Path``
    when ``pathlike``, else a str)."""
    name: str
    pathlike: bool = False


@where_the_code_lives
def call_with_files(fn, files: dict, *args, **kwargs):
    """``fn(*args, **kwargs)`` with the text files ``files`` ({name: text}, UTF-8) written to a fresh temporary
    folder where ``fn`` runs (the grader's student kernel has a /tmp of its own); each ``TempPath(name)``
    argument becomes that file's path. The folder is removed after the call."""
    import os
    import pathlib
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        for name, text in files.items():
            with open(os.path.join(tmp, name), "w", encoding="utf-8") as f:
                f.write(text)

        def place(a):
            if isinstance(a, TempPath):
                path = os.path.join(tmp, a.name)
                return pathlib.Path(path) if a.pathlike else path
            return a
        return fn(*[place(a) for a in args], **{k: place(v) for k, v in kwargs.items()})


@where_the_code_lives
def code_names(fn) -> set:
    """The global and attribute names a learner's function (or a class's methods) refers to: ``co_names`` of its
    code and of every code object nested in it (a test that forbids ``str.encode`` looks for "encode")."""
    def names(code):
        out = set(code.co_names)
        for const in code.co_consts:
            if hasattr(const, "co_names"):
                out |= names(const)
        return out
    if isinstance(fn, type):
        return set().union(*[names(f.__code__) for f in vars(fn).values() if hasattr(f, "__code__")])
    return names(fn.__code__)


@where_the_code_lives
def call_refusing_str(fn, names: Sequence[str], *args, **kwargs):
    """Call a copy of the learner's function ``fn`` in which each builtin named in ``names`` (e.g. "bytes",
    "bytearray") raises ``RuntimeError("bytes() called on a str")`` when its first argument is a str: those calls
    are ``str.encode`` by another name. The learner's own function is left unchanged."""
    import builtins
    import types

    def refusing(name):
        real = getattr(builtins, name)

        def guarded(*a, **kw):
            if a and isinstance(a[0], str):
                raise RuntimeError(f"{name}() called on a str")
            return real(*a, **kw)
        return guarded

    overrides = {name: refusing(name) for name in names}
    copy = types.FunctionType(fn.__code__, {**fn.__globals__, **overrides}, fn.__name__, fn.__defaults__,
                              fn.__closure__)
    copy.__kwdefaults__ = fn.__kwdefaults__
    return copy(*args, **kwargs)


class RepeatThenRaise:
    """An iterable of ``times`` copies of ``item`` that raises ``RuntimeError(message)`` when read past them:
    code that reads a whole stream before yielding anything trips it. Plain data: it crosses to the learner's
    kernel and is iterated there."""

    def __init__(self, item, times: int, message: str):
        self.item, self.times, self.message = item, times, message

    def __iter__(self):
        for _ in range(self.times):
            yield self.item
        raise RuntimeError(self.message)
