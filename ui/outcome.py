"""How a training run ended, said in one place and in one consistent callout on every page.

- A run that finished says nothing more (its numbers are in the charts and the table).
- A run that diverged gets a warning: at which step, and what to try.
- An experiment refused before it started (over the server's training budget) gets an error
  that says what to reduce.

To add a kind of outcome ("did not train", say), give `outcome_of` a way to recognise it, its words
to `message` and its callout to `CALLOUTS`; to add a per-run summary, extend `show_outcomes`.
Every page reaches these through `ui.training` (show_comparison, train_or_last) or calls them itself.
"""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from core.budget import TooMuchTraining
from core.compare import CompareResult
from core.training import TrainResult

FINISHED, DIVERGED = "finished", "diverged"

# kind -> (Streamlit callout, icon); a kind not listed here draws nothing
CALLOUTS = {DIVERGED: (st.warning, ":material/warning:")}
REFUSED = (st.error, ":material/hourglass_disabled:")


@dataclass(frozen=True)
class RunOutcome:
    """How one run ended: `kind` is FINISHED or DIVERGED; `step` is the step it diverged at."""

    label: str  # how the callout names the run ("β = 0.9", "The network with batch norm")
    kind: str
    step: int | None = None


def outcome_of(label: str, run: TrainResult) -> RunOutcome:
    """The outcome of a finished or stopped training run."""
    if run.diverged_at:
        return RunOutcome(label, DIVERGED, run.diverged_at)
    return RunOutcome(label, FINISHED)


def message(outcome: RunOutcome, consequence: str | None = None) -> str | None:
    """The callout's text (None for a run that finished). `consequence` replaces the default second half:
    what the outcome means on this part of the page."""
    if outcome.kind == DIVERGED:
        return (f"{outcome.label} diverged at step {outcome.step}: "
                + (consequence or "the loss became NaN or infinite, so that run stopped there. "
                                  "Try a smaller learning rate."))
    return None


def show_outcome(outcome: RunOutcome, consequence: str | None = None) -> None:
    """One callout for a run that did not simply finish; nothing for one that did."""
    text = message(outcome, consequence)
    if text is not None and outcome.kind in CALLOUTS:
        callout, icon = CALLOUTS[outcome.kind]
        callout(text, icon=icon)


def show_outcomes(result: CompareResult) -> None:
    """A callout per run of the comparison that did not simply finish, in the runs' order."""
    for label, run in result.runs.items():
        show_outcome(outcome_of(label, run))


def show_refusal(exc: TooMuchTraining) -> None:
    """An experiment over the server's training budget: the refusal says what to reduce."""
    callout, icon = REFUSED
    callout(str(exc), icon=icon)
