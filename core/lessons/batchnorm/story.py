"""The batch-norm lesson's sentences, computed from the run on screen: where each network's
activation inputs ended, the takeaways, and the "reproduced here" box of Ioffe & Szegedy's Figure 1.

Every sentence reads each run's outcome (core.outcome.classify) first: a run that diverged or did not
train is said to have done so, and no number it never reached is quoted ("nan%" never appears).
Numbers go through core.format.
"""
from __future__ import annotations

import math

import pandas as pd

import core.format as fmt
from core.lessons.batchnorm.experiment import LABELS, BNResult
from core.outcome import DID_NOT_TRAIN, DIVERGED, RunOutcome, chance_accuracy, classify
from core.reproduction import Reproduction

PLAIN, NORM = LABELS[False], LABELS[True]
NAMES = {PLAIN: "the plain network", NORM: "the BN network"}

# where each activation is flat (slope below FLAT of its largest: see probes.flat_share), in words
FLAT_PART = {"sigmoid": "in its flat tails (slope below 10% of its largest)",
             "tanh": "in its flat tails (slope below 10% of its largest)",
             "relu": "at or below 0, where its slope is 0"}

SMALL_BATCH = 4  # batches of at most this many images: BN's statistics are too noisy to trust
STABLE = 0.5  # Ioffe's claim holds here when BN's median drifts less than half as far as the plain network's
IOFFE_URL = "https://arxiv.org/abs/1502.03167"
SANTURKAR_URL = "https://arxiv.org/abs/1805.11604"


def tex(v: float, decimals: int = 4) -> str:
    """A number for st.latex: fixed decimals for everyday sizes ("-0.4256"), a power of ten otherwise
    ("1.2\\cdot 10^{6}", "10^{-5}"); a value that is not finite as "\\text{not finite}"."""
    if not math.isfinite(v):
        return r"\text{not finite}"
    if v == 0 or 1e-3 <= abs(v) < 1e5:
        return f"{v:.{decimals}f}"
    exponent = math.floor(math.log10(abs(v)))
    mantissa = f"{v / 10 ** exponent:.2f}".rstrip("0").rstrip(".")
    return rf"10^{{{exponent}}}" if mantissa == "1" else rf"{mantissa}\cdot 10^{{{exponent}}}"


def outcomes(result: BNResult) -> dict[str, RunOutcome]:
    """Each network's verdict (core.outcome), by label."""
    return {label: classify(run) for label, run in result.runs.items()}


def final_bands(result: BNResult, layer: int) -> pd.DataFrame:
    """Per run (the index), the last recorded snapshot with finite percentiles of `layer`'s activation
    input: step, p15/p50/p85, flat share. A run with no finite snapshot has NaN in every column."""
    bands = result.bands[(result.bands["layer"] == layer) & result.bands["p50"].notna()]
    end = bands.groupby("run").tail(1).set_index("run")
    return end.reindex([PLAIN, NORM])


def _reached(outcome: RunOutcome, run) -> str:
    """'reached **91.1%**' / 'did not train (**9.6%**, chance is 10%)' / 'diverged at step 5, before its first
    validation'."""
    if outcome.kind == DIVERGED:
        return outcome.headline + ("" if len(run.epochs) else ", before its first validation")
    acc = fmt.percent(run.final_val_acc)
    if outcome.kind == DID_NOT_TRAIN:
        return f"did not train (**{acc}** validation accuracy; chance is {fmt.percent(chance_accuracy(10), 0)})"
    return f"reached **{acc}** validation accuracy"


def bands_caption(result: BNResult, layer: int) -> str:
    """Where the middle 70% of each network's inputs to `layer`'s activation ended, or why it has none."""
    end, verdicts, parts = final_bands(result, layer), outcomes(result), []
    last = max(result.snapshot_steps) if result.snapshot_steps else 0
    for run in (PLAIN, NORM):
        row = end.loc[run]
        if not pd.notna(row["p50"]):
            parts.append(f"{run}: no finite input was recorded ({verdicts[run].headline})")
            continue
        when = "at the end" if int(row["step"]) == last or verdicts[run].kind != DIVERGED else \
            f"at step {int(row['step']):,}, the last recorded before it diverged"
        parts.append(f"{run}: middle 70% of inputs in [{fmt.number(row['p15'])}, {fmt.number(row['p85'])}] {when}")
    return " · ".join(parts)


def accuracy_line(result: BNResult) -> str:
    """Both networks' outcome, in one sentence."""
    verdicts = outcomes(result)
    trained = result.config
    plain, norm = _reached(verdicts[PLAIN], result.runs[PLAIN]), _reached(verdicts[NORM], result.runs[NORM])
    if plain.endswith(" validation accuracy") and norm.endswith(" validation accuracy"):
        plain = plain.removesuffix(" validation accuracy")  # said once: "reached 85.9%, ... 90.5% validation accuracy"
    return (f"Same weights, same batches, learning rate {fmt.number(trained.lr)}: the plain network {plain}, the "
            f"BN network {norm}.")


