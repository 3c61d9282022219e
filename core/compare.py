"""Results of a comparison: the same network trained once per value of one setting."""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from core.outcome import classify
from core.training import TrainResult


@dataclass
class CompareResult:
    """Several runs of one experiment that differ in a single setting, keyed by their label."""

    runs: dict[str, TrainResult]

    def tidy(self, attr: str) -> pd.DataFrame:
        parts = [getattr(r, attr).assign(run=label) for label, r in self.runs.items() if len(getattr(r, attr))]
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["run"])

    @cached_property
    def steps(self) -> pd.DataFrame:
        """Every run's per-step losses, one tidy frame (built once: charts key on it)."""
        return self.tidy("steps")

    @cached_property
    def epochs(self) -> pd.DataFrame:
        """Every run's per-epoch rows, one tidy frame (built once)."""
        return self.tidy("epochs")

    def summary(self, what: str = "run", classes: int = 10) -> pd.DataFrame:
        """One row per run: validation accuracy and loss of the final weights (the restored best ones where
        early stopping restored them), the last epoch's mean training loss, and the run's status in
        core.outcome's words. A value a run never reached (it diverged before its first validation) is NaN."""
        rows = []
        for label, r in self.runs.items():
            last = r.epochs.iloc[-1] if len(r.epochs) else None
            final = r.best if r.restored and r.best is not None else last
            rows.append({
                what: label,
                "val. accuracy": math.nan if final is None else float(final["val_acc"]),
                "val. loss": math.nan if final is None else float(final["val_loss"]),
                "train loss (last epoch)": math.nan if last is None else float(last["train_loss"]),
                "status": classify(r, classes).headline, "seconds": r.seconds, "device": r.device})
        return pd.DataFrame(rows)
