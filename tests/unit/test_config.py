from dataclasses import dataclass

import pytest

from core.config import Config, check_range
from core.settings import GlobalSettings
from core.training import TrainSettings


@dataclass(frozen=True)
class Demo(Config):
    hidden: tuple[int, ...] = (50, 50)
    names: tuple[str, ...] = ("sigmoid", "relu")
    lr: float = 0.1
    flag: bool = False
    label: str = "x"

    def validate(self):
        check_range("lr", self.lr, 0.0001, 10)
        if not self.hidden:
            raise ValueError("need a hidden layer")


def test_round_trip_through_query_params():
    cfg = Demo(hidden=(128, 64, 32), names=("tanh",), lr=0.003, flag=True, label="hello")
    back, messages = Demo.from_query(cfg.to_query())
    assert back == cfg and messages == []
    assert cfg.to_query()["hidden"] == "128,64,32"


@pytest.mark.parametrize("cls", [GlobalSettings, TrainSettings])
def test_real_configs_round_trip(cls):
    cfg = cls()
    assert cls.from_query(cfg.to_query()) == (cfg, [])


def test_bad_params_are_reported_and_defaulted():
    cfg, messages = Demo.from_query({"lr": "abc", "hidden": "", "flag": "maybe", "bogus": "1",
                                     "label": "ok"})
    assert cfg == Demo(label="ok")
    text = " ".join(messages)
    assert "lr='abc'" in text and "flag='maybe'" in text and "unknown URL parameter 'bogus'" in text
    assert "need a hidden layer" in text  # an empty list fails validation, default kept


def test_out_of_range_and_non_finite_values_are_rejected():
    cfg, messages = Demo.from_query({"lr": "1e9"})
    assert cfg.lr == 0.1 and "between" in messages[0]
    cfg, messages = Demo.from_query({"lr": "nan"})
    assert cfg.lr == 0.1 and "finite" in messages[0]


def test_ignored_keys_pass_silently_and_a_repeated_single_value_takes_the_last_and_says_so():
    cfg, messages = Demo.from_query({"seed": "3", "lr": ["0.5", "0.2"]}, ignore=["seed"])
    assert cfg.lr == 0.2 and messages == ["URL parameter lr was given 2 times; using the last one ('0.2')."]


def test_repeated_keys_are_a_list_for_tuple_fields():
    """?hidden=128&hidden=64,32 is how Streamlit's own list widgets write a list into the URL."""
    cfg, messages = Demo.from_query({"hidden": ["128", "64,32"], "names": ["tanh"]})
    assert cfg.hidden == (128, 64, 32) and cfg.names == ("tanh",) and messages == []


@dataclass(frozen=True)
class Window(Config):
    lo: float = 0.0
    hi: float = 5.0

    def validate(self):
        if self.hi - self.lo < 1:
            raise ValueError("hi must exceed lo by at least 1")


@pytest.mark.parametrize("params", [{"lo": "10", "hi": "20"}, {"hi": "20", "lo": "10"}])
def test_fields_valid_only_together_are_accepted_in_any_order(params):
    assert Window.from_query(params) == (Window(10.0, 20.0), [])


def test_a_field_invalid_with_the_others_is_reported_and_the_rest_kept():
    cfg, messages = Window.from_query({"lo": "30", "hi": "20"})  # lo = 30 cannot fit any hi = 20
    assert cfg == Window(0.0, 20.0) and len(messages) == 1 and "lo='30'" in messages[0]
    assert "hi must exceed lo" in messages[0]


def test_configs_are_hashable_cache_keys():
    assert hash(Demo()) == hash(Demo()) and {Demo(): 1}[Demo()] == 1
