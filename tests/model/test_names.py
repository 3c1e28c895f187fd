"""names: the extras registry's markings."""

from __future__ import annotations

from posebridge import model


def test_the_registry_marks_sleap_suggestions_a_row_list():
    """combine used to name SLEAP's attr itself; the registry now says which attrs are
    JSON lists of rows unioned when datasets combine."""
    assert "sleap_suggestions" in model.ROW_LIST_ATTRS
    for name in model.ROW_LIST_ATTRS:
        assert model.EXTRAS[name].startswith(model.ROW_LIST)
        assert model.ROW_LIST.startswith("attr str")
