"""Relational (generic) diagnoses: a fact about how the learner's outcomes relate to the reference's.

TRUSTED: runs in the test kernel after the catalogue tier (course/grader/diagnose.py) named nothing.

``relate(learner, reference)`` takes the outcomes of the same probes (plain data, as diagnose.call makes
them), collects every place where the learner differs from the reference (a returned value or part of one, an
argument changed in place, an exception), and returns the first relation, in a fixed order of priority, that
holds at every one of those places with the same parameters (a factor, a dtype, a dimension), as an id of
course/diagnoses/generic.py; None when no single relation explains all of them. Each check is exact up to
the tolerances below, so the fact is true on every probe the grader compared: it can be unhelpful, never wrong.
Facts about one number on one call (that 3.0 is 1.5 times 2.0) say nothing: a factor or an offset between plain
numbers needs two calls that agree on it.
"""
from __future__ import annotations

import functools
import itertools
import math

import torch

from . import bridge
from .diagnose import ATOL, RTOL, _number, _tensor, same
from ..diagnoses import generic

CLOSE = 1e-2  # "within 1%": relative to the largest expected magnitude
PARAM_RTOL = 1e-3  # two calls agree on a factor or an offset

ORDER = ["raises", "no_raise", "wrong_error", "returns_none", "modifies", "not_in_place", "type", "length",
         "permuted", "singleton", "rank", "size", "dtype", "dtype_values", "nonfinite", "misses_inf", "negated",
         "zeros", "flipped", "factor", "offset", "reordered", "normalised_dim", "not_normalised", "flatter",
         "sharper", "bool_more", "bool_fewer", "close", "factor_varies", "offset_varies", "greater", "smaller"]
# facts worth stating when they hold on at least one call (the learner's code raised, gave NaN, returned None,
# changed an argument): each is a finding of its own, whatever the other calls gave
ANY = ["raises", "returns_none", "nonfinite", "modifies", "not_in_place", "misses_inf", "dtype", "type"]
NUMERIC_PARAMS = {"factor": "c", "offset": "b"}
NEEDS_TWO = {"factor", "offset"}  # between plain numbers (or one-element tensors): only when two calls agree
SCALAR_OK = {"raises", "no_raise", "wrong_error", "returns_none", "modifies", "not_in_place", "type", "length",
             "dtype", "dtype_values", "nonfinite", "misses_inf", "zeros", "close", "greater", "smaller"}


def relate(learner: list, reference: list, probes: list | None = None) -> str | None:
    """The generic diagnosis id, or None (see the module's docstring); ``probes`` (diagnose.Probe) name the
    methods of a script's steps."""
    if len(learner) != len(reference) or not learner:
        return None
    diffs: list = []  # (where, {relation: params})
    probes = probes if probes is not None and len(probes) == len(learner) else [None] * len(learner)
    try:
        for x, r, probe in zip(learner, reference, probes):
            if probe is not None and _draws(probe):
                continue  # a draw from a generator the tests passed: any sampler the spec allows may differ
            if not _loose(x, r):
                _outcome_diffs(x, r, diffs, getattr(probe, "steps", None))
    except (bridge.BridgeError, RuntimeError, ValueError, TypeError, OverflowError, IndexError):
        return None
    if not diffs:
        return None
    found = _every(diffs)  # one relation at every place where the learner differs
    if found:
        return found
    for relation in ANY:  # a finding on some call
        having = [(where, facts[relation]) for where, facts in diffs if relation in facts]
        if having and not (relation not in SCALAR_OK and all(f.get("_scalar") for _, f in having)):
            places = {where for where, _ in having}
            at = next(iter(places)) if len(places) == 1 else ""
            if relation in ("modifies", "not_in_place") and not at.startswith(("a", "k.")):
                continue
            return generic.make(relation, **_public(having[0][1]), at=at)
    places = list(dict.fromkeys(where for where, _ in diffs))
    if len(places) > 1:  # one relation at every difference in one place (a tuple's second value, one method)
        for place in places:
            found = _every([d for d in diffs if d[0] == place])
            if found:
                return found
    return None


