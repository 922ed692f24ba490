"""The wire between the student kernel and the trusted test kernel: plain data, handles, one call at a time.

Two-kernel grading (course.grader.run) runs a submission's own cells in the sandboxed student kernel and
its test cells in a trusted test kernel. Names the student kernel defines reach the test kernel as
proxies (``test_side.py``); calling one sends the arguments to the student kernel and brings back the
result, here, as plain data:

- student -> test (``encode`` / ``decode``): None, bool, int, float, complex, str, bytes, lists, tuples,
  named tuples, dicts, sets, slices, torch dtypes, devices, sizes and generators (as their state),
  tensors (dtype, shape and bytes, rebuilt as base ``torch.Tensor``s, never a subclass), numpy arrays
  and numbers. A subclass of any of these arrives as the base type. Anything else stays where it
  lives and crosses as a handle. ``decode`` is the only reader of the student's bytes and builds
  nothing but those types: no pickle, no import, no attribute lookup.
- test -> student (``dumps_args`` / ``loads_args``): pickle, which only the student side ever reads.
  Objects the test kernel keeps (a ``course.sim`` cluster, anything defined by a test cell, anything
  pickle cannot copy) cross as handles the other way: the student calls them back, with plain data.
  After the call, the arguments the student changed in place (a tensor, a module's parameters and
  gradients, an optimizer's state, a generator, a list) are sent back and copied into the test
  kernel's own objects.

Messages are length-prefixed JSON on a unix socket; a side waiting for its answer serves the other
side's requests meanwhile (the student's code may call back into a handle during a call), so one
connection carries nested calls. Only plain data crosses: what the student kernel sends can be wrong,
never code.
"""
from __future__ import annotations

import base64
import collections
import io
import json
import math
import pickle
import socket
import struct

import torch

MAX_MESSAGE = 256 * 2**20  # bytes of one message from the student kernel
TENSOR_DTYPES = {str(d).removeprefix("torch."): d for d in (
    torch.float64, torch.float32, torch.float16, torch.bfloat16, torch.complex64, torch.complex128,
    torch.int64, torch.int32, torch.int16, torch.int8, torch.uint8, torch.bool)}
REPR_CHARS = 300


class BridgeError(RuntimeError):
    """The other kernel broke the protocol, died or stopped answering."""


class RemoteError(Exception):
    """An exception raised by student code whose type is not a built-in exception."""


# ------------------------------------------------------------------------------------------------ framing
def send(sock: socket.socket, message: dict) -> None:
    data = json.dumps(message, allow_nan=True, separators=(",", ":")).encode()
    sock.sendall(struct.pack("!Q", len(data)) + data)


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    chunks, got = [], 0
    while got < n:
        chunk = sock.recv(min(n - got, 1 << 20))
        if not chunk:
            raise BridgeError("the other kernel closed the connection")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def receive(sock: socket.socket, limit: int = MAX_MESSAGE) -> dict:
    (size,) = struct.unpack("!Q", _recv_exact(sock, 8))
    if size > limit:
        raise BridgeError(f"a message of {size} bytes, over the {limit}-byte limit")
    try:
        message = json.loads(_recv_exact(sock, size))
    except (ValueError, RecursionError) as err:
        raise BridgeError(f"a message that is not JSON ({err.__class__.__name__})") from None
    if not isinstance(message, dict):
        raise BridgeError("a message that is not a JSON object")
    return message


# ------------------------------------------------------------------------------------------------ plain data
def _tensor_bytes(t: torch.Tensor) -> str:
    t = t.detach().cpu().contiguous()
    if t.dtype == torch.bfloat16:
        raw = t.view(torch.int16).numpy().tobytes()
    else:
        raw = t.numpy().tobytes()
    return base64.b64encode(raw).decode()


