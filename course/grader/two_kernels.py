"""Two-kernel grading: the submission's cells in the sandboxed student kernel, the test cells in a trusted one.

The student kernel (a ``sandbox.Runner``, in bubblewrap when it can) runs the setup cells and every
cell that is not a test cell, in notebook order; where a group of test cells stood it runs a cell of
the grader's that serves the test kernel's calls (``student_side.serve``) until that group is done. It
never receives a test cell's source. The test kernel (a ``sandbox.Runner`` of its own, outside the
student's sandbox, running only the course's code) runs the setup cells and then, per group, opens the
group (``test_side.open_group``: the notebook's names become proxies), runs the test cells, and closes
it. A test cell passes when the test kernel ran it without an exception: nothing the student kernel
prints, sends or hides reaches that verdict.
"""
from __future__ import annotations

import ast
import threading

import nbformat

from ..notebooks import is_locked_cell, is_test_cell
from .report import one_line
from .run import MAX_OUTPUT_CHARS, clear_outputs, dedupe, error_flags, harmless_helper, how_it_died, label
from .sandbox import CHANNEL_DIR, NO_SANDBOX_FLAG, Runner

BRIDGE = "bridge"  # the socket's name in the runner's channel folder
GROUP_SLACK = 60  # seconds a group may take beyond its test cells' limits (opening, proxies)
STARTUP_SECONDS = 120  # the executor's limit for starting the student kernel
SETUP_SECONDS = 120  # a setup cell in the test kernel (trusted: the course's imports)
UNREACHED = "course-grader: group not reached: "
DIAGNOSIS_MARGIN = 20  # seconds the diagnoses leave of a submission's time limit (a diagnosis never times it out)  # what open_group prints when the student kernel never came