LOOSE_RTOL = 1e-3  # the generic tier compares more loosely than the catalogue: an honest implementation that
# computes in another precision or order (within what the tests accept) must never be told it "differs"


def _loose(a, b) -> bool:
    """``diagnose.same`` with a looser tolerance for floating-point values: LOOSE_RTOL of each value, and of
    the largest expected magnitude (at least 1) for values near zero."""
    if _number(a) and _number(b):  # an int for a float of the same value is no finding (a spec may allow it)
        if isinstance(a, int) and isinstance(b, int):
            return a == b
        return math.isclose(a, b, rel_tol=LOOSE_RTOL, abs_tol=LOOSE_RTOL * 1e-3) or (a != a and b != b)
    if isinstance(a, dict) and isinstance(b, dict):
        kind = a.get("$")
        if kind != b.get("$"):
            return False
        if kind == "tensor" and ("dtype" in a or "dtype" in b):
            try:
                x, y = _tensor(a), _tensor(b)
            except bridge.BridgeError:
                return False
            if x.shape != y.shape or x.dtype != y.dtype:
                return False
            if not y.is_floating_point():
                return same(a, b)
            x, y = x.detach().double(), y.detach().double()
            finite = y[torch.isfinite(y)]
            scale = max(1.0, float(finite.abs().max())) if finite.numel() else 1.0
            return bool(torch.isclose(x, y, rtol=LOOSE_RTOL, atol=LOOSE_RTOL * scale, equal_nan=True).all())
        if kind in ("float", "ndarray", "complex"):
            return same(a, b)
        keys = (set(a) | set(b)) - {"requires_grad", "name"}
        return all(k in a and k in b and _loose(a[k], b[k]) for k in keys)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_loose(x, y) for x, y in zip(a, b))
    return same(a, b)


def _draws(probe) -> bool:
    """The probe passes a torch.Generator (to the function, a class or one of its methods)."""
    return _holds_generator(tuple([probe.args] + [s[1] for s in (probe.steps or []) if s[1]]))


@functools.lru_cache(maxsize=256)
def _holds_generator(sent: tuple) -> bool:
    from .diagnose import _resolve

    def holds(value, depth=0) -> bool:
        if isinstance(value, torch.Generator):
            return True
        if depth < 4 and isinstance(value, (list, tuple)):
            return any(holds(v, depth + 1) for v in value)
        if depth < 4 and isinstance(value, dict):
            return any(holds(v, depth + 1) for v in value.values())
        return False

    try:
        return any(holds(bridge.loads_args(a, _resolve)) for a in sent)
    except Exception:  # noqa: BLE001 - arguments that do not load: leave the probe out
        return True


def _public(params: dict) -> dict:
    return {k: v for k, v in params.items() if not k.startswith("_")}


def _every(diffs: list) -> str | None:
    """The first relation (in ORDER) that holds, with the same parameters, at every difference."""
    places = {where for where, _ in diffs}
    at = next(iter(places)) if len(places) == 1 else ""
    for relation in ORDER:
        found = [facts.get(relation) for _, facts in diffs]
        if any(f is None for f in found):
            continue
        params = _agree(relation, found)
        if params is None:
            continue
        if relation not in SCALAR_OK and all(f.get("_scalar") for f in found) and \
                not (relation in NEEDS_TWO and len(found) >= 2):
            continue  # one number against another: any factor or order "holds"
        if relation in ("modifies", "not_in_place") and not at.startswith(("a", "k.")):
            continue
        return generic.make(relation, **_public(params), at=at)
    return None


def _agree(relation: str, found: list) -> dict | None:
    """The parameters all places share (a factor within PARAM_RTOL), or None."""
    key = NUMERIC_PARAMS.get(relation)
    first = dict(found[0])
    for f in found[1:]:
        for k in set(first) | set(f):
            if k.startswith("_"):
                continue
            if k == key:
                if not math.isclose(float(first[k]), float(f[k]), rel_tol=PARAM_RTOL, abs_tol=1e-9):
                    return None
            elif first.get(k) != f.get(k):
                return None
        first["_scalar"] = first.get("_scalar") and f.get("_scalar")
    if key:
        value = float(first[key])
        if relation == "offset" and first.get("_int"):
            first[key] = str(int(round(value)))
        else:
            first[key] = f"{value:.6g}"
    return first


