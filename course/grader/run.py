"""Run a restored notebook in its executor (course.grader.sandbox) and say, in flags, what went wrong."""
from __future__ import annotations

import nbformat

from ..notebooks import grade_id, is_test_cell
from .guard import Guard, Verdict, strip_guard_outputs
from .report import one_line
from .sandbox import NO_SANDBOX_FLAG, Runner

DEFAULT_CELL_TIMEOUT = 60
MAX_OUTPUT_CHARS = 20_000


def clear_outputs(nb) -> None:
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None


def _label(cell, index: int) -> str:
    return f"`{grade_id(cell)}`" if grade_id(cell) else f"cell {index + 1}"


def _how_it_died(code) -> str:
    if code is None:
        return "it stopped answering"
    if code < 0:
        name = {11: "a segmentation fault", 9: "it was killed, most likely for running out of memory",
                6: "an abort", 7: "a bus error", 8: "a floating-point exception"}.get(-code)
        return name or f"signal {-code}"
    return f"it exited with code {code}: os._exit or sys.exit in the kernel's own process"


def execute(nb, runner: Runner, *, guard: Guard | None = None, cell_timeout: int = DEFAULT_CELL_TIMEOUT,
            timeout: float | None = None, files: dict | None = None) -> tuple[list[str], Verdict | None, str, set]:
    """Run every code cell of nb in the runner's kernel (sandboxed when possible), in place.

    Returns (flags, guard verdict, status, unverified) with status "ok", "timeout" or "crashed", and
    unverified the grade ids of test cells that passed but that no clean guard check followed
    (the kernel died first): their points cannot be trusted.
    """
    clear_outputs(nb)
    code = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    jobs, plan = [], []  # plan[j]: ("start" | "cell" | "check", index of the code cell or None, nonce or None)
    if guard:  # it imports the notebook's modules (torch: seconds on a busy machine), so it gets its own limit
        jobs.append({"source": guard.start_source(), "store_history": False, "timeout": max(cell_timeout, 300)})
        plan.append(("start", None, None))
    for k, (_, cell) in enumerate(code):
        test = is_test_cell(cell)
        if test and guard:
            source, nonce = guard.test_source(cell.source)
        else:
            source, nonce = cell.source, None
        jobs.append({"source": source, "store_history": not test})
        plan.append(("cell", k, nonce))
        next_is_test = k + 1 < len(code) and is_test_cell(code[k + 1][1])
        if guard and test and not next_is_test:  # after each group of test cells
            source, nonce = guard.check_source()
            jobs.append({"source": source, "store_history": False, "timeout": max(cell_timeout, 60)})
            plan.append(("check", None, nonce))
    if guard:
        source, nonce = guard.check_source()
        jobs.append({"source": source, "store_history": False, "timeout": max(cell_timeout, 60)})
        plan.append(("check", None, nonce))
    run = runner.run(jobs, cell_timeout, timeout, files)
    sandbox, memory_limit = runner.setup.sandbox, runner.setup.memory_limit
    if run.status == "timeout":
        return [f"grading stopped after the {run.message} limit for one submission (an endless loop?)"], None, \
            "timeout", set()
    if run.status != "ok":
        return [f"the grader's executor failed on this submission ({run.message})"], None, "crashed", set()
    result = run.result
    ran = result["cells"] + [{"ran": False, "outputs": []}] * (len(jobs) - len(result["cells"]))
    flags: list[str] = []
    if not run.sandboxed and sandbox != "off":
        flags.append(NO_SANDBOX_FLAG)
    if run.message:
        flags.append(f"the grader stopped the submission's processes: {run.message}")
    if result.get("start_error"):
        flags.append(f"the notebook could not be run ({result['start_error']})")
    count = 0
    for j, (kind, k, _) in enumerate(plan):
        if kind != "cell":
            continue
        index, cell = code[k]
        got = ran[j]
        cell.outputs = [nbformat.from_dict(o) for o in strip_guard_outputs(got.get("outputs", []))]
        if got.get("ran"):
            count += 1
            cell.execution_count = count
            for out in cell.outputs:
                if out.get("output_type") == "execute_result":
                    out["execution_count"] = count
        if got.get("timed_out"):
            flags.append(f"{_label(cell, index)} ran past the {cell_timeout}s time limit and was interrupted")
        flags += _error_flags(cell, index, memory_limit)

    def where(j: int) -> str:
        before = [k for kind, k, _ in plan[:j + 1] if kind == "cell"]
        if plan[j][0] == "cell":
            index, cell = code[plan[j][1]]
            return _label(cell, index)
        if plan[j][0] == "start":
            return "the grader's first cell"
        index, cell = code[before[-1]] if before else code[0]
        return f"the grader's check after {_label(cell, index)}"

    died, stuck = result.get("kernel_died"), result.get("stuck")
    if died:
        flags.append(f"the kernel died in {where(min(died['cell'], len(plan) - 1))} "
                     f"({_how_it_died(died.get('returncode'))}); the cells after it did not run")
    if stuck is not None:
        flags.append(f"{where(min(stuck, len(plan) - 1))} ran past the {cell_timeout}s time limit and could not "
                     f"be interrupted; the cells after it did not run")
    leftover = [c for c in result.get("leftover", []) if not _harmless_helper(c)]
    if leftover:
        shown = ", ".join(sorted(set(leftover))[:3])
        flags.append(f"the submission left {len(leftover)} process{'es' if len(leftover) > 1 else ''} running "
                     f"({shown}); grading stopped {'them' if len(leftover) > 1 else 'it'}")
    if result.get("truncated"):
        flags.append(f"some outputs were too large and were cut (at most {MAX_OUTPUT_CHARS} characters of "
                     f"printed text per cell are kept)")
    if not guard:
        return _dedupe(flags), None, "ok", set()
    all_outputs = [o for r in ran for o in r.get("outputs", [])]
    checks = [(nonce, bool(ran[j].get("ran")), ran[j].get("outputs", [])) for j, (kind, _, nonce) in enumerate(plan)
              if nonce]
    verdict = guard.verdict(ran[0].get("outputs", []), checks, all_outputs)
    unverified = set()
    for j, (kind, k, _) in enumerate(plan):
        if kind == "cell" and is_test_cell(code[k][1]) and ran[j].get("ran"):
            later = {nonce for _, _, nonce in plan[j + 1:] if nonce}
            if not later & verdict.clean:
                unverified.add(grade_id(code[k][1]))
    return _dedupe(flags), verdict, "ok", unverified


def _harmless_helper(cmdline: str) -> bool:
    """Helpers Python itself leaves running until the kernel exits (multiprocessing's trackers)."""
    return "multiprocessing.resource_tracker" in cmdline or "multiprocessing.forkserver" in cmdline


def _dedupe(items: list[str]) -> list[str]:
    out = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


def _error_flags(cell, index: int, memory_limit: int) -> list[str]:
    flags = []
    for out in cell.get("outputs", []):
        if out.get("output_type") != "error":
            continue
        name, value = out.get("ename", ""), one_line(out.get("evalue", ""))
        if name in ("SyntaxError", "IndentationError", "TabError"):
            flags.append(f"{_label(cell, index)} has a syntax error ({value})")
        elif name == "StdinNotImplementedError":
            flags.append(f"{_label(cell, index)} waits for input(), which nobody can type during grading")
        elif name == "MemoryError":
            flags.append(f"{_label(cell, index)} ran out of memory (the limit is {memory_limit / 2**30:g} GiB)")
    return flags