def encode(obj, handle=None, depth: int = 0):
    """obj as JSON-able plain data; ``handle(obj)`` gives the handle record of anything else."""
    if depth > 100:
        raise BridgeError("data nested more than 100 levels deep")
    if obj is None or isinstance(obj, bool):
        return obj if obj is None else bool(obj)
    if isinstance(obj, int):
        return int.__int__(obj) if type(obj) is not int else obj
    if isinstance(obj, float):
        value = float.__float__(obj)
        return value if math.isfinite(value) else {"$": "float", "v": repr(value)}
    if isinstance(obj, str):
        return str.__str__(obj)
    if isinstance(obj, torch.Tensor):
        if obj.is_sparse or obj.layout != torch.strided:
            obj = obj.to_dense()
        dtype = str(obj.dtype).removeprefix("torch.")
        if dtype not in TENSOR_DTYPES:
            raise BridgeError(f"a tensor of dtype {obj.dtype}, which the grader does not carry")
        out = {"$": "tensor", "dtype": dtype, "shape": list(obj.shape), "data": _tensor_bytes(obj)}
        if obj.requires_grad:  # the result still carries a graph there: say so (the graph itself stays)
            out["requires_grad"] = True
        return out
    if isinstance(obj, (list, tuple, set, frozenset, dict)):
        return _encode_container(obj, handle, depth)
    if isinstance(obj, complex):
        return {"$": "complex", "re": encode(obj.real), "im": encode(obj.imag)}
    if isinstance(obj, (bytes, bytearray)):
        return {"$": "bytes", "v": base64.b64encode(bytes(obj)).decode()}
    if isinstance(obj, torch.dtype):
        return {"$": "dtype", "v": str(obj).removeprefix("torch.")}
    if isinstance(obj, torch.device):
        return {"$": "device", "v": str(obj)}
    if isinstance(obj, torch.Generator):
        return {"$": "generator", "state": encode(obj.get_state())}
    if isinstance(obj, slice):
        return {"$": "slice", "v": [encode(obj.start), encode(obj.stop), encode(obj.step)]}
    if obj is Ellipsis:
        return {"$": "ellipsis"}
    np = _numpy()
    if np is not None and isinstance(obj, np.ndarray) and obj.dtype.kind in "biufc":
        return {"$": "ndarray", "v": encode(torch.from_numpy(np.ascontiguousarray(obj)))}
    if np is not None and isinstance(obj, np.generic) and obj.dtype.kind in "biufc":
        return encode(obj.item())
    if handle is None:
        raise BridgeError(f"a {type(obj).__name__} is not plain data")
    return handle(obj)


def _encode_container(obj, handle, depth):
    if isinstance(obj, dict):
        items = list(dict.items(obj))
        return {"$": "dict", "k": [encode(k, handle, depth + 1) for k, _ in items],
                "v": [encode(v, handle, depth + 1) for _, v in items]}
    values = [encode(v, handle, depth + 1) for v in (list.__iter__(obj) if isinstance(obj, list) else obj)]
    if isinstance(obj, list):
        return values
    if isinstance(obj, (set, frozenset)):
        return {"$": "frozenset" if isinstance(obj, frozenset) else "set", "v": values}
    fields = getattr(type(obj), "_fields", None)
    if isinstance(fields, tuple) and all(isinstance(f, str) and f.isidentifier() for f in fields) \
            and len(fields) == len(values):
        return {"$": "namedtuple", "name": type(obj).__name__, "fields": list(fields), "v": values}
    if type(obj).__module__ == "torch.return_types":  # torch.max(dim=...), topk, sort: named like namedtuples
        names = [n for n in ("values", "indices") if hasattr(obj, n)]
        if len(names) == len(values):
            return {"$": "namedtuple", "name": type(obj).__name__, "fields": names, "v": values}
    return {"$": "tuple", "v": values}


def _numpy():
    try:
        import numpy
        return numpy
    except ImportError:  # pragma: no cover - numpy comes with torch
        return None


_NAMEDTUPLES: dict = {}


