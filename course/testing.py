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
           "where_the_code_lives", "build_and_call"]


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
    def run(target, /, *args, **kwargs):
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


_PAUSED = [0]  # > 0 while the two-kernel grader marshals a call (course/grader/test_side.py)


class not_recorded:
    """``with not_recorded():`` the torch calls inside are the grader's own (encoding a call's arguments for
    the learner's kernel, decoding its result, copying changes back), not the code under watch."""

    def __enter__(self):
        _PAUSED[0] += 1

    def __exit__(self, *exc):
        _PAUSED[0] -= 1


def _made_by_the_grader() -> bool:
    return _PAUSED[0] > 0


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
        if _made_by_the_grader():
            return out
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
        if not _made_by_the_grader():
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
    return _backward(fn, inputs, _first, grad_output, kwargs)


def _first(out):
    return out[0] if isinstance(out, (tuple, list)) else out


def _backward(fn, inputs, pick, grad_output, kwargs) -> Grads:
    """``grad``'s and ``grad_of_output``'s work: ``pick`` chooses which part of ``fn``'s result is backpropagated."""
    leaves = [x.detach().clone().requires_grad_(True) if isinstance(x, torch.Tensor) and x.is_floating_point()
              else x for x in inputs]
    params = dict(fn.named_parameters()) if isinstance(fn, torch.nn.Module) else {}
    for p in params.values():
        p.grad = None
    with torch.enable_grad():
        out = fn(*leaves, **kwargs)
        chosen = pick(out)
        weight = torch.ones_like(chosen) if grad_output is None else grad_output
        (chosen * weight).sum().backward()
    grads = tuple(x.grad if isinstance(x, torch.Tensor) and x.requires_grad else None for x in leaves)
    detached = type(out)(o.detach() if isinstance(o, torch.Tensor) else o for o in out) \
        if isinstance(out, (tuple, list)) and not hasattr(out, "_fields") else \
        (out.detach() if isinstance(out, torch.Tensor) else out)
    return Grads(detached, grads, {k: p.grad for k, p in params.items()})


# ------------------------------------------------------------------------------------------------ 09, 12: types, sharing
# 09_compression_deployment (LoRALinear, fold_batchnorm) and 12_multimodal_federated_privacy (VisionProjector,
# fedavg): a returned module's type, and "return new tensors", checked where the learner's objects live.

@where_the_code_lives
def type_name(obj: Any) -> str:
    """``type(obj).__name__``, also for a learner's object seen from the test kernel (for failure messages)."""
    return type(obj).__name__


def _tensors_in(obj, path: str, out: list, seen: set) -> None:
    """(path, tensor) for every tensor in obj's dicts, lists, tuples and modules' state, depth first."""
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, torch.Tensor):
        out.append((path, obj))
    elif isinstance(obj, torch.nn.Module):
        for key, value in obj.state_dict(keep_vars=True).items():
            _tensors_in(value, f"{path}.{key}", out, seen)
    elif isinstance(obj, dict):
        for key, value in obj.items():
            _tensors_in(value, f"{path}[{key!r}]", out, seen)
    elif isinstance(obj, (list, tuple)):
        for i, value in enumerate(obj):
            _tensors_in(value, f"{path}[{i}]", out, seen)


@where_the_code_lives
def shared_with_arguments(fn, *args, **kwargs) -> tuple:
    """Run ``fn(*args, **kwargs)`` where ``fn`` lives; return ``(result, shared)``.

    ``shared`` lists the places in the result (``"['w']"``, ``"[0]"``; ``"the result"`` for a bare tensor)
    whose tensor shares memory with a tensor of the arguments (found through dicts, lists, tuples and
    modules' state): the check behind "return new tensors", made where both live, since a result that
    crosses to the test kernel is always a copy.
    """
    def span(t: torch.Tensor) -> tuple:
        storage = t.untyped_storage()
        return storage.data_ptr(), storage.data_ptr() + storage.nbytes()

    given: list = []
    _tensors_in((args, kwargs), "", given, set())
    spans = [span(t) for _, t in given if t.untyped_storage().nbytes()]
    result = fn(*args, **kwargs)
    found: list = []
    _tensors_in(result, "", found, set())
    shared = [path or "the result" for path, t in found if t.untyped_storage().nbytes()
              and any(lo < span(t)[1] and span(t)[0] < hi for lo, hi in spans)]
    return result, shared


# ------------------------------------------------------------------------------------------------ 03_ffn_normalization

def _no_autograd(*args, **kwargs):
    raise AssertionError("autograd was called (torch.autograd.grad / backward); derive the gradients by hand")


