"""What a run of a notebook's cells left behind, said in flags: how a kernel died, syntax errors, memory.

two_kernels.py runs the cells (the submission's in the sandboxed student kernel, the tests in the trusted
test kernel); the sentences it reports come from here.
"""
from __future__ import annotations

from ..notebooks import grade_id
from .report import one_line

DEFAULT_CELL_TIMEOUT = 60
MAX_OUTPUT_CHARS = 20_000


def clear_outputs(nb) -> None:
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None


def label(cell, index: int) -> str:
    return f"`{grade_id(cell)}`" if grade_id(cell) else f"cell {index + 1}"


def how_it_died(code) -> str:
    if code is None:
        return "it stopped answering"
    if code < 0:
        name = {11: "a segmentation fault", 9: "it was killed, most likely for running out of memory",
                6: "an abort", 7: "a bus error", 8: "a floating-point exception"}.get(-code)
        return name or f"signal {-code}"
    return f"it exited with code {code}: os._exit or sys.exit in the kernel's own process"


def harmless_helper(cmdline: str) -> bool:
    """Helpers Python itself leaves running until the kernel exits (multiprocessing's trackers)."""
    return "multiprocessing.resource_tracker" in cmdline or "multiprocessing.forkserver" in cmdline


def dedupe(items: list[str]) -> list[str]:
    out = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


def error_flags(cell, index: int, memory_limit: int) -> list[str]:
    flags = []
    for out in cell.get("outputs", []):
        if out.get("output_type") != "error":
            continue
        name, value = out.get("ename", ""), one_line(out.get("evalue", ""))
        if name in ("SyntaxError", "IndentationError", "TabError"):
            flags.append(f"{label(cell, index)} has a syntax error ({value})")
        elif name == "StdinNotImplementedError":
            flags.append(f"{label(cell, index)} waits for input(), which nobody can type during grading")
        elif name == "MemoryError":
            flags.append(f"{label(cell, index)} ran out of memory (the limit is {memory_limit / 2**30:g} GiB)")
    return flags
