"""Finished experiment results on disk, so they outlive a server process and are shared between
processes (the server and the warm-up process that trains the default views at start, ui.warm).

A result is stored under the SHA-256 of its key's repr and of the code that computes results (every
.py file under core/ and the torch version): change the code and the old results are never read.
Writes are atomic (a temporary file, then os.replace), so a reader never sees half a result. The
folder is pruned to `max_bytes`, the least recently used results first. Anything that goes wrong
on disk (no space, a read-only folder, a result that cannot be pickled) makes the store skip that
result, never fail the page: the result is then simply computed again.

Pickle files run code when loaded; the store only reads the folder it writes to (by default under
the user's cache directory).
"""
from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any, Hashable

import torch

log = logging.getLogger("dlvl.store")
CORE = Path(__file__).resolve().parent
MISSING = object()


def code_version() -> str:
    """A hash of every .py file under core/ and of the torch version (16 hex digits)."""
    digest = hashlib.sha256(torch.__version__.encode())
    for path in sorted(CORE.rglob("*.py")):
        digest.update(path.relative_to(CORE).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def default_folder() -> Path | None:
    """$DLVL_RESULTS if set ("off" turns the store off), else ~/.cache/dlvl/results."""
    where = os.environ.get("DLVL_RESULTS", "")
    if where.lower() in ("off", "0", "false", "no"):
        return None
    return Path(where) if where else Path.home() / ".cache" / "dlvl" / "results"


class ResultStore:
    """Results on disk under `folder`, keyed by any hashable key with a deterministic repr."""

    def __init__(self, folder: Path, max_bytes: int = 512 * 2**20, version: str | None = None):
        self.folder = Path(folder) / (version or code_version())
        self.max_bytes = max_bytes

    def path(self, key: Hashable) -> Path:
        return self.folder / (hashlib.sha256(repr(key).encode()).hexdigest()[:32] + ".pkl")

    def load(self, key: Hashable) -> Any:
        """The stored result for `key`, or MISSING (never raises)."""
        path = self.path(key)
        try:
            with open(path, "rb") as f:
                value = pickle.load(f)
            os.utime(path)  # recently used: pruned last
            return value
        except FileNotFoundError:
            return MISSING
        except Exception as exc:  # noqa: BLE001 - a damaged or incompatible file is a miss
            log.warning("ignoring stored result %s: %s", path.name, exc)
            return MISSING

    def save(self, key: Hashable, value: Any) -> bool:
        """Store `value` under `key`; False (and nothing on disk) when it cannot be written."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.folder, suffix=".tmp", delete=False) as f:
                pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(f.name, self.path(key))
        except Exception as exc:  # noqa: BLE001 - unpicklable result, full or read-only disk
            log.warning("not storing %r: %s", key[0] if isinstance(key, tuple) and key else key, exc)
            try:
                os.unlink(f.name)
            except (NameError, OSError):
                pass
            return False
        self.prune()
        return True

    def prune(self) -> None:
        """Delete the least recently used results until the folder holds at most max_bytes."""
        try:
            files = sorted(self.folder.glob("*.pkl"), key=lambda p: p.stat().st_mtime)
            total = sum(p.stat().st_size for p in files)
            for p in files:
                if total <= self.max_bytes:
                    break
                total -= p.stat().st_size
                p.unlink(missing_ok=True)
        except OSError as exc:
            log.warning("could not prune %s: %s", self.folder, exc)
