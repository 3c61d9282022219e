"""What a URL can carry: Hypothesis strategies for query mappings aimed at one config class."""
from __future__ import annotations

import dataclasses
import importlib
import inspect

from hypothesis import strategies as st

from core.config import Config
from core.lessons import LESSON_PACKAGES
from core.settings import GlobalSettings
from core.training import TrainSettings


def config_classes() -> list[type[Config]]:
    """Every Config dataclass of every lesson package's config module, and the shared ones."""
    found: list[type[Config]] = [GlobalSettings, TrainSettings]
    for lesson in LESSON_PACKAGES:
        module = importlib.import_module(f"core.lessons.{lesson}.config")
        found += [cls for _, cls in inspect.getmembers(module, inspect.isclass)
                  if issubclass(cls, Config) and cls is not Config and cls.__module__ == module.__name__]
    return found


NUMBERS = st.one_of(
    st.integers(-10**12, 10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["0", "1", "-1", "2", "0.5", "1e-9", "1e9", "1e400", "-0", "3.0", "64", "4096", "4097",
                     "0.999", "1.0", "100", "0.0001", "0.00005"]),
)
WORDS = st.one_of(
    st.sampled_from(["", " ", "nan", "NaN", "inf", "-inf", "Infinity", "true", "false", "yes", "maybe", "None",
                     "null", "%00", "<script>", ";drop", "relu", "sigmoid", "tanh", "step", "custom", "sobel_x",
                     "two_minima", "lesson", "bn", "plain", "and", "xor", "adam", "sgd", "val_loss", "val_acc"]),
    st.text(max_size=20),
    st.integers(1, 3).map(lambda k: "9" * 10**k),
    st.integers(1, 3).map(lambda k: "x" * 10**k),
)


def value_texts(defaults: list[str]) -> st.SearchStrategy[str]:
    """One parameter's text: a number, a word, a comma list of them, or near the field's default."""
    single = st.one_of(NUMBERS, WORDS, st.sampled_from(defaults) if defaults else WORDS)
    return st.one_of(single, st.lists(single, min_size=0, max_size=5).map(",".join))


def query_params(cls: type[Config]) -> st.SearchStrategy[dict]:
    """A query mapping for `cls`: its own keys and unknown ones, each a text or a repeated key (a list)."""
    fields = [f.name for f in dataclasses.fields(cls)]
    defaults = list(cls().to_query().values())
    keys = st.one_of(st.sampled_from(fields), st.text(max_size=12), st.sampled_from(["seed", "device", "unknown"]))
    values = st.one_of(value_texts(defaults), st.lists(value_texts(defaults), min_size=0, max_size=3))
    return st.dictionaries(keys, values, max_size=8)
