"""The diagnosis catalogue: for each assignment, the mistakes its known wrong implementations make.

One module per assignment, ``nbNN_<assignment>.py``, holding

- ``ASSIGNMENT``: the assignment's name;
- ``DIAGNOSES = {diagnosis_id: (english, chinese)}``: what the mistake is and where to look, in a sentence or
  two, for the learner; never the hidden tests' code or inputs, never the fix written out as code;
- ``VARIANTS = {(grade_id, variant_name): diagnosis_id}``: which diagnosis each WRONG entry of
  ``tests/mutations/nbNN_<assignment>.py`` carries (variants that make the same mistake share one id);
- optionally ``GENERIC_OFF = {grade_id: why}``: exercises whose results the specification leaves open in a
  way the generic tier (``generic.py``) cannot see (opaque ids, an order left free): no generic diagnosis
  there. ``tests/test_diagnose.py`` fails when a RIGHT variant would get one, naming the exercise.

Trusted data, imported by the grader at grading time (never by the learner's kernel); ``tests/test_diagnoses.py``
proves that every WRONG entry has a diagnosis. How an author adds one: docs/grading.md.
"""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Diagnosis:
    id: str
    english: str
    chinese: str

    def text(self, lang: str = "en") -> str:
        return self.chinese if lang.startswith("zh") else self.english


@dataclass(frozen=True)
class Catalogue:
    assignment: str
    diagnoses: dict  # id -> Diagnosis
    variants: dict  # (grade_id, variant) -> id
    generic_off: dict = field(default_factory=dict)  # grade_id -> why the generic tier says nothing there

    def of_variant(self, grade_id: str, variant: str) -> Diagnosis | None:
        key = self.variants.get((grade_id, variant))
        return self.diagnoses.get(key) if key else None

    def for_exercise(self, grade_id: str) -> list[Diagnosis]:
        """The diagnoses of one exercise (solution grade_id), in catalogue order."""
        ids = dict.fromkeys(d for (g, _), d in self.variants.items() if g == grade_id)
        return [self.diagnoses[d] for d in ids if d in self.diagnoses]


def modules() -> list[str]:
    """The catalogue's module names, one per assignment (nbNN_<assignment>)."""
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name.startswith("nb"))


def load(assignment: str) -> Catalogue | None:
    """The catalogue of one assignment (e.g. "01_attention"), or None when it has none."""
    name = f"nb{assignment}"
    if name not in modules():
        return None
    module = importlib.import_module(f"{__name__}.{name}")
    diagnoses = {key: Diagnosis(key, en, zh) for key, (en, zh) in module.DIAGNOSES.items()}
    return Catalogue(module.ASSIGNMENT, diagnoses, dict(module.VARIANTS), dict(getattr(module, "GENERIC_OFF", {})))
