"""The student kernel's half of two-kernel grading: serve the test kernel's calls, answer in plain data.

UNTRUSTED: this module runs inside the sandboxed student kernel, where the submission can change
anything, this module included. Nothing here decides a verdict; what it sends back is data that the
test kernel checks (course.grader.test_side).

The grader runs ``serve(path, group, timeout)`` as a cell of its own where a group of test cells stood
in the notebook: it connects to the test kernel, answers calls on the notebook's names until the test
kernel says "done", and returns, so the notebook's next cells run after the tests of the previous
exercise, as in the learner's own Run All.
"""
from __future__ import annotations

import os
import socket
import sys
import time
import types

import torch

from . import bridge

_objects: dict[int, object] = {}  # handle id -> object: the test kernel's proxies refer to these ids
_ids: dict[int, int] = {}  # id(object) -> handle id (the objects are kept alive, so ids are never reused)
VALUE_BYTES = 1 << 20  # a plain global larger than this is not copied to the test kernel
HIDDEN_NAMES = {"In", "Out", "get_ipython", "exit", "quit", "open"}
DUNDERS = {"__len__", "__iter__", "__getitem__", "__setitem__", "__contains__", "__bool__", "__repr__",
           "__str__", "__next__"}


def handle_of(obj) -> dict:
    key = id(obj)
    if key not in _ids:
        _ids[key] = len(_objects) + 1
        _objects[_ids[key]] = obj
    return {"$": "handle", "id": _ids[key], "type": type(obj).__name__[:100], "callable": callable(obj),
            "repr": bridge.repr_of(obj)}


def _plain(obj):
    return bridge.encode(obj, handle_of)


class TestObject:
    """A test kernel object handed to student code (a cluster, a callback): every use is a call back."""

    __slots__ = ("_endpoint", "_id", "_type")

    def __init__(self, endpoint, hid: int, type_name: str):
        object.__setattr__(self, "_endpoint", endpoint)
        object.__setattr__(self, "_id", hid)
        object.__setattr__(self, "_type", type_name)

    def _ask(self, op, **fields):
        reply = self._endpoint.request(op, target=self._id, **fields)
        if "error" in reply:
            bridge.raise_error(reply["error"], f"the test's {self._type}")
        return bridge.loads_args(reply["value"], _resolver(self._endpoint))

    def __call__(self, *args, **kwargs):
        return self._ask("call", args=bridge.encode([list(args), kwargs], handle_of))

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return self._ask("getattr", name=name)

    def __repr__(self):
        return f"<the test's {self._type}>"


def _resolver(endpoint):
    def resolve(pid):
        side, hid, type_name = pid
        if side == "s":
            return _objects[hid]
        if side == "x":
            return bridge.decode(hid)
        return TestObject(endpoint, hid, type_name)
    return resolve


class StudentEndpoint(bridge.Endpoint):
    def handle(self, message: dict) -> dict:
        op = message.get("op")
        if op == "names":
            return {"names": _names()}
        if op == "helper":
            return _helper(self, message)
        target = _objects.get(message.get("target"))
        if target is None:
            raise bridge.BridgeError("a handle this kernel does not hold")
        if op == "call":
            return _call(self, target, message)
        if op == "getattr":
            return {"value": _plain(getattr(target, str(message.get("name"))))}
        if op == "setattr":
            setattr(target, str(message.get("name")), bridge.loads_args(message["value"], _resolver(self)))
            return {"value": None}
        if op == "dunder" and message.get("name") in DUNDERS:
            args = bridge.loads_args(message["args"], _resolver(self))
            name = message["name"]
            if name == "__iter__":
                return {"value": _plain(list(target))}
            if name == "__repr__":
                return {"value": bridge.repr_of(target)}
            if name == "__str__":
                return {"value": str(target)[:100_000]}
            method = {"__len__": len, "__bool__": bool, "__next__": next}.get(name)
            value = method(target) if method else getattr(target, name)(*args)
            return {"value": _plain(value)}
        raise bridge.BridgeError(f"an unknown request {str(op)[:40]!r}")


def _names() -> dict:
    """The notebook's names, as handles (functions, classes, objects) or small plain values."""
    main = sys.modules["__main__"].__dict__
    out = {}
    for name, value in list(main.items()):
        if name.startswith("_") or name in HIDDEN_NAMES or isinstance(value, types.ModuleType):
            continue
        if callable(value):
            out[name] = handle_of(value)
            continue
        if _too_big(value):
            continue
        try:
            data = bridge.encode(value, handle_of)
        except Exception:  # noqa: BLE001 - a value the wire does not carry is simply not offered
            continue
        if len(str(data)) <= VALUE_BYTES:
            out[name] = data
    return out


def _too_big(value) -> bool:
    """Data not worth offering to the tests (they never read a learner's large demo values)."""
    if isinstance(value, torch.Tensor):
        return value.numel() > 100_000
    if isinstance(value, (list, tuple, dict, set, frozenset)):
        return len(value) > 10_000
    return False


def _call(endpoint, target, message) -> dict:
    args, kwargs = bridge.loads_args(message["args"], _resolver(endpoint))
    before = [bridge.snapshot(a) for a in args]
    kw_before = {k: bridge.snapshot(v) for k, v in kwargs.items()}
    record = message.get("record") or {}
    recorded = {}
    with torch.set_grad_enabled(message.get("grad_enabled") is not False):  # the test's torch.no_grad()
        if record:
            value, recorded = _recorded(target, args, kwargs, record)
        else:
            value = target(*args, **kwargs)
    return {"value": _plain(value), "changes": [bridge.changes(a, b) for a, b in zip(args, before)],
            "kwchanges": {str(k): bridge.changes(kwargs[k], kw_before[k]) for k in kwargs},
            "recorded": recorded}


def _recorded(target, args, kwargs, record: dict):
    """Call target watched as the test asked: torch's functions (CallRecorder) and aten operations (OpRecorder)."""
    from .. import testing

    calls, ops = testing.CallRecorder(), testing.OpRecorder(max_ops=record.get("max_ops"))
    with calls, ops:
        value = target(*args, **kwargs)
    return value, {"calls": list(calls.names) if record.get("calls") else [],
                   "ops": [[n, [list(s) for s in i], [list(s) for s in o]] for n, i, o in ops.ops]
                   if record.get("ops") else []}


def _helper(endpoint, message) -> dict:
    """A course.testing helper that must run where the student's objects live (``testing.REMOTE_HELPERS``)."""
    from .. import testing

    helper = testing.REMOTE_HELPERS.get(message.get("name"))
    if helper is None:
        raise bridge.BridgeError(f"an unknown helper {str(message.get('name'))[:40]!r}")
    args, kwargs = bridge.loads_args(message["args"], _resolver(endpoint))
    with torch.set_grad_enabled(message.get("grad_enabled") is not False):
        return {"value": _plain(helper(*args, **kwargs))}


def serve(path: str, group: int, timeout: float) -> None:
    """Connect to the test kernel and answer its calls until it says "done" (or goes away)."""
    deadline = time.monotonic() + timeout
    sock = None
    while sock is None:
        try:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.connect(path)
        except OSError:
            sock.close()
            sock = None
            if time.monotonic() > deadline:
                return
            time.sleep(0.02)
    endpoint = StudentEndpoint(sock, limit=bridge.MAX_MESSAGE)
    try:
        bridge.send(sock, {"hello": group, "pid": os.getpid()})
        while True:
            message = bridge.receive(sock)
            if message.get("op") == "done":
                return
            endpoint.answer(message)
    except (bridge.BridgeError, OSError):
        return
    finally:
        sock.close()
        torch.set_grad_enabled(True)
