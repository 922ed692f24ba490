"""The diagnosis catalogue (course/diagnoses/): every WRONG mutation entry names a mistake, in English and Chinese.

Fails, listing exactly which (assignment, grade_id, variant) lack a diagnosis, when an entry added to
tests/mutations/ has none; also on an unknown diagnosis id, an entry that no longer exists, an empty text,
a text without Chinese, or a text that quotes a line of the hidden tests.
"""
import importlib
import pkgutil
import re
from types import SimpleNamespace

import pytest

import mutations
from course import diagnoses
from course.notebooks import read_notebook, source_notebook

MODULES = sorted(m.name for m in pkgutil.iter_modules(mutations.__path__) if m.name.startswith("nb"))
CJK = re.compile(r"[\u4e00-\u9fff]")
HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.S)


def _mutations(name):
    return importlib.import_module(f"mutations.{name}")


def _hidden_lines(assignment):
    """The hidden tests' lines long enough to be recognisable if quoted (short ones like `)` are not)."""
    nb = read_notebook(source_notebook(assignment))
    lines = set()
    for cell in nb.cells:
        for block in HIDDEN.findall(cell.source):
            for line in block.splitlines():
                line = line.strip()
                if len(line) >= 12 and not line.startswith("#"):
                    lines.add(line)
    return lines


def undiagnosed(modules) -> list[tuple[str, str, str]]:
    """(assignment, grade_id, variant) of every WRONG entry of these mutation modules without a diagnosis."""
    missing = []
    for module in modules:
        catalogue = diagnoses.load(module.ASSIGNMENT)
        known = catalogue.variants if catalogue else {}
        missing += [(module.ASSIGNMENT, cell, variant) for cell, variant, _ in module.WRONG
                    if (cell, variant) not in known]
    return missing


def test_every_wrong_entry_has_a_diagnosis():
    missing = undiagnosed(_mutations(name) for name in MODULES)
    message = "\n".join(f"  {a}  {c}  {v}" for a, c, v in missing)
    assert not missing, (f"{len(missing)} WRONG entries of tests/mutations/ have no diagnosis in course/diagnoses/ "
                         f"(add each to VARIANTS, with a new or shared id in DIAGNOSES):\n{message}")


def test_a_new_entry_without_diagnosis_is_named_exactly():
    """What the lead sees when someone adds a WRONG entry after the catalogue was written."""
    module = _mutations("nb01_attention")
    extended = SimpleNamespace(ASSIGNMENT=module.ASSIGNMENT,
                               WRONG=list(module.WRONG) + [("softmax", "brand_new_mistake", "def softmax(x): ...")])
    assert undiagnosed([extended]) == [("01_attention", "softmax", "brand_new_mistake")]
    assert undiagnosed([SimpleNamespace(ASSIGNMENT="99_nothing", WRONG=[("f", "v", "")])]) == [("99_nothing", "f", "v")]


@pytest.mark.parametrize("name", MODULES)
def test_catalogue_is_consistent(name):
    module = _mutations(name)
    catalogue = diagnoses.load(module.ASSIGNMENT)
    if catalogue is None:
        pytest.skip(f"no catalogue yet for {module.ASSIGNMENT} (listed by test_every_wrong_entry_has_a_diagnosis)")
    assert catalogue.assignment == module.ASSIGNMENT
    unknown = sorted({(k, d) for k, d in catalogue.variants.items() if d not in catalogue.diagnoses})
    assert not unknown, f"unknown diagnosis ids in VARIANTS: {unknown}"
    wrong = {(cell, variant) for cell, variant, _ in module.WRONG}
    stale = sorted(set(catalogue.variants) - wrong)
    assert not stale, f"VARIANTS names entries that are not WRONG entries of {name}: {stale}"
    unused = sorted(set(catalogue.diagnoses) - set(catalogue.variants.values()))
    assert not unused, f"diagnoses no variant uses: {unused}"
    hidden = _hidden_lines(module.ASSIGNMENT)
    for d in catalogue.diagnoses.values():
        assert d.english.strip() and d.chinese.strip(), f"{d.id}: empty text"
        assert CJK.search(d.chinese), f"{d.id}: the Chinese text has no Chinese"
        assert not CJK.search(d.english), f"{d.id}: the English text holds Chinese (swapped?)"
        for text in (d.english, d.chinese):
            quoted = [line for line in hidden if line in text]
            assert not quoted, f"{d.id} quotes the hidden tests: {quoted}"
            assert "\n" not in text.strip() and len(text) < 400, f"{d.id}: a diagnosis is a sentence or two"


def test_catalogue_lookup():
    catalogue = diagnoses.load("01_attention")
    assert catalogue is not None and diagnoses.load("99_nothing") is None
    grade_id, variant = next(iter(catalogue.variants))
    d = catalogue.of_variant(grade_id, variant)
    assert d is not None and d in catalogue.for_exercise(grade_id)
    assert d.text("zh") == d.chinese and d.text("en") == d.english