def decode(data, remote=None, depth: int = 0):
    """Plain data back to Python objects; ``remote(record)`` builds the proxy of a handle record."""
    if depth > 100:
        raise BridgeError("data nested more than 100 levels deep")
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if isinstance(data, list):
        return [decode(v, remote, depth + 1) for v in data]
    if not isinstance(data, dict):
        raise BridgeError("malformed data")
    kind = data.get("$")
    if kind == "tensor":
        tensor = _decode_tensor(data)
        if data.get("requires_grad") is True and (tensor.is_floating_point() or tensor.is_complex()):
            tensor.requires_grad_(True)
        return tensor
    if kind == "dict":
        keys, values = data.get("k"), data.get("v")
        if not isinstance(keys, list) or not isinstance(values, list) or len(keys) != len(values):
            raise BridgeError("malformed dict")
        out = {}
        for k, v in zip(keys, values):
            key = decode(k, remote, depth + 1)
            try:
                out[key] = decode(v, remote, depth + 1)
            except TypeError:
                raise BridgeError("a dict key that cannot be hashed") from None
        return out
    if kind in ("tuple", "set", "frozenset", "namedtuple"):
        values = data.get("v")
        if not isinstance(values, list):
            raise BridgeError(f"malformed {kind}")
        items = [decode(v, remote, depth + 1) for v in values]
        if kind == "tuple":
            return tuple(items)
        if kind == "namedtuple":
            return _namedtuple(data, items)
        try:
            return set(items) if kind == "set" else frozenset(items)
        except TypeError:
            raise BridgeError("a set of values that cannot be hashed") from None
    if kind == "float":
        if data.get("v") not in ("nan", "inf", "-inf"):
            raise BridgeError("malformed float")
        return float(data["v"])
    if kind == "complex":
        return complex(float(decode(data.get("re"))), float(decode(data.get("im"))))
    if kind == "bytes":
        return _b64(data.get("v"))
    if kind == "dtype":
        if data.get("v") not in TENSOR_DTYPES:
            raise BridgeError("unknown dtype")
        return TENSOR_DTYPES[data["v"]]
    if kind == "device":
        return torch.device(str(data.get("v")))
    if kind == "generator":
        state = decode(data.get("state"))
        g = torch.Generator()
        if not isinstance(state, torch.Tensor) or state.dtype != torch.uint8:
            raise BridgeError("malformed generator state")
        try:
            g.set_state(state)
        except RuntimeError:
            raise BridgeError("malformed generator state") from None
        return g
    if kind == "slice":
        parts = data.get("v")
        if not isinstance(parts, list) or len(parts) != 3:
            raise BridgeError("malformed slice")
        return slice(*(decode(p, None, depth + 1) for p in parts))
    if kind == "ellipsis":
        return Ellipsis
    if kind == "ndarray":
        return _decode_tensor(data.get("v") or {}).numpy()
    if kind == "handle" and remote is not None:
        return remote(data)
    raise BridgeError(f"malformed data ({str(kind)[:40]!r})")


def _b64(text) -> bytes:
    if not isinstance(text, str):
        raise BridgeError("malformed bytes")
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:
        raise BridgeError("malformed bytes") from None


def _decode_tensor(data: dict) -> torch.Tensor:
    dtype, shape = TENSOR_DTYPES.get(data.get("dtype")), data.get("shape")
    if dtype is None or not isinstance(shape, list) or not all(type(n) is int and n >= 0 for n in shape):
        raise BridgeError("malformed tensor")
    raw = _b64(data.get("data"))
    element = torch.empty((), dtype=dtype).element_size()
    if len(raw) != math.prod(shape) * element:
        raise BridgeError("a tensor whose bytes do not match its shape")
    if not raw:
        return torch.empty(shape, dtype=dtype)
    buffer = bytearray(raw)
    if dtype == torch.bfloat16:
        return torch.frombuffer(buffer, dtype=torch.int16).view(torch.bfloat16).reshape(shape)
    return torch.frombuffer(buffer, dtype=dtype).reshape(shape)


def _namedtuple(data: dict, items: list):
    fields, name = data.get("fields"), data.get("name")
    if not isinstance(fields, list) or len(fields) != len(items) or not all(
            isinstance(f, str) and f.isidentifier() and not f.startswith("_") for f in fields) \
            or len(set(fields)) != len(fields):
        return tuple(items)
    name = name if isinstance(name, str) and name.isidentifier() else "Result"
    key = (name, tuple(fields))
    if key not in _NAMEDTUPLES:
        _NAMEDTUPLES[key] = collections.namedtuple(name, fields)
    return _NAMEDTUPLES[key](*items)


