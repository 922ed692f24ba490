"""The test kernel's half of two-kernel grading: the notebook's names as proxies to the student kernel.

TRUSTED: this module runs in the test kernel, which runs only the course's code and the test cells.
The grader runs ``open_group(...)`` before each group of test cells and ``close_group()`` after it.
``open_group`` waits for the student kernel to reach that group (course.grader.student_side.serve),
asks it for the notebook's names and binds each one the tests do not define themselves to a proxy:
calling a proxy sends the arguments over (course.grader.bridge) and returns the result as plain data.
Nothing the student kernel sends is run or unpickled here; a student kernel that dies, hangs or
answers garbage fails the calls it was asked to serve, with one sentence saying so.
"""
from __future__ import annotations

import os
import select
import socket
import sys
import time
import types

import torch

from . import bridge
from .two_kernels import UNREACHED  # the line two_kernels reads: those tests did not run

_state = {"listener": None, "endpoint": None, "group": -1, "dead": "", "call_timeout": 55.0, "proxies": {}}
_test_objects: dict[int, object] = {}  # handle id -> test kernel object lent to the student kernel
_test_ids: dict[int, int] = {}


def _main() -> dict:
    return sys.modules["__main__"].__dict__


class StudentObject:
    """A function, class or object that lives in the student kernel."""

    __slots__ = ("_id", "_type", "_callable", "_repr", "__weakref__")

    def __init__(self, record: dict):
        object.__setattr__(self, "_id", record["id"])
        object.__setattr__(self, "_type", str(record.get("type", "object"))[:100])
        object.__setattr__(self, "_callable", bool(record.get("callable")))
        object.__setattr__(self, "_repr", str(record.get("repr", ""))[:bridge.REPR_CHARS])

    def _ask(self, op: str, what: str, **fields):
        return _ask(op, what, target=self._id, **fields)

    def __call__(self, *args, **kwargs):
        return _call(self, args, kwargs)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return self._ask("getattr", f"{self._type}.{name}", name=name)

    def __setattr__(self, name, value):
        self._ask("setattr", f"{self._type}.{name}", name=name, value=_dumps(value))

    def _dunder(self, name, *args):
        return self._ask("dunder", f"{self._type}.{name}", name=name, args=_dumps(list(args)))

    def __len__(self):
        return self._dunder("__len__")

    def __iter__(self):
        return iter(self._dunder("__iter__"))

    def __getitem__(self, key):
        return self._dunder("__getitem__", key)

    def __setitem__(self, key, value):
        self._dunder("__setitem__", key, value)

    def __contains__(self, item):
        return self._dunder("__contains__", item)

    def __bool__(self):
        return bool(self._dunder("__bool__")) if not self._callable else True

    def __next__(self):
        return self._dunder("__next__")

    def __repr__(self):
        return self._repr or f"<{self._type} in the student kernel>"

    def __str__(self):
        return self._dunder("__str__")

    def _course_helper(self, name: str, /, *args, **kwargs):
        """Run a course.testing helper in the student kernel, on this object."""
        handles = _state.get("handles", 0)
        sent = _dumps([[self, *args], kwargs])
        plain = _state.get("handles", 0) == handles + 1  # nothing but this object crossed as a handle
        result = _ask("helper", f"{name}({self._type})", name=name, args=sent, grad_enabled=torch.is_grad_enabled())
        if plain and name in CALLING_HELPERS:
            _probe_through_helper(self, args, kwargs, result)
        return result


def _proxy(record: dict) -> StudentObject:
    proxies = _state["proxies"]
    if record.get("id") not in proxies:
        proxies[record["id"]] = StudentObject(record)
    return proxies[record["id"]]


def _decode(data):
    return bridge.decode(data, lambda record: _proxy(record) if isinstance(record.get("id"), int) else None)


