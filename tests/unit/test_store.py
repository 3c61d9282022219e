"""core.store: results on disk, read back equal, never read across code versions, never a failure."""
import os

import pandas as pd
import pytest

from core.store import MISSING, ResultStore, code_version, default_folder


def test_a_result_reads_back_equal_under_its_key_only(tmp_path):
    store = ResultStore(tmp_path, version="v1")
    frame = pd.DataFrame({"step": [1, 2], "loss": [2.3, 1.1]})
    assert store.load(("lesson.train", 1, 0.1)) is MISSING
    assert store.save(("lesson.train", 1, 0.1), {"steps": frame})
    pd.testing.assert_frame_equal(store.load(("lesson.train", 1, 0.1))["steps"], frame)
    assert store.load(("lesson.train", 1, 0.2)) is MISSING
    assert ResultStore(tmp_path, version="v2").load(("lesson.train", 1, 0.1)) is MISSING  # other code


def test_what_cannot_be_stored_or_read_is_a_miss_and_leaves_nothing_behind(tmp_path):
    store = ResultStore(tmp_path, version="v1")
    assert not store.save("key", lambda: 1)  # not picklable
    assert list(store.folder.iterdir()) == []
    store.save("other", 1)
    store.path("other").write_bytes(b"not a pickle")
    assert store.load("other") is MISSING


def test_the_folder_is_pruned_least_recently_used_first(tmp_path):
    store = ResultStore(tmp_path, max_bytes=2500, version="v1")
    for i in range(3):
        store.save(i, b"x" * 1000)
        os.utime(store.path(i), (i, i))  # 0 is the oldest
    assert store.load(0) is MISSING and store.load(1) == store.load(2) == b"x" * 1000
    store.load(1)  # used now: 2 is the oldest
    os.utime(store.path(2), (5, 5))
    store.save(3, b"x" * 1000)
    assert store.load(2) is MISSING and store.load(1) is not MISSING and store.load(3) is not MISSING


def test_the_code_version_follows_the_code_and_the_folder_can_be_turned_off(monkeypatch, tmp_path):
    assert code_version() == code_version() and len(code_version()) == 16
    monkeypatch.setenv("DLVL_RESULTS", "off")
    assert default_folder() is None
    monkeypatch.setenv("DLVL_RESULTS", str(tmp_path))
    assert default_folder() == tmp_path