# ------------------------------------------------------------------------------------------------ walking
def _outcome_diffs(x: dict, r: dict, out: list, steps: list | None = None) -> None:
    if not isinstance(x, dict) or not isinstance(r, dict):
        out.append(("", {}))
        return
    if "steps" in x or "steps" in r:
        if "error" in x or "error" in r:
            _error_diffs(x, r, "", out)
            return
        for j, (sx, sr) in enumerate(zip(x.get("steps") or [], r.get("steps") or [])):
            if not _loose(sx, sr):
                before = len(out)
                _outcome_diffs(sx, sr, out)
                name = str(steps[j][0]) if steps is not None and j < len(steps) else ""
                name = name.lstrip(".")
                where = f"m.{name}" if name.isidentifier() else ""
                for k in range(before, len(out)):  # a step's place is its method
                    out[k] = (where, out[k][1])
        if len(x.get("steps") or []) != len(r.get("steps") or []):
            out.append(("", {}))
        return
    if "error" in x or "error" in r:
        _error_diffs(x, r, "", out)
        return
    if "value" not in x or "value" not in r:  # missing, opaque: nothing to say
        out.append(("", {}))
        return
    _value_diffs(x["value"], r["value"], (), out)
    for i, (cx, cr) in enumerate(zip(x.get("changes") or [], r.get("changes") or [])):
        _change_diffs(cx, cr, f"a{i}", out)
    kx, kr = x.get("kwchanges") or {}, r.get("kwchanges") or {}
    for k in sorted(set(kx) | set(kr)):
        _change_diffs(kx.get(k), kr.get(k), f"k.{k}" if str(k).isidentifier() else "", out)


def _error_diffs(x: dict, r: dict, where: str, out: list) -> None:
    ex, er = x.get("error"), r.get("error")
    if ex and not er:
        out.append((where, {"raises": {"error": _type_token(ex[0])}}))
    elif er and not ex:
        out.append((where, {"no_raise": {"want": _type_token(er[0])}}))
    elif ex and er and ex[0] != er[0]:
        out.append((where, {"wrong_error": {"error": _type_token(ex[0]), "want": _type_token(er[0])}}))
    else:
        out.append((where, {}))


def _type_token(name) -> str:
    name = str(name or "")
    return name if name.isidentifier() else "an_exception"


def _change_diffs(cx, cr, where: str, out: list) -> None:
    if _loose(cx, cr):
        return
    if cx is not None and cr is None:
        out.append((where, {"modifies": {}} if _substantive(cx) else {}))
    elif cx is None and cr is not None:
        out.append((where, {"not_in_place": {}} if _substantive(cr) else {}))
    elif isinstance(cx, dict) and isinstance(cr, dict) and cx.get("$") == cr.get("$") == "tensor" \
            and "value" in cx and "value" in cr:
        before = len(out)
        _value_diffs(cx["value"], cr["value"], (), out)
        for k in range(before, len(out)):
            out[k] = (where, out[k][1])
    else:
        out.append((where, {}))


def _substantive(change) -> bool:
    """A change of an argument's values or state (gradients left on it by a backward pass are not one)."""
    if not isinstance(change, dict):
        return True
    kind = change.get("$")
    if kind == "tensor":
        return "value" in change
    if kind == "module":
        state = change.get("state") or {}
        return bool(state.get("k") if isinstance(state, dict) else state) or "modes" in change \
            or "requires_grad" in change
    if kind in ("items", "keys"):  # some items of a list or a dict changed: which ones count
        return any(_substantive(v) for v in change.get("v") or [])
    return True


