"""Generic diagnoses: facts about how a learner's results relate to the reference's, for any exercise.

The second tier of the behavioural diagnoses (course/grader/relations.py finds them): used only when the
catalogue of known mistakes names nothing. Each one is a fact checked on every call the tests made that the
grader could replay ("where your result differs, it is exactly -1 times the expected one"), so it is true by
construction; it says where to look, never the fix, never a hidden input.

An id is ``generic_<relation>`` with its parameters in parentheses, ``k=v`` tokens joined by commas (no
``;`` or ``:``, so that it fits the grades CSV's ``diagnoses`` cell): ``generic_factor(c=-1)``,
``generic_dtype(got=float64,want=float32,at=r1)``. ``at`` says where the difference is: ``r<k>`` the k-th
(0-based) value returned, ``a<i>`` argument i (in-place changes), ``k.<name>`` a keyword argument,
``m.<name>`` what a method (or attribute) of the learner's object gives.
"""
from __future__ import annotations

import math
import re

PREFIX = "generic_"
_TOKEN = re.compile(r"^[A-Za-z0-9_.+\-]*$")

# relation -> (english, chinese); {placeholders} are filled from the parameters (see _fill)
TEXTS = {
    "raises": (
        "Raises {error} on calls where a result is expected: run it on inputs like the examples and read the "
        "traceback.",
        "在应返回结果的调用上抛出了 {error}：用类似示例的输入运行它，并阅读 traceback。"),
    "no_raise": (
        "Returns normally where the specification requires an error ({want}): check the input validation the "
        "text asks for.",
        "在规范要求报错（{want}）的地方正常返回了：检查题目要求的输入检查。"),
    "wrong_error": (
        "Raises {error} where the specification requires {want}.",
        "抛出的是 {error}，而规范要求的是 {want}。"),
    "returns_none": (
        "Returns None{at_en}: is a `return` statement missing (or does it only modify something in place)?",
        "{at_zh}返回了 None：是否漏了 `return` 语句（或者只做了原地修改）？"),
    "modifies": (
        "Modifies its {arg_en} in place, which the specification does not allow: the caller's object changes "
        "after the call (look for in-place operations such as `+=`, `x[...] = `, or methods ending in `_`).",
        "原地修改了{arg_zh}，而规范不允许：调用之后调用者的对象变了（留意 `+=`、`x[...] =` 或以 `_` 结尾的方法）。"),
    "not_in_place": (
        "Leaves its {arg_en} unchanged, where the specification says it must be updated in place (a new object "
        "built and not written back?).",
        "没有改动{arg_zh}，而规范要求原地更新（是否新建了对象却没有写回？）。"),
    "type": (
        "Returns {got}{at_en} where {want} is expected.",
        "{at_zh}返回了 {got_zh}，而期望的是 {want_zh}。"),
    "length": (
        "Returns {count_en}{at_en} than expected: check a loop's range or where a sequence starts and ends.",
        "{at_zh}返回的元素{count_zh}：检查循环的范围，或序列从哪里开始、到哪里结束。"),
    "permuted": (
        "Gives the right values with {perm_en}{at_en}: check the order of the dimensions (a transpose, or "
        "`view`/`reshape` where the dimensions should be permuted).",
        "{at_zh}数值正确，但{perm_zh}：检查维度顺序（转置，或在应当交换维度的地方用了 `view`/`reshape`）。"),
    "singleton": (
        "Gives the right values with {ones_en}{at_en}: check `keepdim`, `squeeze`/`unsqueeze` or indexing with "
        "a slice instead of a number.",
        "{at_zh}数值正确，但{ones_zh}：检查 `keepdim`、`squeeze`/`unsqueeze`，或是否用切片代替了整数下标。"),
    "rank": (
        "Returns a tensor with {dims_en}{at_en}: a dimension kept or reduced where it should not be "
        "(check the `dim` of reductions, broadcasting, or a missing batch dimension).",
        "{at_zh}返回的张量{dims_zh}：某一维本该保留却被归约了，或相反（检查归约的 `dim`、广播，或缺少的 batch 维）。"),
    "size": (
        "Returns a tensor whose {which_en} has the wrong size{at_en}: check which dimension is reduced, "
        "concatenated or sliced.",
        "{at_zh}返回张量的{which_zh}大小不对：检查在哪一维上归约、拼接或切片。"),
    "dtype": (
        "Gives the right values as {got} where {want} is expected{at_en}: check the dtype of the tensors you "
        "create and of what you return.",
        "{at_zh}数值正确，但 dtype 是 {got}，而期望的是 {want}：检查新建张量和返回值的 dtype。"),
    "dtype_values": (
        "Returns {got} where {want} is expected{at_en}, and the values differ as well.",
        "{at_zh}返回的 dtype 是 {got}，而期望的是 {want}，数值也不同。"),
    "nonfinite": (
        "Gives NaN or inf{at_en} where the expected result is finite: something overflows, underflows or "
        "divides by zero for large or small inputs (numerical stability).",
        "{at_zh}在期望结果为有限值的地方得到了 NaN 或 inf：对很大或很小的输入，某处上溢、下溢或除以了零（数值稳定性）。"),
    "misses_inf": (
        "Gives finite numbers{at_en} where the expected result holds inf, -inf or NaN: a large finite "
        "stand-in (such as -1e9) is not the same (check what the specification says for those entries).",
        "{at_zh}在期望结果为 inf、-inf 或 NaN 的地方给出了有限数：用很大的有限数（如 -1e9）代替并不等价（查看规范对这些位置的规定）。"),
    "negated": (
        "Gives the exact opposite{at_en}: True wherever False is expected and False wherever True is expected "
        "(a condition inverted?).",
        "{at_zh}结果恰好相反：应为 False 的地方都是 True，应为 True 的地方都是 False（条件写反了？）。"),
    "bool_more": (
        "Marks True{at_en} everywhere the expected result does, and also in places where it is False: a "
        "condition too loose (check a boundary, `<` against `<=`).",
        "{at_zh}在期望为 True 的地方都是 True，但在一些期望为 False 的地方也是 True：条件过宽（检查边界，`<` 与 `<=`）。"),
    "bool_fewer": (
        "Marks True{at_en} only where the expected result does, but misses some of those places: a condition "
        "too strict (check a boundary, `<` against `<=`).",
        "{at_zh}只在期望为 True 的地方为 True，但漏掉了其中一些：条件过严（检查边界，`<` 与 `<=`）。"),
    "flipped": (
        "Gives the right values in reverse order along {dim_en}{at_en}.",
        "{at_zh}数值正确，但沿{dim_zh}的顺序是反的。"),
    "reordered": (
        "Gives the right values in another order{along_en}{at_en}: check how the results are sorted, "
        "gathered or indexed.",
        "{at_zh}数值正确，但{along_zh}顺序不同：检查结果的排序、gather 或下标。"),
    "zeros": (
        "Returns only zeros{at_en} where non-zero values are expected: is something never filled in, or "
        "multiplied by zero?",
        "{at_zh}只返回了零，而期望的是非零值：是否有东西从未被填入，或被乘以了零？"),
    "factor": (
        "Where the result{at_en} differs from the expected one, it is exactly {c_en} the expected values, on "
        "every such call: a scale, a sign or a normalisation is wrong.",
        "{at_zh}结果与期望不同的每一次调用中，它都恰好是期望值的 {c_zh}：某个缩放、符号或归一化不对。"),
    "factor_varies": (
        "Where the result{at_en} differs from the expected one, it is the expected values times a constant, but "
        "a constant that changes with the input: a scaling that depends on a size is wrong (a square root, "
        "a 1/n, a normalisation).",
        "{at_zh}结果与期望不同时，它等于期望值乘以一个常数，但该常数随输入而变：某个依赖尺寸的缩放不对（平方根、1/n、归一化）。"),
    "offset": (
        "Where the result{at_en} differs from the expected one, it is the expected values {b_en}, on every "
        "such call.",
        "{at_zh}结果与期望不同的每一次调用中，它都是期望值{b_zh}。"),
    "offset_varies": (
        "Where the result{at_en} differs from the expected one, every value is shifted by the same amount, "
        "but an amount that changes with the input: an additive term (a constant, a log of a sum) is wrong.",
        "{at_zh}结果与期望不同时，所有值都被平移了同一个量，但该量随输入而变：某个加性项（常数、和的对数）不对。"),
    "normalised_dim": (
        "Normalises along {dim_en}{at_en}, where the expected result sums to 1 along {want_en}: check the `dim` "
        "of the normalisation (softmax, sum).",
        "{at_zh}沿{dim_zh}归一化了，而期望结果是沿{want_zh}和为 1：检查归一化（softmax、求和）的 `dim`。"),
    "not_normalised": (
        "Does not sum to 1 along {dim_en}{at_en}, as the expected result does: a normalisation is missing, "
        "applied too early, or undone by a later step (such as a mask).",
        "{at_zh}沿{dim_zh}的和不为 1，而期望结果是：缺少归一化、归一化做得太早，或被后面的步骤（如掩码）破坏了。"),
    "flatter": (
        "Gives distributions along {dim_en}{at_en} that are flatter (closer to uniform) than expected, on every "
        "slice that differs: the scores are scaled down too much, or the temperature is too high.",
        "{at_zh}沿{dim_zh}的分布比期望的更平（更接近均匀），在每个不同的切片上都如此：分数被缩得太小，或温度太高。"),
    "sharper": (
        "Gives distributions along {dim_en}{at_en} that are sharper (more peaked) than expected, on every slice "
        "that differs: the scores are not scaled down enough (a missing scale?), or the temperature is too low.",
        "{at_zh}沿{dim_zh}的分布比期望的更尖锐，在每个不同的切片上都如此：分数缩放不够（漏了缩放？），或温度太低。"),
    "greater": (
        "Is larger than expected{at_en} wherever it differs, never smaller: an extra term, a factor too large, "
        "or a divisor too small?",
        "{at_zh}凡是不同之处都比期望大，从不更小：多了一项、某个因子太大，或某个除数太小？"),
    "smaller": (
        "Is smaller than expected{at_en} wherever it differs, never larger: a missing term, a factor too "
        "small, or a divisor too large?",
        "{at_zh}凡是不同之处都比期望小，从不更大：漏了一项、某个因子太小，或某个除数太大？"),
    "close": (
        "Is within 1% of the expected values{at_en} but not within the tests' tolerance: look for a small "
        "term (an epsilon, n against n - 1, an approximation, a lower precision).",
        "{at_zh}与期望值相差在 1% 以内，但超出了测试的容差：找一找微小的项（epsilon、n 与 n - 1、近似公式、较低的精度）。"),
}
GENERIC = set(TEXTS)


