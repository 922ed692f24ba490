"""tests/mutations/_patch.py: a variant is the reference solution cell with a checked edit."""
import ast
import difflib
import importlib
import io
import pkgutil
import tokenize
from pathlib import Path

import pytest

import mutations
from mutations._patch import PatchError, patch, reference

ASSIGNMENT = "02_positional_encoding"


def test_reference_drops_only_the_solution_markers():
    text = reference(ASSIGNMENT, "ntk_scaled_base")
    assert "### BEGIN SOLUTION" not in text and "### END SOLUTION" not in text
    assert text.startswith("def ntk_scaled_base(base, d_head, scale):\n") and "return float(base)" in text


def test_patch_replaces_one_occurrence_and_applies_pairs_in_order():
    one = patch(ASSIGNMENT, "apply_rope", "base ** (", "10000.0 ** (")
    assert "10000.0 ** (" in one and "base ** (" not in one
    two = patch(ASSIGNMENT, "apply_rope", [("base ** (", "B ** ("), ("B ** (", "10000.0 ** (")])
    assert two == one


@pytest.mark.parametrize("old,count", [("no such text", 1), ("torch", 1), ("base ** (", 2)])
def test_patch_fails_loudly_naming_assignment_cell_and_text(old, count):
    with pytest.raises(PatchError) as err:
        patch(ASSIGNMENT, "apply_rope", old, "x", count=count)
    assert ASSIGNMENT in str(err.value) and "apply_rope" in str(err.value) and repr(old) in str(err.value)


def test_patch_rejects_unknown_cells_no_ops_and_malformed_pairs():
    with pytest.raises(PatchError, match="no solution cell"):
        patch(ASSIGNMENT, "no_such_cell", "a", "b")
    with pytest.raises(PatchError, match="unchanged"):
        patch(ASSIGNMENT, "apply_rope", "base ** (", "base ** (")
    with pytest.raises(TypeError):
        patch(ASSIGNMENT, "apply_rope", ("base ** (", "10000.0 ** ("))


# ------------------------------------------------------------------------- no hand copies of a reference
MODULES = sorted(m.name for m in pkgutil.iter_modules(mutations.__path__) if m.name.startswith("nb"))
_LAYOUT = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER}


def _code_lines(source):
    """The cell's code lines as token strings: docstrings, comments, blank lines and spacing left out."""
    doc = {line for node in ast.walk(ast.parse(source))
           if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
           for line in range(node.lineno, node.end_lineno + 1)}
    lines = {}
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type not in _LAYOUT and tok.start[0] not in doc:
            lines.setdefault(tok.start[0], []).append(tok.string)
    return [" ".join(toks) for _, toks in sorted(lines.items())]


def _whole_cells(name):
    """(cell, variant, code) of the (cell, variant, code) entries of mutations/<name>.py written out as literals."""
    tree = ast.parse(Path(mutations.__file__).with_name(f"{name}.py").read_text(encoding="utf-8"))
    named = {n.targets[0].id: n.value for n in tree.body
             if isinstance(n, ast.Assign) and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name)}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Tuple) and len(node.elts) == 3
                and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts[:2])):
            continue
        code = node.elts[2]
        if isinstance(code, ast.Name):
            code = named.get(code.id, code)
        if isinstance(code, ast.Constant) and isinstance(code.value, str):
            yield node.elts[0].value, node.elts[1].value, code.value


def test_code_lines_ignore_docstrings_comments_and_spacing():
    a = 'def f(x):\n    """Doc."""\n    y = x+1   # note\n\n    return y\n'
    b = "def f(x):\n    y = x + 1\n    return y\n"
    assert _code_lines(a) == _code_lines(b) == ["def f ( x ) :", "y = x + 1", "return y"]


@pytest.mark.parametrize("name", MODULES)
def test_whole_cells_are_not_hand_copies_of_the_reference(name):
    """A whole-cell entry that changes at most a quarter of the reference's code lines is a hand copy of the
    reference: it must be patch(ASSIGNMENT, grade_id, old, new), so that it follows the reference when the
    reference changes. Whole cells are for genuinely different implementations."""
    assignment = importlib.import_module(f"mutations.{name}").ASSIGNMENT
    copies = []
    for cell, variant, code in _whole_cells(name):
        ref, mine = _code_lines(reference(assignment, cell)), _code_lines(code)
        ops = difflib.SequenceMatcher(None, ref, mine, autojunk=False).get_opcodes()
        changed = sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in ops if tag != "equal")
        if len(ref) >= 3 and 4 * changed <= len(ref):
            copies.append(f"  {cell} / {variant}: {changed} of the reference's {len(ref)} code lines changed")
    assert not copies, (f"{name}: whole cells that are the reference with a small change; write each as "
                        "patch(ASSIGNMENT, grade_id, old, new) (tests/mutations/_patch.py):\n" + "\n".join(copies))