def learning_rate_line(result: BNResult) -> str | None:
    """When only the plain network failed: the learning rate makes that gap, and BN's tolerance of it
    is what later work credits (Santurkar et al. 2018)."""
    verdicts = outcomes(result)
    if verdicts[PLAIN].failed and not verdicts[NORM].failed:
        how = "diverged" if verdicts[PLAIN].kind == DIVERGED else "did not train"
        return (f"Much of this gap is the learning rate's: at {fmt.number(result.config.lr)} the plain network "
                f"{how}, while the BN network copes with steps that large. Ioffe & Szegedy credit BN with allowing "
                f"higher learning rates; Santurkar et al. (2018) trace that to a smoother loss landscape. Lower "
                "the learning rate (0.1, say) and train again to see how much of the gap is left.")
    if verdicts[PLAIN].failed and verdicts[NORM].failed:
        return (f"Neither network learned at learning rate {fmt.number(result.config.lr)}: BN tolerates larger "
                "steps, not any step. Lower the learning rate and train again.")
    return None


def flat_line(result: BNResult, layer: int, activation: str) -> str | None:
    """How much of each network's input to `layer`'s activation ended in its flat part (finite values)."""
    end, verdicts = final_bands(result, layer), outcomes(result)
    if any(v.kind == DIVERGED for v in verdicts.values()) or end["flat"].isna().any():
        return None  # a run that blew up says nothing about where a trained network's inputs sit
    return (f"At the last recorded step, {fmt.percent(end.loc[PLAIN, 'flat'], 0)} of the plain network's inputs "
            f"to the {activation} in hidden layer {layer} sit {FLAT_PART[result.config.activation]}, against "
            f"{fmt.percent(end.loc[NORM, 'flat'], 0)} with BN.")


def placement_line(result: BNResult, layer: int) -> str | None:
    """x̂ is standardised; γ and β decide where the activation's input ends up (finite values only)."""
    end = final_bands(result, layer).loc[NORM]
    if outcomes(result)[NORM].kind == DIVERGED or not pd.notna(end["p50"]):
        return None
    return (f"BN's x̂ has mean 0 and variance 1 over each batch by construction; γ and β then place the "
            f"activation's input where the loss wants it: in layer {layer} its median ends at "
            f"{fmt.number(end['p50'])} (middle 70% in [{fmt.number(end['p15'])}, {fmt.number(end['p85'])}]).")


def modes_line(result: BNResult, gap: float | None, batch: int) -> str:
    """Train vs eval mode on `batch` validation images (`gap`: their mean |train − eval|; None when the
    BN network's weights are not finite), and the small-batch failure mode when batches are tiny."""
    verdict = outcomes(result)[NORM]
    if gap is None or not math.isfinite(gap):
        return (f"The BN network {verdict.headline}, and some of its weights or running statistics are no longer "
                "finite numbers (they overflowed float32), so there is no trained network to compare in train and "
                "eval mode. Lower the learning rate and train again.")
    text = (f"Train and eval mode normalise with different statistics (here they differ by {fmt.number(gap)} on "
            f"average over {batch:,} validation images): evaluate with `model.eval()`, or a single test example "
            "would be normalised by itself.")
    size = result.config.batch_size
    if size <= SMALL_BATCH:
        text += (f" With batches of {size}, BN's statistics come from {size} examples: "
                 + ("two values normalised to mean 0 and variance 1 are always −1 and +1, so in training every "
                    "unit passes on only which of the two examples is larger. "
                    if size == 2 else "so noisy that training and evaluation see different networks. ")
                 + "That is batch norm's known failure mode: it needs batches large enough for their mean and "
                 "variance to mean something.")
    return text


def predict_prompt(lr: float) -> str:
    """The "predict before you press Train" question for the learning rate `lr` in the controls."""
    if lr < 0.5:
        return ("**Predict before you press Train:** at learning rate " + fmt.number(lr) + ", will the "
                "network without batch norm learn? Will its activations' inputs stay where they started, or "
                "drift as it learns? Then try a learning rate of 1 and predict again.")
    return ("**Predict before you press Train:** at learning rate " + fmt.number(lr) + ", will the "
            "network without batch norm learn at all? Where will its activations' inputs end up: in the middle, "
            "or in the flat part? Then try 0.1 and predict again.")


def takeaways(result: BNResult, layer: int, gap: float | None, activation: str, batch: int) -> list[str]:
    """The page's "what to notice": each network's outcome, what the learning rate has to do with it, the
    flat share and the BN network's input distribution in `layer` at the end, and train vs eval mode
    (`gap`: mean |train − eval| on `batch` validation images, None when BN's weights are not finite).
    `activation` is the activation's display name ("Sigmoid")."""
    lines = [accuracy_line(result), learning_rate_line(result), flat_line(result, layer, activation),
             placement_line(result, layer), modes_line(result, gap, batch)]
    return [line for line in lines if line]


# ---------------------------------------------------------------- reproduced here

def _accuracy(outcome: RunOutcome, acc: float) -> str:
    """A run's validation accuracy, or what became of it."""
    if outcome.kind == DIVERGED:
        return f"none ({outcome.headline})"
    return fmt.percent(acc) + (" (did not train)" if outcome.kind == DID_NOT_TRAIN else "")