def make(relation: str, **params) -> str:
    """The id of a relation with its parameters (each value a short token)."""
    tokens = []
    for key, value in params.items():
        value = str(value)
        if value == "" or not _TOKEN.match(value):
            continue
        tokens.append(f"{key}={value}")
    return f"{PREFIX}{relation}" + (f"({','.join(tokens)})" if tokens else "")


def parse(diagnosis: str) -> tuple[str, dict] | None:
    """(relation, parameters) of a generic id, or None when it is not one."""
    m = re.fullmatch(r"generic_([a-z_]+)(?:\(([^()]*)\))?", diagnosis or "")
    if not m or m.group(1) not in GENERIC:
        return None
    params = {}
    for token in (m.group(2) or "").split(","):
        key, sep, value = token.partition("=")
        if sep and _TOKEN.match(value):
            params[key] = value
    return m.group(1), params


def is_generic(diagnosis: str) -> bool:
    return parse(diagnosis) is not None


def _ordinal_en(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def _where(at: str) -> tuple[str, str]:
    if not at:
        return "", ""
    if re.fullmatch(r"r\d+", at):
        n = int(at[1:]) + 1
        return f" in the {_ordinal_en(n)} value it returns", f"在返回的第 {n} 个值中，"
    if re.fullmatch(r"a\d+", at):
        n = int(at[1:]) + 1
        return f" in its {_ordinal_en(n)} argument", f"在第 {n} 个参数中，"
    if at.startswith("k."):
        return f" in its argument `{at[2:]}`", f"在参数 `{at[2:]}` 中，"
    if at.startswith("m."):
        name = at[2:]
        return f" in what `.{name}` gives", f"在 `.{name}` 给出的结果中，"
    return "", ""


def _arg(at: str) -> tuple[str, str]:
    if re.fullmatch(r"a\d+", at or ""):
        n = int(at[1:]) + 1
        return f"{_ordinal_en(n)} argument", f"第 {n} 个参数"
    if (at or "").startswith("k."):
        return f"argument `{at[2:]}`", f"参数 `{at[2:]}`"
    return "argument", "参数"


def _dim(d: str) -> tuple[str, str]:
    try:
        k = int(d)
    except (TypeError, ValueError):
        return "one dimension", "某一维"
    if k == -1:
        return "the last dimension", "最后一维"
    if k == -2:
        return "the second-to-last dimension", "倒数第二维"
    if k < 0:
        return f"dimension {k} (counted from the end)", f"倒数第 {-k} 维"
    return f"dimension {k}", f"第 {k} 维"


def _number(c: float) -> tuple[str, str]:
    """A factor in words: -1, 2, 1/n, sqrt(n), 1/sqrt(n), else rounded."""
    if math.isclose(c, -1.0, rel_tol=1e-6):
        return "-1 times (the sign flipped)", "-1 倍（符号反了）"
    for n in range(2, 4097):
        if math.isclose(c, float(n), rel_tol=1e-5):
            return f"{n} times", f"{n} 倍"
        if math.isclose(c, -float(n), rel_tol=1e-5):
            return f"-{n} times", f"-{n} 倍"
        if math.isclose(c, 1.0 / n, rel_tol=1e-5):
            return f"1/{n} of", f"1/{n}"
    for n in range(2, 4097):
        r = math.sqrt(n)
        if r == int(r):
            continue
        if math.isclose(c, r, rel_tol=1e-5):
            return f"sqrt({n}) times", f"sqrt({n}) 倍"
        if math.isclose(c, 1.0 / r, rel_tol=1e-5):
            return f"1/sqrt({n}) of", f"1/sqrt({n})"
    return f"{c:.6g} times", f"{c:.6g} 倍"


def _count(p: dict, noun: str, more: str, fewer: str, unit_zh: str) -> tuple[str, str]:
    """A difference in number ``d`` in words: "one element more", "2 dimensions too few" / "多了 1 个"."""
    try:
        d = int(p.get("d", "0"))
    except ValueError:
        d = 0
    n = abs(d)
    english = f"{'one' if n == 1 else n} {noun}{'s' if n != 1 else ''} {more if d > 0 else fewer}"
    return english, f"{'多' if d > 0 else '少'}了 {n} {unit_zh}"


def _fill(relation: str, p: dict) -> dict:
    at_en, at_zh = _where(p.get("at", ""))
    out = {"at_en": at_en, "at_zh": at_zh, "error": p.get("error", "an exception"), "want": p.get("want", "?"),
           "got": p.get("got", "?")}
    out["arg_en"], out["arg_zh"] = _arg(p.get("at", ""))
    if relation == "type":
        zh = {"a_tensor": "张量", "a_NumPy_array": "NumPy 数组", "an_int": "Python int", "a_float": "Python float",
              "a_bool": "bool", "a_string": "字符串", "a_list": "list", "a_tuple": "tuple", "a_dict": "dict",
              "None": "None", "a_named_tuple": "具名元组"}
        out["got_zh"], out["want_zh"] = zh.get(out["got"], out["got"]), zh.get(out["want"], out["want"])
        out["got"], out["want"] = out["got"].replace("_", " "), out["want"].replace("_", " ")
    if relation == "length":
        out["count_en"], out["count_zh"] = _count(p, "element", "more", "fewer", "个")
    if relation == "permuted":
        if p.get("perm") == "swap2":
            out["perm_en"], out["perm_zh"] = "the last two dimensions swapped (a transpose)", "最后两维互换了（转置）"
        else:
            out["perm_en"], out["perm_zh"] = "the dimensions in another order", "维度顺序不同"
    if relation == "singleton":
        more = p.get("ones") == "more"
        out["ones_en"] = "an extra dimension of size 1" if more else "a dimension of size 1 missing"
        out["ones_zh"] = "多了一个大小为 1 的维度" if more else "少了一个大小为 1 的维度"
    if relation == "rank":
        out["dims_en"], out["dims_zh"] = _count(p, "dimension", "too many", "too few", "维")
    if relation == "size":
        dims = [d for d in p.get("dims", "").split(".") if d]
        if len(dims) == 1:
            out["which_en"], out["which_zh"] = _dim(dims[0])
        else:
            names = [_dim(d) for d in dims]
            out["which_en"] = " and ".join(n[0] for n in names) or "one dimension"
            out["which_zh"] = "和".join(n[1] for n in names) or "某一维"
    if relation in ("flipped", "normalised_dim", "not_normalised", "flatter", "sharper"):
        out["dim_en"], out["dim_zh"] = _dim(p.get("dim", ""))
        out["want_en"], out["want_zh"] = _dim(p.get("want", ""))
    if relation == "reordered":
        if "dim" in p:
            en, zh = _dim(p["dim"])
            out["along_en"], out["along_zh"] = f" along {en}", f"沿{zh}的"
        else:
            out["along_en"], out["along_zh"] = "", ""
    if relation == "factor":
        try:
            c = float(p.get("c", "nan"))
        except ValueError:
            c = float("nan")
        out["c_en"], out["c_zh"] = _number(c) if math.isfinite(c) else ("a constant times", "某个常数倍")
    if relation == "offset":
        try:
            b = float(p.get("b", "nan"))
        except ValueError:
            b = float("nan")
        word = f"{abs(b):.6g}" if not math.isfinite(b) or b != int(b) or abs(b) > 2**53 else f"{abs(int(b))}"
        if not math.isfinite(b):
            out["b_en"], out["b_zh"] = "shifted by a constant", "平移了一个常数"
        elif b in (1.0, -1.0):
            out["b_en"] = f"{'plus' if b > 0 else 'minus'} 1 (off by one)"
            out["b_zh"] = f"{'加' if b > 0 else '减'} 1（差一错误）"
        else:
            out["b_en"] = f"{'plus' if b > 0 else 'minus'} {word}"
            out["b_zh"] = f"{'加' if b > 0 else '减'} {word}"
    return out


def text(diagnosis: str, lang: str = "en") -> str:
    """A generic id's sentence ("" when it is not one); ``lang``: "en", "zh", or "both"."""
    found = parse(diagnosis)
    if found is None:
        return ""
    relation, params = found
    en, zh = TEXTS[relation]
    values = _fill(relation, params)
    en, zh = en.format(**values), zh.format(**values)
    if lang == "both":
        return f"{en} / {zh}"
    return zh if str(lang).startswith("zh") else en
