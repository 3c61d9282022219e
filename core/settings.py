"""The app-wide settings chosen in the sidebar: device, seed, dataset, presenter mode."""
from __future__ import annotations

from dataclasses import dataclass

from core.config import Config, check_range
from core.data import DATASETS
from core.devices import DEVICE_CHOICES


@dataclass(frozen=True)
class GlobalSettings(Config):
    device: str = "auto"
    seed: int = 0
    dataset: str = "mnist"
    presenter: bool = False

    def validate(self) -> None:
        if self.device not in DEVICE_CHOICES:
            raise ValueError(f"Device must be one of {', '.join(DEVICE_CHOICES)} (got '{self.device}').")
        check_range("Seed", self.seed, 0, 2**31 - 1)
        if self.dataset not in DATASETS:
            raise ValueError(f"Dataset must be one of {', '.join(DATASETS)} (got '{self.dataset}').")


GLOBAL_KEYS = tuple(GlobalSettings().to_query())
