"""core.allocator: the malloc settings the server makes at start."""
import platform

import pytest

from core import allocator


class FakeLibc:
    def __init__(self, accept: set[int]):
        self.accept, self.calls = accept, []

    def mallopt(self, param: int, value: int) -> int:
        self.calls.append((param, value))
        return int(param in self.accept)


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc only")
def test_glibc_accepts_both_settings_once(monkeypatch):
    monkeypatch.setattr(allocator, "_done", False)
    assert allocator.tune_malloc(2) is True
    monkeypatch.setattr(allocator.ctypes, "CDLL", lambda *a: (_ for _ in ()).throw(OSError("called again")))
    assert allocator.tune_malloc(2) is True  # already done: no second call into libc


def test_the_arena_limit_and_the_mmap_threshold_are_what_is_asked(monkeypatch):
    libc = FakeLibc({allocator.M_ARENA_MAX, allocator.M_MMAP_THRESHOLD})
    monkeypatch.setattr(allocator, "_done", False)
    monkeypatch.setattr(allocator.ctypes, "CDLL", lambda *a: libc)
    assert allocator.tune_malloc(3, 2**22) is True
    assert libc.calls == [(-8, 3), (-3, 2**22)]  # malloc.h: M_ARENA_MAX -8, M_MMAP_THRESHOLD -3


def test_a_refused_setting_is_reported(monkeypatch):
    monkeypatch.setattr(allocator, "_done", False)
    monkeypatch.setattr(allocator.ctypes, "CDLL", lambda *a: FakeLibc({allocator.M_ARENA_MAX}))
    assert allocator.tune_malloc() is False


def test_without_glibc_nothing_changes(monkeypatch):
    monkeypatch.setattr(allocator, "_done", False)
    monkeypatch.setattr(allocator.ctypes, "CDLL", lambda *a: (_ for _ in ()).throw(OSError("no libc")))
    assert allocator.tune_malloc(2) is False