def repr_of(obj) -> str:
    try:
        text = repr(obj)
    except Exception:  # noqa: BLE001 - a student's __repr__ may raise anything
        text = f"<{type(obj).__name__}>"
    return text if len(text) <= REPR_CHARS else text[:REPR_CHARS] + "..."


# ------------------------------------------------------------------------------------------------ errors
BUILTIN_ERRORS = {cls.__name__: cls for cls in (
    ValueError, TypeError, KeyError, IndexError, RuntimeError, AssertionError, NotImplementedError,
    ZeroDivisionError, AttributeError, NameError, ArithmeticError, OverflowError, LookupError,
    StopIteration, RecursionError, MemoryError, OSError, UnboundLocalError, FloatingPointError,
    UnicodeError, UnicodeDecodeError, UnicodeEncodeError, TimeoutError)}


def error_record(err: BaseException) -> dict:
    """What crosses for an exception raised in the other kernel: its type's name and message, short."""
    import traceback

    message = ""
    try:
        message = str(err)
    except Exception:  # noqa: BLE001 - a student's __str__ may raise anything
        pass
    frames = traceback.extract_tb(err.__traceback__)
    where = ""
    for frame in reversed(frames):  # the learner's own code: cells run as <ipython-input-...> or /tmp/ipykernel
        if "ipykernel" in frame.filename or frame.filename.startswith("<"):
            where = f"line {frame.lineno}: {(frame.line or '').strip()[:160]}"
            break
    return {"type": type(err).__name__[:100], "message": message[:2000], "where": where}


def raise_error(record: dict, what: str):
    """Raise, here, the exception the other kernel reported: a built-in type keeps its type."""
    name = str(record.get("type", "Exception"))[:100] if isinstance(record, dict) else "Exception"
    message = str(record.get("message", ""))[:2000] if isinstance(record, dict) else ""
    where = str(record.get("where", ""))[:300] if isinstance(record, dict) else ""
    cls = BUILTIN_ERRORS.get(name)
    text = message if cls is not None else f"{name}: {message}"
    if where:
        text = f"{text} (raised in {what}, {where})"
    if cls is KeyError:
        raise KeyError(text)
    if cls is UnicodeDecodeError or cls is UnicodeEncodeError:
        cls = UnicodeError
    raise (cls or RemoteError)(text)


# ------------------------------------------------------------------------------------------------ copy back
def snapshot(value):
    """A copy of what the callee may change in place: tensors, modules, optimizers, generators, lists, dicts."""
    if isinstance(value, torch.Tensor):
        grad = value.grad.detach().clone() if value.grad is not None else None
        return ("tensor", value.detach().clone(), grad)
    if isinstance(value, torch.nn.Module):
        return ("module", {k: v.detach().clone() for k, v in value.state_dict(keep_vars=True).items()},
                {k: (p.grad.detach().clone() if p.grad is not None else None) for k, p in value.named_parameters()},
                _modes(value), {k: p.requires_grad for k, p in value.named_parameters()})
    if isinstance(value, torch.optim.Optimizer):
        return ("optimizer", pickle.dumps(value.state_dict()))
    if isinstance(value, torch.Generator):
        return ("generator", value.get_state())
    if isinstance(value, list):
        return ("list", len(value), [snapshot(v) for v in value])
    if isinstance(value, dict):
        return ("dict", list(value.keys()), {k: snapshot(v) for k, v in value.items()})
    if value is None or type(value) in (bool, int, float, str):  # a dict's step count, a list's number
        return ("plain", value)
    return None


def _modes(module: torch.nn.Module) -> dict:
    """train/eval of the module and of each submodule, by name ("" is the module itself)."""
    return {name: m.training for name, m in module.named_modules()}


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return a.shape == b.shape and a.dtype == b.dtype and bool(torch.equal(a, b) or (
        a.is_floating_point() and torch.equal(torch.isnan(a), torch.isnan(b)) and
        torch.equal(torch.nan_to_num(a), torch.nan_to_num(b))))