def _kind(v) -> str:
    """What a value is, as plain data: None, bool, int, float, str, list, tensor, ndarray, tuple, dict..."""
    if isinstance(v, dict):
        k = v.get("$")
        return "float" if k == "float" else str(k or "dict")  # a non-finite float travels as {"$": "float"}
    for kind, name in ((type(None), "None"), (bool, "bool"), (int, "int"), (float, "float"), (str, "str"),
                       (list, "list")):
        if isinstance(v, kind):
            return name
    return type(v).__name__


def _numeric(v) -> bool:
    return _kind(v) in ("int", "float")


def _as_tensor(v) -> torch.Tensor:
    out = bridge.decode(v)
    if not isinstance(out, torch.Tensor):
        out = torch.from_numpy(out) if hasattr(out, "dtype") else torch.tensor(out, dtype=torch.float64)
    return out.detach()


def _value_diffs(x, r, path: tuple, out: list) -> None:
    if _loose(x, r):
        return
    where = f"r{path[0]}" if path and isinstance(path[0], int) else ""
    kx, kr = _kind(x), _kind(r)
    if kx == "list" and kr == "list" and len(x) == len(r) and x and all(_numeric(v) for v in x + r) \
            and {_kind(v) for v in x} == {_kind(v) for v in r}:
        # a list of numbers compares as a sequence (token ids, a curve): relations apply elementwise
        out.append((where, _tensor_facts(_seq(x), _seq(r), integer=all(_kind(v) == "int" for v in r))))
        return
    if kx == kr and kx in ("list", "tuple", "namedtuple") and not path:
        vx, vr = (x, r) if kx == "list" else (x.get("v") or [], r.get("v") or [])
        if len(vx) == len(vr):
            for i, (a, b) in enumerate(zip(vx, vr)):
                before = len(out)
                _value_diffs(a, b, path + (i,), out)
                for k in range(before, len(out)):
                    out[k] = (f"r{i}", out[k][1])
            return
    out.append((where, _leaf_facts(x, r)))


def _seq(values: list) -> torch.Tensor:
    return torch.tensor([float(v) for v in values], dtype=torch.float64)


def _leaf_facts(x, r) -> dict:
    kx, kr = _kind(x), _kind(r)
    if kx == "None" and kr != "None":
        return {"returns_none": {}}
    if kx in ("tensor", "ndarray") and kr == kx:
        return _tensor_pair(_as_tensor(x), _as_tensor(r))
    if _numeric(x) and _numeric(r):  # an int against a float: compared by value (a spec may allow either)
        facts = _tensor_facts(_seq([_num(x)]), _seq([_num(r)]), integer=kr == "int")
        for f in facts.values():
            f["_scalar"] = True
        return facts
    if kx != kr:
        names = {"tensor": "a_tensor", "ndarray": "a_NumPy_array", "int": "an_int", "float": "a_float",
                 "bool": "a_bool", "str": "a_string", "list": "a_list", "tuple": "a_tuple", "dict": "a_dict",
                 "None": "None", "namedtuple": "a_named_tuple"}
        got, want = names.get(kx), names.get(kr)
        return {"type": {"got": got, "want": want}} if got and want else {}
    if kx == kr and kx in ("list", "tuple", "namedtuple"):
        vx, vr = (x, r) if kx == "list" else (x.get("v") or [], r.get("v") or [])
        if len(vx) != len(vr):
            return {"length": {"d": str(len(vx) - len(vr))}}
        if sorted(map(repr, vx)) == sorted(map(repr, vr)):
            return {"reordered": {}}
    return {}


def _num(v) -> float:
    return float(v["v"]) if isinstance(v, dict) else float(v)


def _tensor_pair(lt: torch.Tensor, rt: torch.Tensor) -> dict:
    if lt.is_complex() or rt.is_complex():
        return {}
    if lt.shape != rt.shape:
        return _shape_facts(lt, rt)
    if lt.dtype != rt.dtype:
        ok = _close(lt.double(), rt.double())
        name = lambda t: str(t.dtype).removeprefix("torch.")  # noqa: E731
        return {"dtype" if ok else "dtype_values": {"got": name(lt), "want": name(rt)}}
    if rt.dtype == torch.bool:
        facts = _bool_facts(lt, rt)
        if rt.numel() == 1:
            for f in facts.values():
                f["_scalar"] = True
        return facts
    integer = not rt.is_floating_point()
    facts = _tensor_facts(lt.double(), rt.double(), integer=integer)
    if rt.numel() == 1:
        for f in facts.values():
            f["_scalar"] = True
    return facts