@where_the_code_lives
def without_autograd(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` run where ``fn`` lives with autograd out of reach: under ``torch.inference_mode()``
    and with ``torch.autograd.grad``, ``torch.autograd.backward`` and ``torch.Tensor.backward`` raising
    AssertionError. For exercises whose gradients must be derived by hand. Returns fn's result; raises what fn
    raised (a RuntimeError from inference mode when autograd was reached another way)."""
    saved = (torch.autograd.grad, torch.autograd.backward, torch.Tensor.backward)
    torch.autograd.grad = torch.autograd.backward = torch.Tensor.backward = _no_autograd
    try:
        with torch.inference_mode():
            return fn(*args, **kwargs)
    finally:
        torch.autograd.grad, torch.autograd.backward, torch.Tensor.backward = saved


# -------------------------------------------------------------------------------------------- 04_training_optimization

@where_the_code_lives
def forward_backward_order(fn, model, *args, **kwargs) -> str:
    """Run ``fn(model, *args, **kwargs)`` where ``fn`` lives, watching ``model``: "F" for every forward call of
    ``model``, "B" when backward reaches that call's output (a hook on the output tensor). Returns the events in
    order as one string, e.g. "FBFB" for two micro-batches each run forward, then backward."""
    events = []

    def on_forward(module, inputs, out):
        events.append("F")
        if isinstance(out, torch.Tensor) and out.requires_grad:
            out.register_hook(lambda grad: events.append("B"))

    handle = model.register_forward_hook(on_forward)
    try:
        fn(model, *args, **kwargs)
    finally:
        handle.remove()
    return "".join(events)


@where_the_code_lives
def steps_on_one_grad(step_fn, param, grads, **hparams) -> dict:
    """Optimizer steps where ``step_fn`` lives, as a training loop makes them: one ``state`` dict and ONE gradient
    tensor ``g`` throughout, refilled in place before each step (``g.copy_(grads[k])``, as
    ``zero_grad(set_to_none=False)`` and backward do), then ``step_fn(param, g, state, **hparams)``. A buffer that
    aliases ``g`` instead of copying it shows here, as it would in training. Returns ``{"params": [param after each
    step], "grads": [g after each step]}`` (copies)."""
    state, g = {}, torch.zeros_like(grads[0])
    params, after = [], []
    for fresh in grads:
        with torch.no_grad():
            g.copy_(fresh)
        step_fn(param, g, state, **hparams)
        params.append(param.detach().clone())
        after.append(g.detach().clone())
    return {"params": params, "grads": after}


@where_the_code_lives
def train_with_step(step_fn, model, X, y, hparams: dict, lrs: list) -> dict:
    """Full-batch MSE training of ``model`` on ``(X, y)`` where ``step_fn`` lives, one step per entry of ``lrs``:
    zero_grad, loss, backward, then under ``torch.no_grad()`` ``step_fn(p, p.grad, state_p, **{**hparams,
    "lr": lr})`` for every parameter ``p`` (one state dict per parameter). One call instead of one per parameter
    and step. Returns ``{"losses": float64 tensor (n_steps,), "params": [final parameters], "grad_changed":
    whether step_fn modified a gradient}``."""
    import torch.nn.functional as F

    params = list(model.parameters())
    states = [{} for _ in params]
    losses, grad_changed = [], False
    for lr in lrs:
        model.zero_grad()
        with torch.enable_grad():
            loss = F.mse_loss(model(X), y)
            loss.backward()
        losses.append(loss.item())
        with torch.no_grad():
            for p, state in zip(params, states):
                g_before = p.grad.clone()
                step_fn(p, p.grad, state, **{**hparams, "lr": lr})
                grad_changed = grad_changed or not torch.equal(p.grad, g_before)
    return {"losses": torch.tensor(losses, dtype=torch.float64), "params": [p.detach().clone() for p in params],
            "grad_changed": grad_changed}


# ------------------------------------------------------------------------------------------------ 13_ml_applications
# (also used by 15_modern_architectures)

@where_the_code_lives
def grad_of_output(fn, *inputs, output: int = 0, grad_output=None, **kwargs) -> Grads:
    """``grad`` for a function that returns a tuple, backpropagating its element ``output`` (``grad`` takes the
    first): ``T.grad_of_output(gan_losses, real, fake, output=1)`` is the gradient of the generator's loss.

    Same copies of the inputs and the same ``Grads(output, inputs, params)`` as ``grad``; ``output`` is the
    whole result, its tensors detached.
    """
    return _backward(fn, inputs, lambda out: out[output], grad_output, kwargs)


@where_the_code_lives
def call_each(fn, arg_lists, **kwargs) -> list:
    """``[fn(*args, **kwargs) for args in arg_lists]``, run where ``fn`` lives: a statistical test that calls
    learner code thousands of times makes one round trip instead of thousands. The same ``kwargs`` objects
    serve every call, as in a loop: a ``torch.Generator`` keeps drawing from one stream (the caller's own
    generator is not advanced when ``fn`` lives in another kernel)."""
    return [fn(*args, **kwargs) for args in arg_lists]


class _HalfWriter:
    """A file opened for writing whose first write keeps half its bytes and whose second write raises OSError."""

    def __init__(self, f):
        self._f, self._writes = f, 0

    def write(self, data):
        self._writes += 1
        if self._writes > 1:
            raise OSError("simulated crash while writing")
        return self._f.write(data[: max(1, len(data) // 2)])

    def __getattr__(self, name):
        return getattr(self._f, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._f.close()


def _load_report(path: str) -> tuple:
    """(what torch.load reads at path, None) or (None, the type name of its error)."""
    try:
        with quiet():
            return torch.load(path, weights_only=False), None
    except Exception as err:  # noqa: BLE001 - an unreadable file is the finding
        return None, type(err).__name__


@where_the_code_lives
def checkpoint_trial(save_fn, saves: list, file_name: str = "ckpt.pt", subdir: str = "") -> list:
    """Run ``save_fn(state, path)`` for each ``(state, fault)`` of ``saves``, in order, on one ``path``
    (``<a fresh temporary directory>/<subdir>/<file_name>``) where ``save_fn`` lives, and report what each save left
    behind, so that tests never open the files a learner's code wrote. ``fault`` is None (a normal save) or:

    - "torch_save": torch.save writes a few bytes to the file it was given, then raises OSError (a crash);
    - "write": every file opened for writing (open, io.open) keeps half of its first write and raises OSError on
      the second;
    - "rename": os.replace and os.rename raise OSError;
    - "unpicklable": the state gets a last entry pickle cannot write (a lambda), so torch.save fails half way;
    - "link": no fault; before the save, path gets a second name (a hard link) whose contents are reported.

    Returns one dict per save: "raised" (the type name of what save_fn raised, or None), "os_error" (whether
    that was an OSError), "loaded" and
    "load_error" (``torch.load(path, weights_only=False)`` after the save, or the type name of its error),
    "save_dirs" (the real directory of each file torch.save was given; None for a file without a name), "dir"
    (the real directory of path), "files" (the directory's file names, sorted), "linked" (whether a hard link
    was made) and "link_loaded" / "link_error" (what the hard link loads after the save).
    """
    import builtins
    import io
    import os
    import tempfile

    reports = []
    with tempfile.TemporaryDirectory() as root:
        directory = os.path.join(root, subdir) if subdir else root
        os.makedirs(directory, exist_ok=True)
        path = os.path.join(directory, file_name)
        for state, fault in saves:
            real = (torch.save, builtins.open, io.open, os.replace, os.rename)
            save_dirs, witness = [], None
            if fault == "link":
                witness = os.path.join(root, ".witness-" + file_name)
                try:
                    os.link(path, witness)
                except OSError:
                    witness = None

            def spying_save(obj, f, *args, _fault=fault, **kwargs):
                target = f if isinstance(f, (str, os.PathLike)) else getattr(f, "name", None)
                save_dirs.append(os.path.realpath(os.path.dirname(os.path.abspath(target)))
                                 if isinstance(target, (str, os.PathLike)) else None)
                if _fault == "torch_save":
                    data = b"PK\x03\x04 half of a checkpoint"
                    if isinstance(f, (str, os.PathLike)):
                        with real[1](f, "wb") as fh:
                            fh.write(data)
                    else:
                        f.write(data)
                    raise OSError("simulated crash while writing the checkpoint")
                return real[0](obj, f, *args, **kwargs)

            def half_open(file, mode="r", *args, **kwargs):
                f = real[1](file, mode, *args, **kwargs)
                return _HalfWriter(f) if any(m in mode for m in "wax+") else f

            def failing_rename(*args, **kwargs):
                raise OSError("simulated crash at the rename")

            if fault == "unpicklable":
                state = {**state, "fn": lambda: 0}
            raised, os_error = None, False
            torch.save = spying_save
            if fault == "write":
                builtins.open = io.open = half_open
            elif fault == "rename":
                os.replace = os.rename = failing_rename
            try:
                with quiet():
                    save_fn(state, path)
            except Exception as err:  # noqa: BLE001 - what the save raised is part of the report
                raised, os_error = type(err).__name__, isinstance(err, OSError)
            finally:
                torch.save, builtins.open, io.open, os.replace, os.rename = real
            loaded, load_error = _load_report(path)
            link_loaded, link_error = _load_report(witness) if witness else (None, None)
            reports.append({"raised": raised, "os_error": os_error, "loaded": loaded, "load_error": load_error,
                            "save_dirs": save_dirs, "dir": os.path.realpath(directory),
                            "files": sorted(os.listdir(directory)), "linked": witness is not None,
                            "link_loaded": link_loaded, "link_error": link_error})
    return reports


@where_the_code_lives
def call_with_saved_file(fn, obj, file_name: str = "ckpt.pt"):
    """``fn(path)`` where ``fn`` lives, ``path`` being a fresh temporary file that ``torch.save(obj, path)`` wrote:
    a loader tested on a file the test made, in the learner's file system. Returns fn's result."""
    import os
    import tempfile

    with tempfile.TemporaryDirectory() as root:
        path = os.path.join(root, file_name)
        torch.save(obj, path)
        return fn(path)


# ------------------------------------------------------------------------------------------------ 08_zero_memory
def _same_values(a: torch.Tensor, b: torch.Tensor) -> bool:
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.is_floating_point() or a.is_complex():
        return bool(torch.equal(a.isnan(), b.isnan()) and torch.equal(torch.nan_to_num(a), torch.nan_to_num(b)))
    return bool(torch.equal(a, b))


@where_the_code_lives
def build_and_call(cls, args: tuple = (), kwargs: dict | None = None, method: str = "__call__",
                   calls: Sequence = ()) -> tuple:
    """``obj = cls(*args, **kwargs)``, then ``getattr(obj, method)(*c)`` for each tuple ``c`` of ``calls``, all where
    ``cls`` lives; returns ``(obj, changed)``: the object and the paths (``"args[0][1]"``, ``"calls[2][0][3]"``) of
    the tensors among ``args``, ``kwargs`` and ``calls`` whose values had changed in place by the end.

    Why: an object that keeps a reference to a constructor argument and changes it in a later method call is seen
    doing so only where it lives. In two-kernel grading every call gets copies of the test's arguments (changes come
    back at the end of that call only), so ``obj = cls(params); obj.step(g)`` from a test cell never sees ``step``
    change ``params``."""
    kwargs = dict(kwargs or {})
    calls = [tuple(c) for c in calls]
    watched: list = []
    for name, value in (("args", list(args)), ("kwargs", kwargs), ("calls", calls)):
        _tensors_in(value, name, watched, set())
    before = [(path, t, t.detach().clone()) for path, t in watched]
    obj = cls(*args, **kwargs)
    if calls:
        bound = getattr(obj, method)
        for c in calls:
            bound(*c)
    return obj, [path for path, t, copy in before if not _same_values(t.detach(), copy)]


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
def moves_global_rng(fn, *args, **kwargs) -> tuple:
    """``(fn(*args, **kwargs), moved)``: ``moved`` is True when the call seeded or drew from a global RNG
    (torch's, Python's ``random``, numpy's legacy ``np.random``) in the kernel where ``fn`` runs, i.e.
    changed the caller's random stream."""
    import random

    import numpy as np

    def states():
        legacy = np.random.get_state()
        return torch.get_rng_state(), random.getstate(), (legacy[1].tobytes(), legacy[2:])

    before = states()
    result = fn(*args, **kwargs)
    after = states()
    moved = not torch.equal(before[0], after[0]) or before[1:] != after[1:]
    return result, moved


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
def python_speed_unit(where) -> float:
    """CPU seconds of a fixed pure-Python workload (counting adjacent pairs in pseudo-words, dict-heavy like a
    tokenizer's trainer), measured in the kernel where ``where`` (a learner's function) runs: a time limit
    written as a multiple of it holds on a slower or busier machine as on a quiet one. the median of three
    runs, ~0.15 s each on this project's quiet development VM."""
    import time

    state, words = 12345, []
    for _ in range(20_000):  # a fixed linear congruential stream: the same words everywhere
        length = 2 + state % 7
        word = []
        for _ in range(length):
            state = (1103515245 * state + 12345) % 2 ** 31
            word.append(97 + state % 26)
        words.append(tuple(word))
    runs = []
    for _ in range(3):
        start = time.process_time()
        for _ in range(12):
            counts: dict = {}
            for word in words:
                for pair in zip(word, word[1:]):
                    counts[pair] = counts.get(pair, 0) + 1
            max(counts, key=counts.get)
        runs.append(time.process_time() - start)
    return sorted(runs)[1]


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
