"""Whatever a link carries, every config class reads it into a valid config and messages, never an
exception (unknown and repeated keys, empty values, huge or negative numbers, nan, inf, unicode,
very long strings)."""
import pytest
from hypothesis import given, settings, strategies as st

from tests.property.strategies import config_classes, query_params

CLASSES = config_classes()


def test_every_lesson_has_its_config_classes_here():
    names = {cls.__module__.split(".")[2] for cls in CLASSES if cls.__module__.startswith("core.lessons.")}
    from core.lessons import LESSON_PACKAGES

    assert names == set(LESSON_PACKAGES)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
@settings(max_examples=60)
@given(data=st.data())
def test_any_query_gives_a_valid_config_and_messages(cls, data):
    params = data.draw(query_params(cls))
    config, messages = cls.from_query(params)
    assert type(config) is cls
    assert all(isinstance(m, str) and m for m in messages)
    # what the page then writes into the address bar reads back as the same view
    assert cls.from_query(config.to_query()) == (config, [])
