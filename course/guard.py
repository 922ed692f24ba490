"""Guard cells: catch a submission that tampers with the test machinery or pokes at the course's files.

The grader adds cells to the learner's notebook, and removes them (and their
outputs) before scoring and feedback:

- a first cell, before any other, records the identity of every callable in
  builtins, math, numpy, numpy.testing, torch, torch.nn.functional,
  torch.testing, course.testing and of every method of torch.Tensor (the
  modules a notebook uses are imported there, as its setup cell would), plus
  the IPython machinery that runs cells, and publishes a digest of them. It also
  installs an audit hook (``sys.addaudithook``: it cannot be removed) that
  refuses, and reports at once, any file operation or command naming the
  course's private paths (source/, the gradebook, other submissions), and any
  lookup of libc's file or process calls through ctypes (what those touch is
  invisible to Python);
- checks compare with that record and publish what changed (a function
  replaced, ``torch.allclose = lambda *a, **k: True``; a module swapped in
  ``sys.modules``; a tracer or a torch function mode left active) with a new
  digest: on the first line of every test cell (so a patch that undoes itself
  is caught while in place), in a cell of their own after each group of test
  cells (so killing the kernel after a test hides nothing), and at the end.

The trusted grader reads these reports from outputs of a private mimetype
(``MIME``), each keyed by a random nonce it chose. A check whose cell ran but
that reported nothing, or whose digest disagrees with the first, also counts as
tampering. When the kernel dies, a test's points count only if a clean check
ran after it.

Test cells also re-run the read-only cells' imports first (on their first line,
so line numbers hold): a learner rebinding ``T`` or ``torch`` in the notebook's
namespace cannot change what the tests call.
"""
from __future__ import annotations

import ast
import json
import secrets
from dataclasses import dataclass, field

MIME = "application/vnd.course-guard+json"
WATCHED = ["builtins", "math", "numpy", "numpy.testing", "torch", "torch.nn.functional", "torch.testing",
           "course.testing"]

_START = r'''
def _course_guard_start(cfg):
    import builtins, json, operator, os, sys, threading, types
    import importlib
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


_course_guard_start(%(cfg)s)
del _course_guard_start
'''

CHECK = '__import__("sys").__dict__["_course_guard_state"]["check"](%r)'

MACHINERY = ["run_cell", "run_cell_async", "_run_cell", "run_ast_nodes", "run_code", "transform_cell",
             "transform_ast", "should_run_async", "ex", "ev", "showtraceback", "_showtraceback", "do_execute",
             "execute_request", "publish", "send", "run_line_magic", "run_cell_magic"]