def drift(result: BNResult, run: str, layer: int) -> dict | None:
    """How far the median of `layer`'s activation input moved over the run (finite snapshots): first and
    last median, the range max − min, and that range in units of the first snapshot's 15th–85th
    percentile spread (`relative`). None when fewer than two snapshots are finite."""
    b = result.bands[(result.bands["run"] == run) & (result.bands["layer"] == layer) & result.bands["p50"].notna()]
    if len(b) < 2:
        return None
    b = b.sort_values("step")
    first = b.iloc[0]
    spread = float(first["p85"] - first["p15"])
    moved = float(b["p50"].max() - b["p50"].min())
    return {"first": float(first["p50"]), "last": float(b["p50"].iloc[-1]), "range": moved,
            "relative": moved / spread if spread > 0 else math.inf, "steps": int(b["step"].iloc[-1])}


def ioffe_reproduction(result: BNResult) -> Reproduction:
    """Ioffe & Szegedy 2015, §4.1 and Figure 1, measured on the run on screen: validation accuracy with
    and without BN, and how far the median input of the last hidden layer's activations drifted.
    Reproduced when both networks learned, BN ends more accurate, and its median drifts less than STABLE
    times as far (relative to each network's starting spread); otherwise the note says which part failed."""
    cfg, verdicts = result.config, outcomes(result)
    layer = cfg.depth
    plain, norm = drift(result, PLAIN, layer), drift(result, NORM, layer)
    claim = ("On MNIST, a network of 3 hidden layers of 100 sigmoid units trains faster and to a higher accuracy "
             "with batch norm, and the input distribution of a sigmoid in its last hidden layer stays stable, "
             "while without batch norm it drifts in both mean and spread over training.")
    published = ("Figure 1: higher test accuracy with BN throughout 50,000 steps of 60 images; the 15th, 50th "
                 "and 85th percentiles of a last-layer sigmoid's input drift without BN and stay level with BN.")
    setting = (f"{cfg.depth} × {cfg.width} {cfg.activation}, learning rate {fmt.number(cfg.lr)}, batches of "
               f"{cfg.batch_size}, {cfg.epochs} epoch{'s' if cfg.epochs != 1 else ''}")
    source = "Ioffe & Szegedy 2015, §4.1, Figure 1"
    if plain is None or norm is None:
        which = " and ".join(NAMES[label] for label in (PLAIN, NORM) if verdicts[label].kind == DIVERGED) or \
            "a network"
        return Reproduction(source, claim, published,
                            f"{setting}: {which} diverged before two snapshots were recorded, so there is nothing "
                            "to compare.", False, "Not reproduced at these settings: lower the learning rate and "
                            "train again.", IOFFE_URL)
    acc = {label: result.runs[label].final_val_acc for label in (PLAIN, NORM)}
    measured = (f"{setting}: validation accuracy {_accuracy(verdicts[PLAIN], acc[PLAIN])} without BN, "
                f"{_accuracy(verdicts[NORM], acc[NORM])} with BN. The median input to hidden layer {layer}'s "
                f"{cfg.activation} went from {fmt.number(plain['first'])} to {fmt.number(plain['last'])} without BN "
                f"(a range of {fmt.number(plain['range'])}), and from {fmt.number(norm['first'])} to "
                f"{fmt.number(norm['last'])} with BN (a range of {fmt.number(norm['range'])}).")
    more_accurate = not verdicts[NORM].failed and (verdicts[PLAIN].failed or acc[NORM] > acc[PLAIN])
    steadier = norm["relative"] < STABLE * plain["relative"]
    reproduces = more_accurate and steadier and not verdicts[PLAIN].failed
    notes = []
    if verdicts[PLAIN].failed or verdicts[NORM].failed:
        flat = final_bands(result, layer).loc[PLAIN, "flat"]
        dead = (f" By the end {fmt.percent(flat, 0)} of the plain network's inputs sat in the {cfg.activation}'s "
                "flat part: steady, but dead." if verdicts[PLAIN].kind == DID_NOT_TRAIN and pd.notna(flat)
                and flat >= 0.9 else "")
        what = " and ".join(f"{NAMES[label]} {verdicts[label].headline}" for label in (PLAIN, NORM)
                            if verdicts[label].failed)
        notes.append(f"Not reproduced at these settings: {what}, while in the paper both networks learn, the "
                     f"plain one more slowly.{dead} A learning rate of 0.1 is closer to the paper's comparison.")
    elif not reproduces:
        notes.append("Not reproduced here: " + " ".join(
            ([] if more_accurate else ["the BN network did not end more accurate."])
            + ([] if steadier else ["the BN network's median did not drift less than half as far."])))
    notes.append("Percentiles are pooled over the layer's units (the paper follows one typical sigmoid); the "
                 "drift is compared in units of each network's starting 15th–85th percentile spread.")
    if cfg.activation != "sigmoid" or cfg.depth != 3 or cfg.width != 100:
        notes.append("The paper's network is 3 × 100 sigmoid; these settings differ.")
    return Reproduction(source, claim, published, measured, reproduces,
                        " ".join(notes), IOFFE_URL)