def changes(value, before) -> dict | None:
    """What changed in value since snapshot(value), as plain data (None: nothing)."""
    if before is None:
        return None
    kind = before[0]
    if kind == "tensor" and isinstance(value, torch.Tensor):
        out = {}
        if not _same(value.detach(), before[1]):
            out["value"] = encode(value.detach())
        if not _same(value.grad, before[2]):
            out["grad"] = encode(value.grad) if value.grad is not None else None
        return {"$": "tensor", **out} if out else None
    if kind == "module" and isinstance(value, torch.nn.Module):
        state = value.state_dict(keep_vars=True)
        grads = {k: p.grad for k, p in value.named_parameters()}
        out = {"state": {k: encode(v.detach()) for k, v in state.items()
                         if k not in before[1] or not _same(v.detach(), before[1][k])},
               "grads": {k: (encode(g) if g is not None else None) for k, g in grads.items()
                         if not _same(g, before[2].get(k))}}
        modes = {k: bool(t) for k, t in _modes(value).items() if before[3].get(k) != t}
        frozen = {k: bool(p.requires_grad) for k, p in value.named_parameters() if before[4].get(k) != p.requires_grad}
        if not out["state"] and not out["grads"] and not modes and not frozen:
            return None
        out["state"] = {"$": "dict", "k": list(out["state"]), "v": list(out["state"].values())}
        out["grads"] = {"$": "dict", "k": list(out["grads"]), "v": list(out["grads"].values())}
        if modes:  # train()/eval() of the module or of a submodule
            out["modes"] = {"$": "dict", "k": list(modes), "v": list(modes.values())}
        if frozen:  # requires_grad_ on parameters (freezing a layer)
            out["requires_grad"] = {"$": "dict", "k": list(frozen), "v": list(frozen.values())}
        return {"$": "module", **out}
    if kind == "optimizer" and isinstance(value, torch.optim.Optimizer):
        now = value.state_dict()
        if pickle.dumps(now) == before[1]:
            return None
        return {"$": "optimizer", "state": encode(now)}
    if kind == "generator" and isinstance(value, torch.Generator):
        state = value.get_state()
        return None if torch.equal(state, before[1]) else {"$": "generator", "state": encode(state)}
    if kind == "list" and isinstance(value, list):
        if len(value) != before[1]:
            return {"$": "replace", "v": encode(value, _no_handle)}
        items = [changes(v, b) for v, b in zip(value, before[2])]
        return {"$": "items", "i": [i for i, c in enumerate(items) if c is not None],
                "v": [c for c in items if c is not None]} if any(c is not None for c in items) else None
    if kind == "plain":
        if type(value) is type(before[1]) and (value == before[1] or value != value and before[1] != before[1]):
            return None
        try:
            return {"$": "set", "v": encode(value, _no_handle)}
        except BridgeError:
            return None
    if kind == "dict" and isinstance(value, dict):
        if list(value.keys()) != before[1]:  # keys added or removed (an optimizer's state): the whole dict
            try:
                return {"$": "replace_dict", "v": encode(value, _no_handle)}
            except BridgeError:
                return None
        keys = [k for k in before[1] if changes(value[k], before[2][k]) is not None]
        if not keys:
            return None
        return {"$": "keys", "k": [encode(k) for k in keys], "v": [changes(value[k], before[2][k]) for k in keys]}
    return None


def _no_handle(obj):
    raise BridgeError(f"a {type(obj).__name__} in a list the call changed")