def _close(a: torch.Tensor, b: torch.Tensor, rtol: float = RTOL, atol: float = ATOL) -> bool:
    return a.shape == b.shape and bool(torch.isclose(a, b, rtol=rtol, atol=atol, equal_nan=True).all())


def _shape_facts(lt: torch.Tensor, rt: torch.Tensor) -> dict:
    l64, r64 = lt.double(), rt.double()
    if lt.numel() == rt.numel() and lt.ndim == rt.ndim and lt.ndim >= 2:
        perms = itertools.permutations(range(rt.ndim)) if rt.ndim <= 4 else \
            [tuple(range(rt.ndim - 2)) + (rt.ndim - 1, rt.ndim - 2)]
        for p in perms:
            if p == tuple(range(rt.ndim)):
                continue
            moved = r64.permute(*p)
            if moved.shape == lt.shape and _close(l64, moved):
                swap2 = p == tuple(range(rt.ndim - 2)) + (rt.ndim - 1, rt.ndim - 2)
                return {"permuted": {"perm": "swap2" if swap2 else "other"}}
    squeezed = [s for s in lt.shape if s != 1], [s for s in rt.shape if s != 1]
    if squeezed[0] == squeezed[1] and lt.ndim != rt.ndim and lt.numel() == rt.numel():
        if _close(l64.reshape(-1), r64.reshape(-1)):
            return {"singleton": {"ones": "more" if lt.ndim > rt.ndim else "fewer"}}
    if lt.ndim != rt.ndim:
        return {"rank": {"d": str(lt.ndim - rt.ndim)}}
    dims = [str(d - lt.ndim) for d in range(lt.ndim) if lt.shape[d] != rt.shape[d]]
    return {"size": {"dims": ".".join(dims)}}


def _bool_facts(lt: torch.Tensor, rt: torch.Tensor) -> dict:
    if lt.numel() >= 2 and torch.equal(lt, ~rt):
        return {"negated": {}}
    facts = {}
    facts.update(_order_facts(lt.to(torch.int8), rt.to(torch.int8)))
    if bool((lt | rt).eq(lt).all()):
        facts["bool_more"] = {}
    elif bool((lt | rt).eq(rt).all()):
        facts["bool_fewer"] = {}
    return facts


def _order_facts(l64: torch.Tensor, r64: torch.Tensor) -> dict:
    """The same values reversed, or in another order, along one dimension (or overall)."""
    if l64.ndim == 0 or l64.numel() < 2:
        return {}
    for d in range(l64.ndim - 1, -1, -1):
        if l64.shape[d] > 1 and _close(l64.double(), r64.flip(d).double()):
            return {"flipped": {"dim": str(d - l64.ndim)}, "reordered": {"dim": str(d - l64.ndim)}}
    for d in range(l64.ndim - 1, -1, -1):
        if l64.shape[d] > 1 and _close(l64.sort(dim=d).values.double(), r64.sort(dim=d).values.double()):
            return {"reordered": {"dim": str(d - l64.ndim)}}
    if _close(l64.reshape(-1).sort().values.double(), r64.reshape(-1).sort().values.double()):
        return {"reordered": {}}
    return {}


