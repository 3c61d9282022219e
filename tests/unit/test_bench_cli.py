"""`make bench` / `python -m bench [section ...]` picks its sections from the command line."""
import pytest

from bench.__main__ import SECTIONS, sections


def test_no_argument_means_every_section():
    assert sections([]) == list(SECTIONS)


def test_named_sections_run_in_the_usual_order():
    assert sections(["memory", "engine"]) == ["engine", "memory"]


def test_an_unknown_section_is_refused():
    with pytest.raises(SystemExit):
        sections(["speed"])
