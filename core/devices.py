"""Device selection: `auto` picks cuda, then mps, then cpu; an absent device falls back to cpu."""
from __future__ import annotations

from dataclasses import dataclass

import torch

DEVICE_CHOICES = ("auto", "cpu", "cuda", "mps")


def available_devices() -> dict[str, bool]:
    """Which concrete devices this process can use, e.g. {'cpu': True, 'cuda': False, 'mps': False}."""
    mps = getattr(torch.backends, "mps", None)
    return {
        "cpu": True,
        "cuda": torch.cuda.is_available(),
        "mps": bool(mps is not None and mps.is_available()),
    }


@dataclass(frozen=True)
class ResolvedDevice:
    requested: str
    name: str  # the device actually used: "cpu", "cuda" or "mps"
    notice: str | None = None  # set when the request could not be honoured

    @property
    def torch_device(self) -> torch.device:
        return torch.device(self.name)


def resolve_device(requested: str = "auto", present: dict[str, bool] | None = None) -> ResolvedDevice:
    """Map a user's choice to a device that exists here, explaining any fallback."""
    present = available_devices() if present is None else present
    req = (requested or "auto").strip().lower()
    if req == "auto":
        for name in ("cuda", "mps"):
            if present.get(name):
                return ResolvedDevice(req, name)
        return ResolvedDevice(req, "cpu")
    if req not in DEVICE_CHOICES:
        return ResolvedDevice(req, "cpu", f"Unknown device '{requested}'; using the CPU.")
    if present.get(req):
        return ResolvedDevice(req, req)
    return ResolvedDevice(req, "cpu", f"{req.upper()} is not available on this machine; using the CPU instead.")