def _tensor_facts(l64: torch.Tensor, r64: torch.Tensor, integer: bool = False) -> dict:
    """Relations between two float64 tensors of the same shape (that differ)."""
    facts: dict = {}
    fl, fr = torch.isfinite(l64), torch.isfinite(r64)
    if bool((~fl & fr).any()):
        facts["nonfinite"] = {}
        return facts
    if bool((fl & ~fr).any()):
        facts["misses_inf"] = {}
        return facts
    if not bool(fl.all()):  # the same non-finite places: compare the rest
        if not torch.equal(l64[~fl].nan_to_num(0.0, 1.0, -1.0), r64[~fr].nan_to_num(0.0, 1.0, -1.0)):
            return facts
        facts.update(_distribution_facts(l64, r64))
        l64, r64 = l64[fl], r64[fr]
    if l64.numel() == 0:
        return facts
    scale = float(r64.abs().max())
    if bool((l64 == 0).all()) and scale > ATOL:
        facts["zeros"] = {}
    facts.update(_order_facts(l64, r64))
    if l64.shape == r64.shape and l64.ndim >= 1:
        facts.update(_distribution_facts(l64, r64))
    rr = float((r64 * r64).sum())
    if rr > 0 and scale > ATOL:
        c = float((l64 * r64).sum()) / rr
        if math.isfinite(c) and abs(c) > 1e-12 and not math.isclose(c, 1.0, rel_tol=RTOL) \
                and _close(l64, c * r64, atol=ATOL * max(1.0, abs(c))):
            facts["factor"] = {"c": c}
            if l64.numel() >= 2 and int((r64 != 0).sum()) >= 2:
                facts["factor_varies"] = {}
    b = float((l64 - r64).mean())
    if math.isfinite(b) and abs(b) > ATOL and _close(l64, r64 + b):
        facts["offset"] = {"b": b, "_int": integer and float(b).is_integer()}
        if l64.numel() >= 2 and float(r64.max() - r64.min()) > ATOL:
            facts["offset_varies"] = {}
    if scale > 0 and bool((l64 - r64).abs().le(CLOSE * scale).all()):
        facts["close"] = {}
    if bool((l64 >= r64 - ATOL).all()):
        facts["greater"] = {}
    elif bool((l64 <= r64 + ATOL).all()):
        facts["smaller"] = {}
    return facts


def _slices(t: torch.Tensor, d: int) -> torch.Tensor:
    return t.movedim(d, -1).reshape(-1, t.shape[d])


def _sums_to_one(t: torch.Tensor, d: int, valid: torch.Tensor) -> bool:
    """Every valid slice along d is non-negative and sums to 1 (``valid``: which slices along d count)."""
    rows = _slices(t, d)[valid[d]]
    return t.shape[d] > 1 and rows.shape[0] > 0 and bool((rows >= -ATOL).all()) and \
        bool(torch.isclose(rows.sum(-1), torch.ones((), dtype=t.dtype), rtol=0, atol=1e-4).all())


def _distribution_facts(l64: torch.Tensor, r64: torch.Tensor) -> dict:
    """The expected result holds distributions (non-negative, summing to 1 along a dimension; slices with a
    non-finite entry in either result are left out): is the learner's normalised along another dimension, not
    at all, or flatter / sharper on every slice that differs?"""
    if r64.ndim == 0 or r64.numel() < 2:
        return {}
    finite = torch.isfinite(l64) & torch.isfinite(r64)
    valid = [_slices(finite, d).all(-1) for d in range(r64.ndim)]
    dims = [d for d in range(r64.ndim) if _sums_to_one(r64, d, valid)]
    if not dims:
        return {}
    d = dims[-1]
    name = str(d - r64.ndim)
    if not _sums_to_one(l64, d, valid):
        others = [k for k in range(l64.ndim) if k != d and _sums_to_one(l64, k, valid)]
        if others:
            return {"normalised_dim": {"dim": str(others[-1] - l64.ndim), "want": name}}
        return {"not_normalised": {"dim": name}}
    lp, rp = _slices(l64, d)[valid[d]], _slices(r64, d)[valid[d]]
    differ = ~torch.isclose(lp, rp, rtol=RTOL, atol=ATOL).all(-1)
    if not bool(differ.any()):
        return {}
    entropy = lambda p: -(p.clamp_min(0) * p.clamp_min(1e-300).log()).sum(-1)  # noqa: E731 - 0 log 0 = 0
    hl, hr = entropy(lp[differ]), entropy(rp[differ])
    if bool((hl > hr + 1e-9).all()):
        return {"flatter": {"dim": name}}
    if bool((hl < hr - 1e-9).all()):
        return {"sharper": {"dim": name}}
    return {}
