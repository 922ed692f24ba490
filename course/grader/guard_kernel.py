"""The guard's first cell, as it runs inside the submission's kernel (untrusted territory).

``course.grader.guard`` ships the source of ``_course_guard_start`` (read with
``inspect.getsource``) as the first cell of every graded notebook, followed by a
call with its configuration; nothing here runs in the grader's own process.
The function is self-contained: it imports what it needs, and ``get_ipython``
is the kernel's builtin. See course/grader/guard.py for what it records and
checks and how the grader reads its reports.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # in the kernel, IPython makes get_ipython a builtin
    from IPython import get_ipython


def _course_guard_start(cfg):
    import importlib
    import operator
    import os
    import sys
    import threading
    import types
    for name in cfg["modules"]:
        try:
            importlib.import_module(name)
        except Exception:
            pass
    shell = get_ipython()
    display = shell.display_pub
    session, socket, topic = display.session, display.pub_socket, display.topic

    def publish(data, metadata=None):  # straight to the kernel's iopub socket: no display hooks, no flush
        msg = session.msg("display_data", {"data": data, "metadata": {}, "transient": {}},
                          parent=display.parent_header)
        session.send(socket, msg, ident=topic)

    owners = [(label, owner) for label, owner in (("IPython shell", shell),
                                                  ("IPython kernel", getattr(shell, "kernel", None)),
                                                  ("IPython display", getattr(shell, "display_pub", None)))
              if owner is not None]
    missing = object()

    def static(owner, key):  # what owner.key is, without calling anything: instance first, then its class's
        if key in vars(owner):
            return vars(owner)[key]
        for klass in type(owner).__mro__:
            if key in vars(klass):
                return vars(klass)[key]
        return missing

    def snapshot():
        """{name: object} and, for each name, how to find it again cheaply."""
        objs, where = {}, {}
        for name in cfg["watched"]:
            mod = sys.modules.get(name)
            if mod is None:
                continue
            objs["sys.modules:" + name], where["sys.modules:" + name] = mod, ("s", name, None)
            for key, value in list(vars(mod).items()):
                if callable(value) and not isinstance(value, types.ModuleType):
                    objs[name + "." + key], where[name + "." + key] = value, ("m", name, key)
        torch = sys.modules.get("torch")
        if torch is not None:  # methods as torch.Tensor resolves them (its own, then torch._C.TensorBase's)
            mro = [k for k in type.__getattribute__(torch.Tensor, "__mro__") if k is not object]
            for key in set().union(*(vars(k) for k in mro)):
                for klass in mro:
                    if key in vars(klass):
                        value = vars(klass)[key]
                        if callable(value) or hasattr(value, "__get__"):
                            objs["torch.Tensor." + key], where["torch.Tensor." + key] = value, ("t", key, None)
                        break
        for label, owner in owners:
            objs[label + ".__class__"], where[label + ".__class__"] = type(owner), ("c", owner, None)
            for key in cfg["machinery"]:
                value = static(owner, key)
                if value is not missing:
                    objs[label + "." + key], where[label + "." + key] = value, ("o", owner, key)
        return objs, where

    def locate(kind, a, b, tensor_dicts):
        if kind == "m":
            mod = sys.modules.get(a)
            return missing if mod is None else vars(mod).get(b, missing)
        if kind == "s":
            return sys.modules.get(a, missing)
        if kind == "t":
            for d in tensor_dicts:
                if a in d:
                    return d[a]
            return missing
        if kind == "c":
            return type(a)
        return static(a, b)

    def digest(values):  # bound methods recreated meanwhile count as their originals (see check)
        return "%x" % (hash(tuple(map(id, values))) & (2**64 - 1))

    def modes():
        torch = sys.modules.get("torch")
        out = []
        for fn in ("_len_torch_function_stack", "_len_torch_dispatch_stack"):
            f = getattr(getattr(torch, "_C", None), fn, None)
            out.append(f() if f else 0)
        return out

    protected = [os.path.normpath(p) for p in cfg["protected"]]
    allowed = [os.path.normpath(p) for p in cfg["allowed"]]
    local = threading.local()
    path_events = {"open": (0,), "os.remove": (0,), "os.rename": (0, 1), "os.mkdir": (0,), "os.rmdir": (0,),
                   "os.listdir": (0,), "os.scandir": (0,), "os.chmod": (0,), "os.chown": (0,),
                   "os.truncate": (0,), "os.link": (0, 1), "os.symlink": (0, 1), "os.utime": (0,),
                   "os.chdir": (0,), "os.chflags": (0,), "os.setxattr": (0,), "os.removexattr": (0,),
                   "os.startfile": (0,), "shutil.rmtree": (0,), "shutil.copyfile": (0, 1),
                   "shutil.copytree": (0, 1), "shutil.move": (0, 1), "shutil.chown": (0,),
                   "sqlite3.connect": (0,), "glob.glob": (0,), "os.exec": (0,), "os.posix_spawn": (0,),
                   "os.spawn": (1,)}
    raw_calls = {name + suffix for name in (
        "open", "openat", "creat", "fopen", "freopen", "opendir", "unlink", "unlinkat", "remove", "rename",
        "renameat", "renameat2", "rmdir", "mkdir", "mkdirat", "truncate", "link", "linkat", "symlink",
        "symlinkat", "chmod", "fchmodat", "chown", "fchownat", "lchown", "utime", "utimes", "utimensat",
        "chdir", "chroot", "mount", "syscall", "system", "popen", "execl", "execlp", "execle", "execv",
        "execve", "execvp", "execvpe", "fexecve", "posix_spawn", "posix_spawnp", "fork", "vfork", "clone",
        "dlopen") for suffix in ("", "64")}
    command_events = {"subprocess.Popen": 1, "os.system": 0, "os.exec": 1, "os.posix_spawn": 1,
                      "pty.spawn": 0}

    def within(path, base):
        return path == base or path.startswith(base + os.sep)

    def forbidden(arg, strict):
        if isinstance(arg, bytes):
            arg = os.fsdecode(arg)
        if not isinstance(arg, str) or not arg:
            return None
        try:
            path = os.path.normpath(os.path.join(os.getcwd(), arg))
        except Exception:
            path = os.path.normpath(arg)
        if any(within(path, a) for a in allowed):
            return None
        for base in protected:
            if within(path, base) and not (strict and path == base):
                return path
        return None

    def mentions(command):
        if isinstance(command, (list, tuple)):
            command = " ".join(os.fsdecode(c) if isinstance(c, bytes) else str(c) for c in command)
        elif isinstance(command, bytes):
            command = os.fsdecode(command)
        if not isinstance(command, str):
            return None
        for base in protected:
            if base in command:
                rest = command.split(base, 1)[1]
                if not any((base + rest).startswith(a) for a in allowed):
                    return base
        return None

    def report(what):
        if getattr(local, "busy", False):
            return
        local.busy = True
        try:
            publish({cfg["mime"]: {"nonce": cfg["nonce"], "kind": "access", "what": what[:300]}}, metadata={})
        except Exception:
            pass
        finally:
            local.busy = False

    def hook(event, args):
        if event in path_events:
            for i in path_events[event]:
                if i < len(args):
                    hit = forbidden(args[i], event in ("os.listdir", "os.scandir", "glob.glob"))
                    if hit:
                        what = "%s %s" % (event, hit)
                        report(what)
                        raise PermissionError("grading does not let a submission touch the course's files: " + hit)
        if event == "ctypes.dlsym" and len(args) > 1 and args[1] in raw_calls:
            # libc's file and process calls through ctypes: below Python, so no later event would show
            # what they touch; no notebook needs them
            report("ctypes lookup of libc's %s (file and process calls below Python are refused)" % args[1])
            raise PermissionError("grading does not let a submission call libc's %s through ctypes" % args[1])
        if event in command_events:
            i = command_events[event]
            if i < len(args):
                hit = mentions(args[i])
                if hit:
                    report("%s naming %s" % (event, hit))
                    raise PermissionError("grading does not let a submission touch the course's files: " + hit)

    def own_wrapper(key, old, new):
        # a library wrapping its own function (torch._dynamo wraps torch.manual_seed when first imported):
        # the new object wraps the old and its code lives in the same package
        if getattr(new, "__wrapped__", None) is not old:
            return False
        top = sys.modules.get(key.split(".")[0])
        code = getattr(new, "__code__", None)
        base = os.path.dirname(getattr(top, "__file__", "") or "")
        return bool(code and base) and os.path.abspath(code.co_filename).startswith(base + os.sep)

    def current_values():
        """The objects now found where each recorded one was, in the order of ``keys``, cheaply."""
        current = [missing] * len(keys)
        for modname, positions, names in by_module:
            mod = sys.modules.get(modname)
            if mod is not None:
                get = vars(mod).get
                for pos, name in zip(positions, names):
                    current[pos] = get(name, missing)
        if tensor_positions:
            torch = sys.modules.get("torch")
            dicts = [vars(k) for k in type.__getattribute__(torch.Tensor, "__mro__")] if torch else []
            for pos, name in zip(tensor_positions, tensor_names):
                for d in dicts:
                    if name in d:
                        current[pos] = d[name]
                        break
        for pos in other_positions:
            current[pos] = locate(*where[keys[pos]], ())
        return current

    def check(nonce):
        """Compare with the first snapshot and publish what changed (the grader compares the digests too)."""
        payload = {"nonce": nonce, "kind": "check", "replaced": [], "notes": []}
        current = current_values()
        if all(map(operator.is_, current, originals)):
            payload["digest"] = digest(current)
        else:
            accepted = []
            for key, old, new in zip(keys, originals, current):
                if new is old or (isinstance(old, types.MethodType) and isinstance(new, types.MethodType)
                                  and new.__func__ is old.__func__ and new.__self__ is old.__self__) \
                        or (new is not missing and own_wrapper(key, old, new)):
                    accepted.append(old)
                else:
                    accepted.append(new)
                    payload["replaced"].append(key + (" (deleted)" if new is missing else ""))
            payload["digest"] = digest(accepted)
        if modes() != modes0:
            payload["notes"].append("a torch function or dispatch mode was left active")
        if (sys.gettrace(), sys.getprofile()) != trace0:
            payload["notes"].append("a trace or profile function (sys.settrace) was left installed")
        publish({cfg["mime"]: payload}, metadata={})

    objs, where = snapshot()
    keys = sorted(objs)
    originals = [objs[k] for k in keys]
    groups, tensor_positions, tensor_names, other_positions = {}, [], [], []
    for pos, key in enumerate(keys):
        kind, a, b = where[key]
        if kind == "m":
            groups.setdefault(a, ([], []))
            groups[a][0].append(pos)
            groups[a][1].append(b)
        elif kind == "t":
            tensor_positions.append(pos)
            tensor_names.append(a)
        else:
            other_positions.append(pos)
    by_module = [(name, positions, names) for name, (positions, names) in groups.items()]
    modes0, trace0 = modes(), (sys.gettrace(), sys.getprofile())
    sys.addaudithook(hook)
    sys.__dict__["_course_guard_state"] = {"check": check}
    publish({cfg["mime"]: {"nonce": cfg["nonce"], "kind": "start", "digest": digest(originals),
                           "count": len(keys)}}, metadata={})
