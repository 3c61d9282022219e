"""The transfer lesson's sentences, computed from the runs on screen: the domain shift, what K labelled
images per class bought each method, whether the head start of the pretrained network shrinks as K
grows, and the issue's reference beside ours. Every comparison says what this run showed, whichever
way it went."""
from __future__ import annotations

import math

import pandas as pd

import core.format as fmt
from core.lessons.transfer.config import METHODS, TRANSFER, TransferConfig
from core.lessons.transfer.experiment import SweepResult

# the reference: K = 5, mean of 5 seeds, measured on this course's machine; and zero-shot
REFERENCE_K, REFERENCE_SEEDS = 5, 5
REFERENCE = {"scratch": 0.832, "frozen": 0.908, "finetune": 0.893}
REFERENCE_ZERO_SHOT = 0.63


def signed_points(x: float) -> str:
    """A difference of accuracies (a share) in percentage points: '7.6 points', '1 point', '−3 points'."""
    text = fmt.number(x * 100, digits=2)
    return f"{text} point{'' if text in ('1', '−1') else 's'}"


def best_transfer(result: SweepResult, k: int) -> tuple[str, float]:
    """(method key, mean test accuracy) of the best method starting from the pretrained network at K."""
    at = result.at(k)
    means = at.loc[[m for m in TRANSFER if m in at.index], "mean"].dropna()
    if means.empty:
        return TRANSFER[0], math.nan
    return str(means.idxmax()), float(means.max())


def head_start(result: SweepResult, k: int) -> float:
    """Best transfer method's mean minus from scratch's mean at K (NaN if either is missing)."""
    _, best = best_transfer(result, k)
    return best - float(result.at(k).loc["scratch", "mean"])


def domain_shift(mnist_acc: float, zero_shot: float, n_test: int) -> str:
    return (f"Pretrained on MNIST, the network scores **{fmt.percent(mnist_acc)}** on MNIST's validation images but "
            f"only **{fmt.percent(zero_shot)}** on the {n_test} held-out scikit-learn digits, without a single one "
            "of them seen: the same ten classes, drawn differently. That drop is a **domain shift**.")


def ahead(a: float, b: float) -> str:
    """'7.6 points ahead of' / '2.1 points behind' / 'level with' for accuracies a against b, as
    core.format.percent prints them."""
    if fmt.percent(a) == fmt.percent(b):
        return "level with"
    return f"{fmt.points(a, b)} {'ahead of' if a > b else 'behind'}"


def takeaways(result: SweepResult, zero_shot: float, mnist_acc: float, n_test: int, counts: dict[str, int],
              n_pretrain: int) -> list[str]:
    """The page's "what to notice", from the sweep on screen. `counts` are the frozen network's
    parameter counts (recipe.counts), `n_pretrain` the MNIST images it was pretrained on."""
    config: TransferConfig = result.config
    k, n = config.k, config.seeds
    mean = result.at(k)["mean"]
    out = [domain_shift(mnist_acc, zero_shot, n_test)]
    best, best_acc = best_transfer(result, k)
    scratch = float(mean.get("scratch", math.nan))
    if math.isfinite(best_acc) and math.isfinite(scratch):
        out.append(
            f"With K = {k} labelled images per class ({10 * k} in all), the best start from the MNIST network, "
            f"**{METHODS[best]}**, reached **{fmt.percent(best_acc)}** (mean of {n} seeds): "
            f"{ahead(best_acc, scratch)} **from scratch** ({fmt.percent(scratch)}).")
    ks = sorted(result.runs["k"].unique().tolist())
    gaps = {kk: g for kk in ks if math.isfinite(g := head_start(result, kk))}
    if len(gaps) >= 2:
        lo, hi = min(gaps), max(gaps)
        said = (f"{signed_points(gaps[lo])} at K = {lo}, {signed_points(gaps[hi])} at K = {hi} (best start from the "
                "MNIST network minus from scratch)")
        if gaps[hi] < gaps[lo]:
            out.append(f"The pretrained network's head start shrinks as K grows: {said}. With more labelled "
                       "images a network learns its own features; with few, borrowed ones are worth most.")
        else:
            out.append(f"Here the pretrained network's head start did not shrink as K grew: {said}.")
    frozen, tuned = float(mean.get("frozen", math.nan)), float(mean.get("finetune", math.nan))
    if math.isfinite(frozen) and math.isfinite(tuned):
        out.append(
            f"Frozen + new head trains only the new last layer: {counts['trainable']:,} of {counts['total']:,} "
            f"parameters; fine-tune all trains every one. At K = {k}, frozen + new head was "
            f"{ahead(frozen, tuned)} fine-tune all ({fmt.percent(frozen)} against {fmt.percent(tuned)}).")
    small = float(mean.get("finetune_small", math.nan))
    if math.isfinite(small) and math.isfinite(tuned):
        out.append(
            f"Fine-tuning with the features at {config.feature_lr:g} × the learning rate was {ahead(small, tuned)} "
            f"one learning rate for all at K = {k} ({fmt.percent(small)} against {fmt.percent(tuned)}).")
    lowest = min(ks)
    frozen_low = float(result.at(lowest)["mean"].get("frozen", math.nan))
    if math.isfinite(frozen_low) and frozen_low < zero_shot:
        out.append(
            f"At K = {lowest} the new head ({fmt.percent(frozen_low)}) does worse than the old MNIST head kept as it "
            f"is ({fmt.percent(zero_shot)}): {10 * lowest} labelled images teach a new layer less than "
            f"{n_pretrain:,} MNIST images taught the old one.")
    return out


def reference_table(result: SweepResult, zero_shot: float) -> pd.DataFrame | None:
    """The issue's reference numbers beside ours at K = 5 (None when K = 5 is not in the sweep)."""
    if REFERENCE_K not in set(result.runs["k"]):
        return None
    at = result.at(REFERENCE_K)
    rows = [{"measurement": "Zero-shot (MNIST network as it is)", "reference": fmt.percent(REFERENCE_ZERO_SHOT, 0),
             "here": fmt.percent(zero_shot)}]
    for method, ref in REFERENCE.items():
        row = at.loc[method]
        rows.append({"measurement": f"{METHODS[method]}, K = 5", "reference": f"{fmt.percent(ref)} (5 seeds)",
                     "here": f"{fmt.percent(row['mean'])} ({int(row['n'])} seeds, "
                             f"{fmt.percent(row['min'])} to {fmt.percent(row['max'])})"})
    return pd.DataFrame(rows)


def reference_caption(result: SweepResult) -> str:
    """What the reference table compares: the settings of this run, and how the reference was stated."""
    c = result.config
    return (f"Reference: the course's measurement at K = {REFERENCE_K}, the mean of {REFERENCE_SEEDS} seeds, zero-shot "
            f"about {REFERENCE_ZERO_SHOT:.0%}. Here: seeds {result.seed} to {result.seed + c.seeds - 1}, {c.epochs} epochs "
            f"over the 10·K images, batch {c.batch_size}, learning rate {fmt.number(c.lr)}, momentum {c.momentum:g}, the "
            "same held-out test set for every run.")
