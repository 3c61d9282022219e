"""Chart builders run once per result, not once per session.

Building an Altair chart costs milliseconds per mark and channel (Altair validates each part as it
is made; `make bench`'s page section measures it), and a page builds a dozen charts on every script
run of every session. A result is shared by every session that asks for it (ui.runner), so the same
builder called with the same DataFrame objects and the same other arguments returns the chart it
built the first time. Charts are immutable in practice: Altair's methods return copies.

Arguments are matched by value: DataFrames, Series and arrays by a hash of their contents (pandas'
hash_pandas_object, row order included: a page's per-run slice of a shared result matches too; a few
ms for 100,000 rows), everything else by its own hash and equality; a call with any other argument (a
dict of frames, a model) is not memoized. Each builder keeps at most `maxsize` charts, least recently
used dropped.

Sessions asking for the same chart at the same moment build it once: a class opening a lesson together
waits for one training run (ui.runner), and all of them then reach the charts at once; the first builds
each chart and the others wait for it (core.cache.RunCache), instead of thirty building the same one.
"""
from __future__ import annotations

import functools
import hashlib
from typing import Any, Callable, TypeVar

import numpy as np
import pandas as pd

from core.cache import RunCache

F = TypeVar("F", bound=Callable[..., Any])
_BY_CONTENT = (pd.DataFrame, pd.Series, np.ndarray)


class _Unkeyable(Exception):
    pass


def _content(value: pd.DataFrame | pd.Series | np.ndarray) -> tuple:
    """A key for a frame's or an array's contents: type, shape, labels, dtypes and a digest of the values."""
    digest = hashlib.blake2b(digest_size=16)
    if isinstance(value, np.ndarray):
        digest.update(np.ascontiguousarray(value).tobytes())
        return ("array", value.shape, str(value.dtype), digest.hexdigest())
    try:
        digest.update(pd.util.hash_pandas_object(value, index=True).to_numpy().tobytes())
    except TypeError:  # cells pandas cannot hash (lists, dicts): not memoized
        raise _Unkeyable from None
    columns = tuple(map(str, value.columns)) if isinstance(value, pd.DataFrame) else (str(value.name),)
    dtypes = tuple(map(str, value.dtypes)) if isinstance(value, pd.DataFrame) else (str(value.dtype),)
    return (type(value).__name__, value.shape, columns, dtypes, digest.hexdigest())


def _key(value: Any, held: list) -> Any:
    if isinstance(value, _BY_CONTENT):
        return _content(value)
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(_key(v, held) for v in value))
    try:
        hash(value)
    except TypeError:
        raise _Unkeyable from None
    held.append(value)  # an object hashed by identity stays alive, so its id is not reused
    return value


def memo_chart(builder: F | None = None, *, maxsize: int = 8) -> F:
    """Decorator: memoize a pure chart builder (see the module docstring). The cache entry holds the
    argument objects, so an id is never reused while its entry lives."""
    def wrap(fn: F) -> F:
        cache = RunCache(max_entries=maxsize)

        @functools.wraps(fn)
        def wrapped(*args, **kwargs):
            held: list = []
            try:
                key = (_key(args, held), _key(tuple(sorted(kwargs.items())), held))
            except _Unkeyable:
                return fn(*args, **kwargs)
            # the entry keeps `held` alive with the chart: an id in the key is not reused while it lives
            return cache.get_or_run(key, lambda: (fn(*args, **kwargs), held))[0]

        wrapped.cache_clear = cache.clear  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return wrap(builder) if builder is not None else wrap  # type: ignore[return-value]