def apply_changes(target, change) -> None:
    """Copy what the student kernel changed (``changes``) into the test kernel's own object, in place."""
    if change is None:
        return
    if not isinstance(change, dict):
        raise BridgeError("malformed change")
    kind = change.get("$")
    with torch.no_grad():
        if kind == "tensor" and isinstance(target, torch.Tensor):
            if "value" in change:
                new = decode(change["value"])
                if not isinstance(new, torch.Tensor) or new.shape != target.shape:
                    raise BridgeError("a tensor changed shape in place")
                target.copy_(new.to(target.dtype))
            if "grad" in change:
                grad = decode(change["grad"])
                target.grad = grad if isinstance(grad, torch.Tensor) and grad.shape == target.shape else None
        elif kind == "module" and isinstance(target, torch.nn.Module):
            state = target.state_dict(keep_vars=True)
            for key, value in decode(change.get("state"), None).items():
                if key in state and isinstance(value, torch.Tensor) and value.shape == state[key].shape:
                    state[key].copy_(value.to(state[key].dtype))
            params = dict(target.named_parameters())
            for key, grad in decode(change.get("grads"), None).items():
                if key in params:
                    ok = isinstance(grad, torch.Tensor) and grad.shape == params[key].shape
                    params[key].grad = grad.to(params[key].dtype) if ok else None
            modules = dict(target.named_modules())
            for key, training in (decode(change.get("modes"), None) or {}).items():
                if key in modules and isinstance(training, bool):
                    modules[key].training = training  # this module only: its children come by their own names
            for key, flag in (decode(change.get("requires_grad"), None) or {}).items():
                if key in params and isinstance(flag, bool):
                    params[key].requires_grad_(flag)
        elif kind == "optimizer" and isinstance(target, torch.optim.Optimizer):
            target.load_state_dict(decode(change.get("state")))
        elif kind == "generator" and isinstance(target, torch.Generator):
            target.set_state(decode(change.get("state")))
        elif kind == "replace" and isinstance(target, list):
            target[:] = decode(change.get("v"))
        elif kind == "replace_dict" and isinstance(target, dict):
            new = decode(change.get("v"))
            if isinstance(new, dict):
                target.clear()
                target.update(new)
        elif kind == "items" and isinstance(target, list):
            for i, c in zip(change.get("i", []), change.get("v", [])):
                if type(i) is int and 0 <= i < len(target):
                    if _is_set(c):
                        target[i] = decode(c.get("v"))
                    else:
                        apply_changes(target[i], c)
        elif kind == "keys" and isinstance(target, dict):
            for k, c in zip(change.get("k", []), change.get("v", [])):
                key = decode(k)
                if key in target:
                    if _is_set(c):
                        target[key] = decode(c.get("v"))
                    else:
                        apply_changes(target[key], c)


def _is_set(change) -> bool:
    """A number, string or None in a list or dict that the call replaced."""
    return isinstance(change, dict) and change.get("$") == "set"


# ------------------------------------------------------------------------------------------------ pickling
class HandlePickler(pickle.Pickler):
    """Pickles arguments for the student kernel; ``persistent(obj)`` returns a handle id for objects that stay."""

    def __init__(self, file, persistent):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._persistent = persistent

    def persistent_id(self, obj):
        return self._persistent(obj)


def dumps_args(args, persistent) -> str:
    buffer = io.BytesIO()
    HandlePickler(buffer, persistent).dump(args)
    return base64.b64encode(buffer.getvalue()).decode()


class HandleUnpickler(pickle.Unpickler):
    def __init__(self, file, resolve):
        super().__init__(file)
        self._resolve = resolve

    def persistent_load(self, pid):
        return self._resolve(pid)


def loads_args(text: str, resolve):
    return HandleUnpickler(io.BytesIO(base64.b64decode(text)), resolve).load()


# ------------------------------------------------------------------------------------------------ endpoint
class Endpoint:
    """One side of a connection: ``request`` sends and waits for its answer, serving the other side's
    requests (``handle``) meanwhile, so calls may nest either way."""

    def __init__(self, sock: socket.socket, limit: int = MAX_MESSAGE):
        self.sock, self.limit, self.next_id = sock, limit, 0

    def request(self, op: str, **fields) -> dict:
        self.next_id += 1
        rid = self.next_id
        send(self.sock, {"op": op, "id": rid, **fields})
        while True:
            message = receive(self.sock, self.limit)
            if "re" in message:
                if message["re"] != rid:
                    raise BridgeError("an answer to a question that was not asked")
                return message
            self.answer(message)

    def answer(self, message: dict) -> None:
        rid = message.get("id")
        try:
            reply = self.handle(message)
        except BridgeError:
            raise
        except BaseException as err:  # noqa: BLE001 - whatever the code raised is the answer
            if isinstance(err, (KeyboardInterrupt, SystemExit)):
                raise
            reply = {"error": self.error_record(err)}
        send(self.sock, {"re": rid, **reply})

    def handle(self, message: dict) -> dict:  # pragma: no cover - each side defines it
        raise NotImplementedError

    def error_record(self, err: BaseException) -> dict:
        return error_record(err)
