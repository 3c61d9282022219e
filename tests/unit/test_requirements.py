"""Streamlit Community Cloud installs from the Pipfile, `make run` from requirements.txt: the same
runtime packages with the same ranges and extras, or the next dependency added to one file deploys an
app that fails on import (or, for streamlit[performance], serves every student at a higher CPU cost). torch and torchvision come from PyTorch's CPU-only index on Community Cloud."""
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
CPU_INDEX = "https://download.pytorch.org/whl/cpu"


def requirements() -> dict[str, tuple[str, list[str]]]:
    """requirements.txt as {name: (version range, sorted extras)}."""
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    reqs = [Requirement(line.split("#")[0]) for line in lines if line.split("#")[0].strip()]
    return {canonicalize_name(r.name): (str(r.specifier), sorted(r.extras)) for r in reqs}


def pipfile() -> dict:
    return tomllib.loads((ROOT / "Pipfile").read_text())


def test_pipfile_has_the_same_packages_and_ranges_as_requirements():
    packages = pipfile()["packages"]
    from_pipfile = {}
    for name, spec in packages.items():
        version = spec if isinstance(spec, str) else spec["version"]
        extras = [] if isinstance(spec, str) else sorted(spec.get("extras", []))
        specifier = str(Requirement(f"{name}{'' if version == '*' else version}").specifier)
        from_pipfile[canonicalize_name(name)] = (specifier, extras)
    assert from_pipfile == requirements()


def test_torch_and_torchvision_come_from_the_cpu_only_index():
    pip = pipfile()
    sources = {s["name"]: s["url"].rstrip("/") for s in pip["source"]}
    for name in ("torch", "torchvision"):
        spec = pip["packages"][name]
        assert isinstance(spec, dict) and sources[spec["index"]] == CPU_INDEX, name
    others = [n for n, spec in pip["packages"].items() if isinstance(spec, dict) and "index" in spec
              and n not in ("torch", "torchvision")]
    assert others == []  # everything else from PyPI