def _lend(obj):
    """Pickle's persistent id: what stays in this kernel and is reached from the student kernel by handle."""
    if isinstance(obj, StudentObject):
        _state["handles"] = _state.get("handles", 0) + 1
        _touched(obj._id)
        return ("s", obj._id, obj._type)
    if type(obj) is torch.Tensor and obj.layout == torch.strided:  # raw bytes: pickling a tensor is 50x slower
        return ("x", bridge.encode(obj), "Tensor")
    if isinstance(obj, (type, types.FunctionType, types.BuiltinFunctionType, types.MethodType)) or callable(obj):
        if _importable(obj):
            return None
        return _lent(obj)
    module = type(obj).__module__ or ""
    if module.startswith("course.sim") or (module == "__main__" and not _setup_name(type(obj))):
        return _lent(obj)
    return None


def _importable(obj) -> bool:
    """A function or class the student kernel can import by name (torch's, the course's, the setup cells')."""
    if isinstance(obj, torch.nn.Module) or isinstance(obj, torch.optim.Optimizer):
        return type(obj).__module__ != "__main__" or _setup_name(type(obj))
    target = obj if isinstance(obj, (type, types.FunctionType, types.BuiltinFunctionType)) else None
    if target is None:
        return False
    qualname = getattr(target, "__qualname__", "")
    if "<" in qualname:  # lambdas and functions defined inside functions
        return False
    module = getattr(target, "__module__", None) or ""
    return _setup_name(target) if module == "__main__" else True


def _setup_name(obj) -> bool:
    return getattr(obj, "__qualname__", None) in _state.get("setup_names", ())


def _lent(obj):
    _state["handles"] = _state.get("handles", 0) + 1  # this call's arguments are not plain data: not a probe
    key = id(obj)
    if key not in _test_ids:
        _test_ids[key] = len(_test_objects) + 1
        _test_objects[_test_ids[key]] = obj
    return ("t", _test_ids[key], type(obj).__name__[:100])


def _dumps(value) -> str:
    from .. import testing

    with testing.not_recorded():  # the grader's marshalling is not the learner's code under watch
        return bridge.dumps_args(value, _lend)


class TestEndpoint(bridge.Endpoint):
    """Serves the student kernel's calls on objects lent to it: plain data in, pickles out."""

    def error_record(self, err: BaseException) -> dict:
        """The type and message only: where it was raised is a line of a test cell, hidden maybe."""
        record = bridge.error_record(err)
        record["where"] = ""
        return record

    def handle(self, message: dict) -> dict:
        target = _test_objects.get(message.get("target"))
        if target is None:
            raise bridge.BridgeError("a handle the test kernel never lent")
        op = message.get("op")
        if op == "call" and callable(target):
            args, kwargs = _decode(message.get("args"))
            if not isinstance(args, list) or not isinstance(kwargs, dict):
                raise bridge.BridgeError("malformed call")
            return {"value": _dumps(target(*args, **{str(k): v for k, v in kwargs.items()}))}
        if op == "getattr":
            name = str(message.get("name"))
            if name.startswith("_") or isinstance(target, (types.FunctionType, types.MethodType, type)):
                raise AttributeError(f"the test's {type(target).__name__} has no public attribute {name!r}")
            return {"value": _dumps(getattr(target, name))}
        raise bridge.BridgeError(f"an unknown request {str(op)[:40]!r}")


def _endpoint(what: str) -> TestEndpoint:
    endpoint = _state["endpoint"]
    if endpoint is None:
        raise bridge.BridgeError(_state["dead"] or f"your notebook's kernel is not running, so {what} could not "
                                                   f"be called")
    return endpoint


def _ask(op: str, what: str, **fields):
    from .. import testing

    endpoint = _endpoint(what)
    try:
        reply = endpoint.request(op, **fields)
    except socket.timeout:
        _kill(f"`{what}` ran past the {_state['call_timeout']:.0f}s time limit for one call; the tests after "
              f"it could not call your code")
        raise TimeoutError(_state["dead"]) from None
    except (bridge.BridgeError, OSError) as err:
        _kill(f"your notebook's kernel stopped answering while running `{what}` ({err}); it most likely died")
        raise bridge.BridgeError(_state["dead"]) from None
    _noticed(op, fields, reply)
    if "error" in reply:
        bridge.raise_error(reply["error"], f"your {what}")
    with testing.not_recorded():
        return _decode(reply.get("value"))


