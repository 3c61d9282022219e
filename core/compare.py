"""Results of a comparison: the same network trained once per value of one setting."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from core.training import TrainResult


@dataclass
class CompareResult:
    """Several runs of one experiment that differ in a single setting, keyed by their label."""

    runs: dict[str, TrainResult]

    def tidy(self, attr: str) -> pd.DataFrame:
        parts = [getattr(r, attr).assign(run=label) for label, r in self.runs.items() if len(getattr(r, attr))]
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["run"])

    @property
    def steps(self) -> pd.DataFrame:
        return self.tidy("steps")

    @property
    def epochs(self) -> pd.DataFrame:
        return self.tidy("epochs")

    def summary(self, what: str = "run") -> pd.DataFrame:
        """One row per run: final validation accuracy and loss, last epoch's training loss, status."""
        rows = []
        for label, r in self.runs.items():
            last = r.epochs.iloc[-1] if len(r.epochs) else None
            rows.append({
                what: label,
                "val. accuracy": None if last is None else float(last["val_acc"]),
                "val. loss": None if last is None else float(last["val_loss"]),
                "train loss (last epoch)": None if last is None else float(last["train_loss"]),
                "status": r.status, "seconds": r.seconds, "device": r.device})
        return pd.DataFrame(rows)
