"""Frozen, validated, URL-serialisable config dataclasses: one per lesson, plus shared settings.

A config is the whole state of a view. It validates itself in __post_init__ (ValueError with a
sentence the page can show), is hashable (it is the experiment's cache key), and round-trips
through URL query parameters: `Cfg.from_query(cfg.to_query()) == (cfg, [])`.
"""
from __future__ import annotations

import dataclasses
import math
import typing
from typing import Any, Mapping, TypeVar

C = TypeVar("C", bound="Config")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _parse_scalar(kind: type, text: str) -> Any:
    text = text.strip()
    if kind is bool:
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise ValueError("expected true or false")
    if kind is int:
        value = float(text)  # accepts "3" and "3.0", rejects "abc"
        if not math.isfinite(value) or value != int(value):
            raise ValueError("expected a whole number")
        return int(value)
    if kind is float:
        value = float(text)
        if not math.isfinite(value):
            raise ValueError("expected a finite number")
        return value
    return text


def _format_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


@dataclasses.dataclass(frozen=True)
class Config:
    """Base class. Subclasses are frozen dataclasses of int/float/bool/str fields and tuples of them."""

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Raise ValueError with a readable message if the combination of fields is invalid."""

    @classmethod
    def _field_types(cls) -> dict[str, tuple[type, bool]]:
        """field name -> (scalar type, is_tuple)."""
        hints = typing.get_type_hints(cls)
        out = {}
        for f in dataclasses.fields(cls):
            hint = hints[f.name]
            if typing.get_origin(hint) is tuple:
                out[f.name] = (typing.get_args(hint)[0], True)
            else:
                out[f.name] = (hint, False)
        return out

    def to_query(self) -> dict[str, str]:
        out = {}
        for name, (_, is_tuple) in self._field_types().items():
            value = getattr(self, name)
            out[name] = ",".join(_format_scalar(v) for v in value) if is_tuple else _format_scalar(value)
        return out

    @classmethod
    def from_query(cls: type[C], params: Mapping[str, Any], ignore: typing.Iterable[str] = ()) -> tuple[C, list[str]]:
        """Build a config from query parameters, keeping the default for anything unusable.

        `params` maps a key to its text or to a list of texts (a key repeated in the URL). Returns the
        config and one message per ignored, rejected or repeated parameter, so a page can say
        "ignored lr=abc" instead of failing; it never raises. Keys in `ignore` (shared settings) pass silently.
        Fields that are only valid together (x_min=10&x_max=20 where the default x_max is 6) are
        accepted whatever their order.
        """
        messages: list[str] = []
        types = cls._field_types()
        skip = set(ignore)
        parsed: dict[str, tuple[Any, str]] = {}  # field -> (value, text as given)
        for key, raw in params.items():
            if key in skip:
                continue
            if key not in types:
                messages.append(f"Ignored unknown URL parameter '{key}'.")
                continue
            values = [str(v) for v in raw] if isinstance(raw, (list, tuple)) else [str(raw)]
            if not values:
                continue
            kind, is_tuple = types[key]
            # a repeated key (?momenta=0&momenta=0.9, as Streamlit's own list widgets write it) is a list
            # for a tuple field; for a single value the last one counts, and the page says so
            text = ",".join(values) if is_tuple else values[-1]
            if len(values) > 1 and not is_tuple:
                messages.append(f"URL parameter {key} was given {len(values)} times; using the last one "
                                f"({text[:40]!r}).")
            try:
                if is_tuple:
                    value: Any = tuple(_parse_scalar(kind, p) for p in text.split(",") if p.strip())
                else:
                    value = _parse_scalar(kind, text)
            except (ValueError, TypeError) as exc:
                messages.append(cls._rejected(key, text, exc))
                continue
            parsed[key] = (value, text)
        try:
            return cls(**{key: value for key, (value, _) in parsed.items()}), messages
        except (ValueError, TypeError):
            pass
        # Some value is invalid: keep every one that fits, in passes, so order does not matter.
        config = cls()
        pending = dict(parsed)
        errors: dict[str, Exception] = {}
        progress = True
        while pending and progress:
            progress = False
            for key, (value, _) in list(pending.items()):
                try:
                    config = dataclasses.replace(config, **{key: value})
                except (ValueError, TypeError) as exc:
                    errors[key] = exc
                else:
                    del pending[key]
                    progress = True
        messages += [cls._rejected(key, text, errors[key]) for key, (_, text) in pending.items()]
        return config, messages

    @classmethod
    def _rejected(cls, key: str, text: str, exc: Exception) -> str:
        default = getattr(cls(), key)
        shown = ",".join(map(str, default)) if isinstance(default, tuple) else default
        return f"Ignored URL parameter {key}={text[:40]!r} ({exc}); using {shown}."

    def replace(self: C, **changes: Any) -> C:
        return dataclasses.replace(self, **changes)


def check_range(name: str, value: float, low: float, high: float) -> None:
    """Raise ValueError unless low <= value <= high."""
    if not (low <= value <= high):
        raise ValueError(f"{name} must be between {low:g} and {high:g} (got {value:g}).")
