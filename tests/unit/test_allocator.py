"""core.allocator: the malloc-arena limit the server sets at start."""
import platform

import pytest

from core import allocator


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc only")
def test_limit_is_accepted_by_glibc_and_set_once(monkeypatch):
    monkeypatch.setattr(allocator, "_done", False)
    assert allocator.limit_malloc_arenas(2) is True
    monkeypatch.setattr(allocator.ctypes, "CDLL", lambda *a: (_ for _ in ()).throw(OSError("called again")))
    assert allocator.limit_malloc_arenas(2) is True  # already done: no second call into libc


def test_without_glibc_nothing_changes(monkeypatch):
    monkeypatch.setattr(allocator, "_done", False)
    monkeypatch.setattr(allocator.ctypes, "CDLL", lambda *a: (_ for _ in ()).throw(OSError("no libc")))
    assert allocator.limit_malloc_arenas(2) is False