def _recorders() -> dict:
    from .. import testing

    active = testing.active_recorders()
    if not active:
        return {}
    limits = [r.max_ops - len(r.ops) for r in active if isinstance(r, testing.OpRecorder) and r.max_ops is not None]
    return {"calls": any(isinstance(r, testing.CallRecorder) for r in active),
            "ops": any(isinstance(r, testing.OpRecorder) for r in active),
            "max_ops": max(0, min(limits)) if limits else None}


def _call(proxy: StudentObject, args, kwargs):
    from .. import testing

    record = _recorders()
    what = proxy._type if proxy._type in ("function", "method", "type") else proxy._type
    name = proxy._repr.split(" ")[1] if proxy._repr.startswith("<function ") else what
    endpoint = _endpoint(name)
    handles = _state.get("handles", 0)
    sent = _dumps([list(args), kwargs])
    plain = _state.get("handles", 0) == handles
    try:
        reply = endpoint.request("call", target=proxy._id, args=sent, record=record,
                                 grad_enabled=torch.is_grad_enabled())
    except socket.timeout:
        _kill(f"`{name}` ran past the {_state['call_timeout']:.0f}s time limit for one call; the tests after it "
              f"could not call your code")
        raise TimeoutError(_state["dead"]) from None
    except (bridge.BridgeError, OSError) as err:
        _kill(f"your notebook's kernel stopped answering while running `{name}` ({err}); it most likely died")
        raise bridge.BridgeError(_state["dead"]) from None
    if plain:
        _probe(proxy, sent, reply)
    else:
        _touched(proxy._id)
    if "error" in reply:
        bridge.raise_error(reply["error"], f"your {name}")
    with testing.not_recorded():
        for arg, change in zip(args, reply.get("changes") or []):
            bridge.apply_changes(arg, change)
        kwchanges = reply.get("kwchanges") or {}
        for key, value in kwargs.items():
            bridge.apply_changes(value, kwchanges.get(str(key)) if isinstance(kwchanges, dict) else None)
    recorded = reply.get("recorded") or {}
    if record and isinstance(recorded, dict):
        testing.extend_recorders(list(map(str, recorded.get("calls") or [])),
                                 [(str(n), [tuple(int(x) for x in s) for s in i], [tuple(int(x) for x in s) for s in o])
                                  for n, i, o in recorded.get("ops") or []])
    with testing.not_recorded():
        return _decode(reply.get("value"))


def _probe(proxy: StudentObject, sent: str, reply: dict) -> None:
    """Keep a call with plain data as a probe for the diagnoses (course.grader.diagnose): of a top-level
    function; of a top-level class (an object's script starts); on such an object or its methods (a step)."""
    from . import diagnose

    try:
        grad = torch.is_grad_enabled()
        name = _state.get("functions", {}).get(proxy._id)
        if name is not None:
            diagnose.record(name, sent, grad, reply)
            return
        name = _state.get("classes", {}).get(proxy._id)
        value = reply.get("value")
        if name is not None and isinstance(value, dict) and value.get("$") == "handle" and type(value.get("id")) is int:
            diagnose.new_object(value["id"], name, sent, grad)
        elif name is None:
            diagnose.step(proxy._id, sent, grad, reply)
    except Exception:  # noqa: BLE001 - whatever the reply holds, recording it never changes a test's verdict
        pass


CALLING_HELPERS = ("grad", "grad_of_output")  # course.testing helpers that call the function they are given


def _probe_through_helper(proxy: StudentObject, args, kwargs, result) -> None:
    """T.grad(fn, *inputs) called the learner's top-level function on plain inputs: keep that call as a probe
    too (its output is the helper's first field), as if the tests had called fn(*inputs) under autograd."""
    from . import diagnose

    try:
        name = _state.get("functions", {}).get(proxy._id)
        if name is None:
            return
        call_kwargs = {k: v for k, v in kwargs.items() if k != "grad_output"}
        sent = _dumps([list(args), call_kwargs])
        reply = {"value": bridge.encode(result[0]), "changes": [None] * len(args),
                 "kwchanges": {str(k): None for k in call_kwargs}}
        diagnose.record(name, sent, True, reply)
    except Exception:  # noqa: BLE001 - recording never changes a test's verdict
        pass