def bound_names(source: str) -> set[str]:
    """Names a cell binds at its top level (assignments, defs, classes, imports, for and with targets)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def _is_setup(cell) -> bool:
    return cell.cell_type == "code" and is_locked_cell(cell) and not is_test_cell(cell)


def plan(nb, cell_timeout: int):
    """The two jobs: (student cells, test cells, where each code cell's outputs come from)."""
    code = [c for c in nb.cells if c.cell_type == "code"]
    setup_names = set().union(*[bound_names(c.source) for c in code if _is_setup(c)] or [set()])
    keep = setup_names | set().union(*[bound_names(c.source) for c in code if is_test_cell(c)] or [set()])
    student, tests, origin = [], [], []  # origin[k] = ("student" | "test", index into that job)
    group, pending = -1, []
    for k, cell in enumerate(code):
        if is_test_cell(cell):
            if not pending:
                group += 1
                student.append({"source": "", "serve": group, "store_history": False})
                tests.append({"source": "", "open": group, "store_history": False})
            pending.append(k)
            origin.append(("test", len(tests)))
            tests.append({"source": cell.source, "store_history": True})
            continue
        if pending:
            tests.append({"source": "", "close": True, "store_history": False})
            pending = []
        origin.append(("student", len(student)))
        student.append({"source": cell.source, "store_history": True})
        if _is_setup(cell):  # the course's own imports: a busy machine may take a while
            tests.append({"source": cell.source, "store_history": False, "setup": k,
                          "timeout": max(cell_timeout, SETUP_SECONDS)})
    if pending:
        tests.append({"source": "", "close": True, "store_history": False})
    return student, tests, origin, sorted(keep), sorted(setup_names)


def _fill(student, tests, runner: Runner, keep, setup_names, cell_timeout: int, timeout):
    """Write the grader's own cells: serve (student kernel), open and close (test kernel)."""
    inside = f"{CHANNEL_DIR}/{BRIDGE}" if runner.sandboxed else str(runner.ipc / BRIDGE)
    outside = str(runner.ipc / BRIDGE)
    call_timeout = max(5, cell_timeout - 5)
    budget = timeout or 10 ** 6
    group_of = _groups_of(tests)
    for spec in student:
        if "serve" in spec:
            group = spec["serve"]
            size = sum(1 for g in group_of.values() if g == group)
            spec["timeout"] = int(min(budget, size * cell_timeout + GROUP_SLACK))
            spec["source"] = (f"__import__('course.grader.student_side', fromlist=['serve']).serve("
                              f"{inside!r}, {group}, {spec['timeout']})")
    waits, since = {}, 0  # per group: the student cells the student kernel runs before reaching it
    for spec in student:
        if "serve" in spec:
            waits[spec["serve"]], since = since, 0
        else:
            since += 1
    for spec in tests:
        if "open" in spec:
            start_up = STARTUP_SECONDS if spec["open"] == 0 else 0  # the student kernel may still be starting
            waited = min(budget, (waits.get(spec["open"], 0) + 1) * (cell_timeout + 15) + GROUP_SLACK + start_up)
            spec["timeout"] = int(waited + 10)
            spec["source"] = (f"__import__('course.grader.test_side', fromlist=['open_group']).open_group("
                              f"{outside!r}, {spec['open']}, {runner.proc.pid}, {waited}, {keep!r}, "
                              f"{setup_names!r}, {call_timeout})")
        elif spec.get("close"):
            spec["source"] = "__import__('course.grader.test_side', fromlist=['close_group']).close_group()"


def _groups_of(tests) -> dict:
    """Index in the test job -> its group."""
    out, group = {}, None
    for j, spec in enumerate(tests):
        if "open" in spec:
            group = spec["open"]
        elif spec.get("close"):
            group = None
        elif group is not None:
            out[j] = group
    return out


def execute(nb, runner: Runner, tester: Runner, *, cell_timeout: int, timeout: float | None = None,
            files: dict | None = None, diagnose: dict | None = None) -> tuple[list[str], str]:
    """Run nb's code cells in the two kernels, in place. Returns (flags, status: "ok", "timeout" or "crashed").

    ``diagnose`` ({"assignment", "source": the source notebook's path}): after the tests, the test kernel
    names the likely mistake of each failing exercise (course.grader.diagnose); execute stores what it
    found in ``diagnose["found"]`` ({exercise: diagnosis id})."""
    clear_outputs(nb)
    student, tests, origin, keep, setup_names = plan(nb, cell_timeout)
    _fill(student, tests, runner, keep, setup_names, cell_timeout, timeout)
    if diagnose is not None:
        _add_diagnosis(nb, tests, diagnose, timeout)
    results: dict = {}

    def run(name, who, jobs):
        results[name] = who.run([{k: v for k, v in j.items() if k in ("source", "store_history", "timeout")}
                                 for j in jobs], cell_timeout, timeout, files)

    threads = [threading.Thread(target=run, args=("tests", tester, tests), daemon=True)]
    threads[0].start()
    run("student", runner, student)
    for t in threads:
        t.join()
    s_run, t_run = results["student"], results["tests"]
    if diagnose is not None:
        diagnose["found"] = _diagnoses_found(tests, t_run.result.get("cells", []) if t_run.status == "ok" else [],
                                             diagnose.setdefault("details", {}))
    if s_run.status == "timeout" or t_run.status == "timeout":
        return [f"grading stopped after the {s_run.message or t_run.message} limit for one submission "
                f"(an endless loop?)"], "timeout"
    if t_run.status != "ok":
        return [f"the grader's test kernel failed ({t_run.message})"], "crashed"
    if s_run.status != "ok":
        return [f"the grader's executor failed on this submission ({s_run.message})"], "crashed"
    flags: list[str] = []
    if not s_run.sandboxed and runner.setup.sandbox != "off":
        flags.append(NO_SANDBOX_FLAG)
    if s_run.message:
        flags.append(f"the grader stopped the submission's processes: {s_run.message}")
    sres, tres = s_run.result, t_run.result
    if sres.get("start_error"):
        flags.append(f"the notebook could not be run ({sres['start_error']})")
    if tres.get("start_error") or tres.get("kernel_died") or tres.get("stuck") is not None:
        flags.append("the grader's test kernel failed; the tests after that point did not run")
    ran = {"student": sres["cells"], "test": tres["cells"]}
    code = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    count = 0
    for (index, cell), (side, j) in zip(code, origin):
        got = ran[side][j] if j < len(ran[side]) else {}
        cell.outputs = [nbformat.from_dict(o) for o in got.get("outputs", [])]
        if side == "test" and got.get("ran") and got.get("status") != "ok" and not any(
                o.get("output_type") == "error" for o in cell.outputs):
            cell.outputs.append(nbformat.v4.new_output("error", ename="Error", evalue="the test did not pass",
                                                       traceback=[]))
        if got.get("ran"):
            count += 1
            cell.execution_count = count
            for out in cell.outputs:
                if out.get("output_type") == "execute_result":
                    out["execution_count"] = count
        if got.get("timed_out"):
            flags.append(f"{label(cell, index)} ran past the {cell_timeout}s time limit and was interrupted")
        flags += error_flags(cell, index, runner.setup.memory_limit)
    flags += _student_flags(sres, student, code, origin, cell_timeout)
    group_of = _groups_of(tests)
    _show_prints(student, sres["cells"], code, origin, group_of)
    unreached = set()
    for spec, got in zip(tests, tres["cells"]):
        if "open" in spec:
            text = "".join(o.get("text", "") for o in got.get("outputs", []) if o.get("output_type") == "stream")
            if UNREACHED in text:
                unreached.add(spec["open"])
                reason = text.split(UNREACHED, 1)[1].strip()
                if reason and "had stopped" not in reason:
                    flags.append(one_line(reason))
    for (index, cell), (side, j) in zip(code, origin):  # tests whose exercise the student kernel never reached
        if side == "test" and group_of.get(j) in unreached:
            cell.outputs, cell.execution_count = [], None
    return dedupe(flags), "ok"


def _add_diagnosis(nb, tests: list, request: dict, timeout: float | None) -> None:
    """The test job's last cell: match each failing exercise's recorded calls against known mistakes (never
    past the submission's own time limit: ``until`` is the wall-clock time the step must end by)."""
    import time

    from .diagnose import MAX_BUDGET, digest
    from ..notebooks import ROOT, grade_id

    order = [[grade_id(c), digest(c.source)] for c in nb.cells if c.cell_type == "code" and is_test_cell(c)]
    until = round(time.time() + timeout - DIAGNOSIS_MARGIN, 1) if timeout else None
    tests.append({"source": f"__import__('course.grader.diagnose', fromlist=['run']).run("
                            f"{request['assignment']!r}, {str(request['source'])!r}, {order!r}, "
                            f"{str(ROOT / 'tests')!r}, until={until!r})",
                  "store_history": False, "diagnose": True, "timeout": int(MAX_BUDGET + 60)})


def _diagnoses_found(tests: list, ran: list, details: dict) -> dict:
    from .diagnose import parse

    for spec, got in zip(tests, ran):
        if spec.get("diagnose"):
            return parse("".join(str(o.get("text", "")) for o in got.get("outputs", [])
                                 if o.get("output_type") == "stream" and o.get("name") == "stdout"), details)
    return {}


PRINTED = "printed by your code while these tests called it:\n"


def _show_prints(student, served, code, origin, group_of) -> None:
    """What learner code printed while serving a group of tests, shown above the group's first test cell's
    outputs (as plain text: nothing the student kernel sends becomes an error, an image or HTML there)."""
    first = {}  # group -> its first test cell
    for (_, cell), (side, j) in zip(code, origin):
        if side == "test" and group_of.get(j) is not None:
            first.setdefault(group_of[j], cell)
    for spec, got in zip(student, served):
        if "serve" not in spec or spec["serve"] not in first:
            continue
        text = "".join(str(o.get("text", "")) for o in got.get("outputs", []) if o.get("output_type") == "stream")
        if text.strip():
            cell = first[spec["serve"]]
            cell.outputs.insert(0, nbformat.v4.new_output("stream", name="stdout", text=PRINTED + text))


def _student_flags(sres, student, code, origin, cell_timeout) -> list[str]:
    def where(j: int) -> str:
        for (index, cell), (side, k) in zip(code, origin):
            if side == "student" and k == j:
                return label(cell, index)
        group = student[j].get("serve") if j < len(student) else None
        firsts = [(i, c) for (i, c) in code if is_test_cell(c)]
        seen = -1
        for n, (i, c) in enumerate(code):  # the first test cell of that group
            if is_test_cell(c) and (n == 0 or not is_test_cell(code[n - 1][1])):
                seen += 1
                if seen == group:
                    return f"the tests of {label(c, i)}"
        return f"the tests of {label(firsts[0][1], firsts[0][0])}" if firsts else "the tests"

    flags = []
    for j, (spec, got) in enumerate(zip(student, sres["cells"])):
        if "serve" in spec and got.get("timed_out"):
            flags.append(f"your code ran past the time limits while serving {where(j)}")
    died, stuck = sres.get("kernel_died"), sres.get("stuck")
    if died:
        flags.append(f"the kernel died in {where(min(died['cell'], len(student) - 1))} "
                     f"({how_it_died(died.get('returncode'))}); the cells after it did not run")
    if stuck is not None:
        flags.append(f"{where(min(stuck, len(student) - 1))} ran past the {cell_timeout}s time limit and could not "
                     f"be interrupted; the cells after it did not run")
    leftover = [c for c in sres.get("leftover", []) if not harmless_helper(c)]
    if leftover:
        flags.append(f"the submission left {len(leftover)} process{'es' if len(leftover) > 1 else ''} running "
                     f"({', '.join(sorted(set(leftover))[:3])}); grading stopped {'them' if len(leftover) > 1 else 'it'}")
    if sres.get("truncated"):
        flags.append(f"some outputs were too large and were cut (at most {MAX_OUTPUT_CHARS} characters of "
                     f"printed text per cell are kept)")
    return flags