@dataclass
class Guard:
    """One grading run's guard: the cells' sources, and what to make of their outputs.

    ``start_source()`` goes first; ``test_source()`` wraps each test cell (imports, then a check);
    ``check_source()`` is a cell of its own after each group of test cells and at the end. Each
    check carries a fresh nonce; ``verdict()`` reads them back.
    """
    modules: list[str]
    protected: list[str]
    allowed: list[str]
    imports: str = ""  # the read-only cells' import statements, re-run before each test cell
    start_nonce: str = field(default_factory=lambda: secrets.token_hex(16))
    checks: list[str] = field(default_factory=list)

    def start_source(self) -> str:
        cfg = {"modules": self.modules, "watched": WATCHED, "protected": self.protected, "allowed": self.allowed,
               "nonce": self.start_nonce, "mime": MIME, "machinery": MACHINERY}
        return _START.replace("%(cfg)s", repr(cfg)).strip() + "\n"

    def _nonce(self) -> str:
        self.checks.append(secrets.token_hex(12))
        return self.checks[-1]

    def check_source(self) -> tuple[str, str]:
        nonce = self._nonce()
        return CHECK % nonce + "\n", nonce

    def test_source(self, source: str) -> tuple[str, str]:
        """A test cell's code after the read-only imports and a check, on its first line when that
        parses (line numbers hold), else on a line of their own."""
        nonce = self._nonce()
        prelude = "; ".join(p for p in (self.imports, CHECK % nonce) if p)
        if source.lstrip().startswith(("from __future__", "%%")):
            return source, nonce  # nothing may come first: the check after the cell covers it
        lines = source.split("\n")
        lines[0] = prelude + "; " + lines[0] if lines[0].strip() else prelude
        candidate = "\n".join(lines)
        try:
            ast.parse(candidate)
            return candidate, nonce
        except SyntaxError:
            return prelude + "\n" + source, nonce

    def verdict(self, start_outputs: list, checks: list[tuple[str, bool, list]], all_outputs: list) -> "Verdict":
        """``checks``: (nonce, its cell ran, its cell's outputs) for each check issued, in order."""
        v = Verdict()
        for out in all_outputs:
            for p in _payloads([out], self.start_nonce, "access"):
                what = str(p.get("what", ""))
                if what not in v.access:
                    v.access.append(what)
        start = _payloads(start_outputs, self.start_nonce, "start")
        if not start:
            v.problems.append("the grader's first check did not run")
            return v
        digest = start[-1].get("digest")
        replaced, notes = [], []
        for nonce, ran, outputs in checks:
            found = _payloads(outputs, nonce, "check")
            if not found:
                if ran:
                    notes.append("a check of the grader reported nothing (its machinery was altered)")
                continue
            payload = found[-1]
            names = [str(x) for x in payload.get("replaced", [])]
            replaced += [n for n in names if n not in replaced]
            notes += [str(n) for n in payload.get("notes", []) if str(n) not in notes]
            if not names and payload.get("digest") != digest:
                notes.append("the grader's records of the test machinery were altered")
            elif not names and not payload.get("notes"):
                v.clean.add(nonce)
        if replaced:
            v.tampered.append("replaced " + ", ".join(replaced[:12]) + (" and more" if len(replaced) > 12 else ""))
        v.tampered += [n for n in dict.fromkeys(notes)]
        return v


@dataclass
class Verdict:
    tampered: list[str] = field(default_factory=list)
    access: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    clean: set = field(default_factory=set)  # nonces of the checks that found everything as it was

    @property
    def flagged(self) -> bool:
        return bool(self.tampered or self.access)

    def flags(self) -> list[str]:
        out = []
        if self.tampered:
            out.append("tampering with the test machinery detected: " + "; ".join(self.tampered))
        if self.access:
            shown = ", ".join(self.access[:5]) + (f" and {len(self.access) - 5} more" if len(self.access) > 5 else "")
            out.append(f"the submission tried to reach the course's private files ({shown})")
        return out


def _payloads(outputs: list, nonce: str, kind: str) -> list[dict]:
    found = []
    for out in outputs:
        data = out.get("data", {}) if isinstance(out, dict) else {}
        payload = data.get(MIME)
        if isinstance(payload, str):
            try:
                payload = json.loads(payload)
            except ValueError:
                continue
        if isinstance(payload, dict) and payload.get("nonce") == nonce and payload.get("kind") == kind:
            found.append(payload)
    return found


def strip_guard_outputs(outputs: list) -> list:
    """A cell's outputs without the guard's reports."""
    return [o for o in outputs if not (isinstance(o, dict) and MIME in (o.get("data") or {}))]


def modules_used(sources: list[str]) -> list[str]:
    """The watched modules a notebook mentions (imported by the first guard cell, as its setup would)."""
    text = "\n".join(sources)
    out = []
    for name in WATCHED:
        top = name.split(".")[0]
        if name in ("builtins", "math") or top in text:
            out.append(name)
    return out


def locked_imports(sources: list[str]) -> str:
    """The import statements of read-only cells, as one line (``import torch; from course import testing as T``)."""
    statements = []
    for source in sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Import):
                statements.append("import " + ", ".join(a.name + (f" as {a.asname}" if a.asname else "")
                                                        for a in node.names))
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 \
                    and node.module != "__future__" and not any(a.name == "*" for a in node.names):
                statements.append(f"from {node.module} import " + ", ".join(
                    a.name + (f" as {a.asname}" if a.asname else "") for a in node.names))
    seen = []
    for s in statements:
        if s not in seen:
            seen.append(s)
    return "; ".join(seen)
