import pytest

from openness_portal.spreadsheets import looks_like_formula, quote_formula


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://x","y")', "+7 (3467) 00-00", "-1", "@SUM(A1)", "\tx", "\rx"]
)
def test_formula_looking_text_is_quoted(text):
    assert looks_like_formula(text)
    assert quote_formula(text) == "'" + text


@pytest.mark.parametrize("value", ["Проведен семинар", "", 42, None, "a=b"])
def test_ordinary_values_are_left_alone(value):
    assert not looks_like_formula(value)
    assert quote_formula(value) == value
