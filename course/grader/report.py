"""What grading one notebook produces: a result per grade cell, a report, and the table `course check` prints."""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from ..notebooks import grade_cells

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def one_line(text: str | None, limit: int | None = None, empty: str = "") -> str:
    """The first line of a message, terminal colours removed (``empty`` when there is none), cut at ``limit``."""
    text = ANSI.sub("", text or "").strip()
    line = text.splitlines()[0] if text else empty
    return line[:limit] if limit else line


@dataclass
class CellResult:
    grade_id: str
    kind: str  # "test" | "written"
    points: float | None
    max_points: float
    status: str  # "passed" | "failed" | "not run" | "needs grading" | "unanswered"
    message: str = ""
    diagnosis: str = ""  # the likely mistake's id (course.diagnoses), on an exercise's first failing test cell


@dataclass
class Report:
    assignment: str
    notebook: str
    cells: list[CellResult] = field(default_factory=list)
    status: str = "graded"  # "graded" | "error" | "timeout" | "crashed" | "missing"
    flags: list[str] = field(default_factory=list)
    seconds: float = 0.0
    diagnoses: dict[str, str] = field(default_factory=dict)  # failing exercise -> likely mistake's id

    @property
    def score(self) -> float:
        return sum(c.points or 0.0 for c in self.cells)

    @property
    def max_score(self) -> float:
        return sum(c.max_points for c in self.cells)

    @property
    def auto_max_score(self) -> float:
        return sum(c.max_points for c in self.cells if c.kind == "test")

    def to_dict(self) -> dict:
        out = asdict(self)
        out.update(score=self.score, max_score=self.max_score)
        return out

    @classmethod
    def from_dict(cls, data: dict) -> "Report":
        data = {k: v for k, v in data.items() if k not in ("score", "max_score")}
        data["cells"] = [CellResult(**c) for c in data.get("cells", [])]
        data["diagnoses"] = {str(k): str(v) for k, v in (data.get("diagnoses") or {}).items()}
        return cls(**data)

    def diagnosis_texts(self, lang: str = "en") -> dict[str, str]:
        """{exercise: the likely mistake, in English ("en"), Chinese ("zh") or both ("both")}."""
        return {ex: diagnosis_text(self.assignment, d, lang) for ex, d in self.diagnoses.items()
                if diagnosis_text(self.assignment, d, lang)}


def diagnosis_text(assignment: str, diagnosis: str, lang: str = "en") -> str:
    """A diagnosis id's sentence from the catalogue, or a generic one's from its relation and parameters
    (course/diagnoses/generic.py); "" when unknown; ``lang="both"``: English, then Chinese."""
    from .. import diagnoses
    from ..diagnoses import generic

    if generic.is_generic(diagnosis):  # the generic tier: a relation, its text built from the id's parameters
        return generic.text(diagnosis, lang)
    catalogue = diagnoses.load(assignment)
    found = catalogue.diagnoses.get(diagnosis) if catalogue else None
    if found is None:
        return ""
    if lang == "both":
        return f"{found.english} / {found.chinese}"
    return found.text(lang)


def zero_cells(source, message: str = "") -> list[CellResult]:
    """0 points for every test of the source notebook (and no points yet for its written answers)."""
    return [CellResult(g.grade_id, g.kind, 0.0 if g.kind == "test" else None, g.points, "not run", message)
            for g in grade_cells(source)]


def format_report(report: Report, lang: str = "en") -> str:
    """The table `course check` prints; under an exercise's first failing test cell, its likely mistake when one
    was diagnosed (English; also Chinese when ``lang`` is "zh")."""
    width = max([len(c.grade_id) for c in report.cells] + [10])
    lines = [f"{report.notebook} ({report.assignment}): {report.score:g} / {report.auto_max_score:g} "
             f"autograded points"]
    written = [c for c in report.cells if c.kind == "written"]
    if written:
        lines[0] += f", plus {sum(c.max_points for c in written):g} points of written answers graded by a person"
    from .sanitize import printable

    for flag in report.flags:
        lines.append(f"  note: {printable(flag)}")
    if report.status == "error":
        return "\n".join(lines)
    lines.append("")
    lines.append(f"  {'cell'.ljust(width)}  points  result")
    for c in report.cells:
        points = "   -  " if c.points is None else f"{c.points:g}/{c.max_points:g}".rjust(6)
        result = printable(c.status + (f": {c.message}" if c.message else "")).replace("\n", " ")
        if len(result) > 110:
            result = result[:107] + "..."
        lines.append(f"  {c.grade_id.ljust(width)}  {points}  {result}")
        english = diagnosis_text(report.assignment, c.diagnosis) if c.diagnosis else ""
        if english:
            pad = " " * (width + 12)
            lines.append(f"{pad}likely mistake: {english}")
            if lang.startswith("zh"):
                lines.append(f"{pad}可能的错误：{diagnosis_text(report.assignment, c.diagnosis, 'zh')}")
    return "\n".join(lines)

