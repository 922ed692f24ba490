"""tests/mutations/_patch.py: a variant is the reference solution cell with a checked edit."""
import pytest

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