def _noticed(op: str, fields: dict, reply: dict) -> None:
    """What the tests did to a scripted object besides calls: reading an attribute (a step, or a method whose
    calls become steps); anything else ends its script."""
    from . import diagnose

    target = fields.get("target")
    if type(target) is not int:
        return
    try:
        if op == "getattr":
            diagnose.attribute(target, str(fields.get("name")), reply)
        else:
            diagnose.touched(target)
    except Exception:  # noqa: BLE001 - never a change to a test's verdict
        pass


def _touched(target: int) -> None:
    from . import diagnose

    diagnose.touched(target)


def _note_names(bound: dict) -> None:
    """The names offered by the student kernel, and which are functions (whose calls are probes)."""
    from . import diagnose

    diagnose.install_hook()
    functions = _state.setdefault("functions", {})
    _state.setdefault("offered", set()).update(bound)
    classes = _state.setdefault("classes", {})
    for name, value in bound.items():
        if isinstance(value, StudentObject) and value._type == "function":
            functions[value._id] = name
        elif isinstance(value, StudentObject) and value._type == "type":
            classes[value._id] = name


def _kill(reason: str) -> None:
    endpoint, _state["endpoint"] = _state["endpoint"], None
    _state["dead"] = reason
    if endpoint is not None:
        try:
            endpoint.sock.close()
        except OSError:
            pass


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read().decode(errors="replace")
        return stat[stat.rindex(")") + 2:].split()[0] != "Z"
    except (OSError, ValueError, IndexError):
        try:
            os.kill(pid, 0)
            return True
        except OSError:
            return False


def open_group(path: str, group: int, student_pid: int, timeout: float, keep: list, setup_names: list,
               call_timeout: float) -> None:
    """Wait for the student kernel to reach this group of tests, then bind its names as proxies."""
    _state.update(group=group, call_timeout=call_timeout, setup_names=set(setup_names))
    if _state["listener"] is None:
        if os.path.exists(path):
            os.unlink(path)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(path)
        os.chmod(path, 0o777)
        listener.listen(4)
        _state["listener"] = listener
    deadline = time.monotonic() + timeout
    while True:
        ready, _, _ = select.select([_state["listener"]], [], [], 0.2)
        if ready:
            sock, _ = _state["listener"].accept()
            sock.settimeout(10)
            try:
                hello = bridge.receive(sock, limit=1 << 16)
            except (bridge.BridgeError, OSError):
                sock.close()
                continue
            if hello.get("hello") != group:  # a group whose tests already gave up on it
                try:
                    bridge.send(sock, {"op": "done"})
                finally:
                    sock.close()
                continue
            sock.settimeout(call_timeout)
            _state["endpoint"], _state["dead"] = TestEndpoint(sock), ""
            break
        if not _alive(student_pid):
            _kill("your notebook's kernel had stopped before these tests (see the notes above the results)")
            print(f"{UNREACHED}your notebook's kernel had stopped")
            return
        if time.monotonic() > deadline:
            _kill("your notebook's kernel did not reach these tests in time (a cell before them ran too long)")
            print(f"{UNREACHED}your notebook's kernel did not reach the tests of exercise group {group + 1} "
                  f"within {timeout:.0f}s")
            return
    try:
        names = _endpoint("the notebook").request("names").get("names")
    except (bridge.BridgeError, OSError) as err:
        _kill(f"your notebook's kernel stopped answering ({err})")
        return
    main, keep, bound = _main(), set(keep), {}
    for name, data in (names.items() if isinstance(names, dict) else []):
        if isinstance(name, str) and name.isidentifier() and name not in keep:
            try:
                main[name] = bound[name] = _decode(data)
            except bridge.BridgeError:
                continue
    _note_names(bound)


def close_group() -> None:
    """Tell the student kernel this group's tests are done, so that its next cells run."""
    endpoint, _state["endpoint"] = _state["endpoint"], None
    if endpoint is None:
        return
    try:
        bridge.send(endpoint.sock, {"op": "done"})
    except OSError:
        pass
    finally:
        endpoint.sock.close()
