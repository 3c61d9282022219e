"""How a training run ended, said in one place and in one consistent callout on every page.

The verdict itself comes from core.outcome.classify (finished, diverged at step N, did not train,
stopped early), computed from the run's own numbers; this module only draws it:
- a run that finished and learned says nothing more (its numbers are in the charts and the table);
- a run that diverged or did not train gets a warning that says why and what to try;
- a run that early stopping ended gets a note: where its best validation was;
- an experiment refused before it started (over the server's training budget) gets an error that
  says what to reduce.
Every page reaches these through `ui.training` (show_comparison, train_or_last) or calls them itself.
"""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from core.budget import TooMuchTraining
from core.compare import CompareResult
from core.outcome import DID_NOT_TRAIN, DIVERGED, FINISHED, STOPPED_EARLY, classify
from core.training import TrainResult

__all__ = ["DID_NOT_TRAIN", "DIVERGED", "FINISHED", "STOPPED_EARLY", "RunOutcome", "outcome_of", "message",
           "show_outcome", "show_outcomes", "show_refusal"]

# kind -> (Streamlit callout, icon); a kind not listed here draws nothing
CALLOUTS = {DIVERGED: (st.warning, ":material/warning:"), DID_NOT_TRAIN: (st.warning, ":material/trending_flat:"),
            STOPPED_EARLY: (st.info, ":material/front_hand:")}
REFUSED = (st.error, ":material/hourglass_disabled:")


@dataclass(frozen=True)
class RunOutcome:
    """How one run ended: `kind` is one of core.outcome's kinds; `step` the step it diverged at or
    stopped after; `explanation` core.outcome's sentence."""

    label: str  # how the callout names the run ("β = 0.9", "The network with batch norm")
    kind: str
    step: int | None = None
    explanation: str = ""

    @property
    def headline(self) -> str:
        if self.kind == DIVERGED:
            return f"diverged at step {self.step}"
        if self.kind == STOPPED_EARLY:
            return f"stopped early after step {self.step:,}"
        return self.kind


def outcome_of(label: str, run: TrainResult, classes: int = 10) -> RunOutcome:
    """The outcome of a run, classified by core.outcome (`classes`: how many, for chance level)."""
    verdict = classify(run, classes)
    return RunOutcome(label, verdict.kind, run.diverged_at or run.stopped_at, verdict.explanation)


def message(outcome: RunOutcome, consequence: str | None = None) -> str | None:
    """The callout's text (None for a run that finished). `consequence` replaces core.outcome's
    explanation: what the outcome means on this part of the page."""
    if outcome.kind == FINISHED:
        return None
    return f"{outcome.label} {outcome.headline}: {consequence or outcome.explanation}"


def show_outcome(outcome: RunOutcome, consequence: str | None = None) -> None:
    """One callout for a run that did not simply finish; nothing for one that did."""
    text = message(outcome, consequence)
    if text is not None and outcome.kind in CALLOUTS:
        callout, icon = CALLOUTS[outcome.kind]
        callout(text, icon=icon)


def show_outcomes(result: CompareResult, classes: int = 10) -> None:
    """A callout per run of the comparison that did not simply finish, in the runs' order."""
    for label, run in result.runs.items():
        show_outcome(outcome_of(label, run, classes))


def show_refusal(exc: TooMuchTraining) -> None:
    """An experiment over the server's training budget: the refusal says what to reduce."""
    callout, icon = REFUSED
    callout(str(exc), icon=icon)
