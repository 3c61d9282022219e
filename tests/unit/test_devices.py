from core.devices import resolve_device


def test_auto_prefers_cuda_then_mps_then_cpu():
    assert resolve_device("auto", {"cpu": True, "cuda": True, "mps": True}).name == "cuda"
    assert resolve_device("auto", {"cpu": True, "cuda": False, "mps": True}).name == "mps"
    r = resolve_device("auto", {"cpu": True, "cuda": False, "mps": False})
    assert r.name == "cpu" and r.notice is None


def test_absent_device_falls_back_to_cpu_with_notice():
    r = resolve_device("cuda", {"cpu": True, "cuda": False, "mps": False})
    assert r.name == "cpu" and "CUDA is not available" in r.notice
    r = resolve_device("mps", {"cpu": True, "cuda": True, "mps": False})
    assert r.name == "cpu" and "MPS" in r.notice


def test_present_device_is_used_and_garbage_is_cpu():
    assert resolve_device("cuda", {"cpu": True, "cuda": True, "mps": False}).name == "cuda"
    r = resolve_device("tpu", {"cpu": True, "cuda": False, "mps": False})
    assert r.name == "cpu" and "Unknown device" in r.notice
