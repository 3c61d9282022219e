"""ui.widgets: free text from the page's inputs parses to tuples or readable errors."""
import pytest

from ui.widgets import parse_momenta, parse_sizes


def test_lists_parse_with_commas_semicolons_and_spaces():
    assert parse_momenta("0, 0.5;0.9 ") == (0.0, 0.5, 0.9)
    assert parse_sizes(" 50;50 , 10") == (50, 50, 10)


@pytest.mark.parametrize("parse, text, message", [
    (parse_momenta, " , ", "Give at least one momentum value β, e.g. 0, 0.5, 0.9."),
    (parse_momenta, "0, fast", "Each momentum value β must be a number; separate them with commas"),
    (parse_sizes, "", "Give at least one hidden layer size"),
    (parse_sizes, "50, 2.5", "must be a whole number"),
])
def test_bad_text_says_what_was_expected(parse, text, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")) as info:
        parse(text)
    assert "Traceback" not in str(info.value)
