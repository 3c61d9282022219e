"""The cost-function lesson's sentences, each computed from the result on screen: the surfaces' level
counts, the one neuron's progress, what the MNIST runs reached and the gradient each cost sends back,
saturation, the two bugs, and the "reproduced here" comparisons with Nielsen's book."""
from __future__ import annotations

import math

import pandas as pd

from core.charts import coinciding
from core.format import number, percent, points, ratio
from core.lessons.losses import neuron as nrn
from core.lessons.losses.config import (NEURON_EPOCHS, NIELSEN_CE_ETA, NIELSEN_ETA, REFERENCE_LOSS, NeuronConfig)
from core.lessons.losses.experiment import SATURATED_SLOPE, LossesResult, label
from core.lessons.losses.softmax import IdentityCheck, softmax_then_ce_floor
from core.lessons.losses.surfaces import SurfaceSummary, is_flat
from core.outcome import CHANCE_MARGIN
from core.reproduction import Reproduction

NIELSEN_URL = "http://neuralnetworksanddeeplearning.com/chap3.html"


def levels_text(summary: SurfaceSummary, most: int = 5) -> str:
    """'3 values (0, 0.25, 0.5)' or '76,945 different values'."""
    if summary.n_levels <= most:
        return f"{summary.n_levels} value{'s' * (summary.n_levels != 1)} ({', '.join(f'{v:g}' for v in summary.levels)})"
    return f"{summary.n_levels:,} different values"


def surface_subtitle(summary: SurfaceSummary) -> list[str]:
    """Two short lines (a narrow chart would cut one long line off)."""
    return [f"{levels_text(summary)};", f"{percent(summary.changed, 2)} of neighbouring grid steps change it"]


def surface_lines(summaries: dict[str, SurfaceSummary], points: int) -> list[str]:
    """What the two grids show, measured on the full points × points grid."""
    step, sig = summaries["Step"], summaries["Sigmoid"]
    pairs = 2 * points * (points - 1)
    flat = ("flat almost everywhere" if is_flat(step) else
            "flat in most places, though this bias puts many risers on the grid")
    return [
        f"Over the {points}×{points} grid the step neuron's cost takes only **{levels_text(step)}**, and of the "
        f"{pairs:,} steps between neighbouring grid points only **{percent(step.changed, 2)}** change it: "
        f"{flat}. Wherever gradient descent stands, the slope is 0 and it has nowhere to go.",
        f"The sigmoid neuron's cost takes {levels_text(sig)} and changes across {percent(sig.changed, 2)} of "
        f"the same steps (from {number(sig.low)} to {number(sig.high)}): every point has a slope to follow.",
    ]


# ---------------------------------------------------------------- one neuron

def neuron_lines(frame: pd.DataFrame, config: NeuronConfig) -> list[str]:
    """Where each cost's output is halfway through and at the end, the fastest epoch, and the first
    step's gradients (the σ′ factor)."""
    quad, ce = nrn.COSTS["quadratic_binary"], nrn.COSTS["bce"]
    half, end = NEURON_EPOCHS // 2, NEURON_EPOCHS
    a0 = nrn.output_at(frame, quad, 0)
    start = frame[frame["epoch"] == 0].set_index("cost")
    z0 = float(start.loc[quad, "z"])
    slope = a0 * (1 - a0)
    g_quad, g_ce = abs(float(start.loc[quad, "grad_w"])), abs(float(start.loc[ce, "grad_w"]))
    lines = [
        f"Start: w = {config.w0:g}, b = {config.b0:g}, so z = {number(z0)} and the output is a = σ(z) = "
        f"**{number(a0)}**, where σ′(z) = {number(slope)}. The first step's gradient ∂C/∂w is {number(g_quad)} with the "
        f"quadratic cost and {number(g_ce)} with cross-entropy"
        + (f" ({ratio(g_ce / g_quad)} as large)." if g_quad > 0 else "."),
    ]
    for cost in (quad, ce):
        a_half, a_end = nrn.output_at(frame, cost, half), nrn.output_at(frame, cost, end)
        lines.append(f"{cost}: after {half} epochs the output is **{number(a_half)}**, after {end} "
                     f"**{number(a_end)}**; the cost fell fastest at epoch {nrn.steepest_epoch(frame, cost)}.")
    return lines


def nielsen_reproductions(quadratic: pd.DataFrame, cross_entropy: pd.DataFrame) -> list[Reproduction]:
    """Nielsen's two observations at his settings (w = b = 2; η = 0.15 for the quadratic cost, 0.005 for
    cross-entropy), measured on runs with exactly those settings (`quadratic`, `cross_entropy`: frames of
    neuron.run)."""
    quad, ce = nrn.COSTS["quadratic_binary"], nrn.COSTS["bce"]
    a0, a150 = nrn.output_at(quadratic, quad, 0), nrn.output_at(quadratic, quad, 150)
    moved = (a0 - a150) / a0  # share of the way to the target 0
    fastest_q = nrn.steepest_epoch(quadratic, quad)
    fastest_ce = nrn.steepest_epoch(cross_entropy, ce)
    ce_run = cross_entropy[cross_entropy["cost"] == ce].set_index("epoch")["C"]
    c0, c_end = float(ce_run.loc[0]), float(ce_run.loc[NEURON_EPOCHS])
    return [
        Reproduction(
            "Nielsen, Neural Networks and Deep Learning, ch. 3", "With the quadratic cost, a neuron that starts badly "
            "wrong (w = b = 2, output 0.98, target 0; η = 0.15) learns slowly at first.",
            "learning starts much more slowly: for roughly the first 150 epochs the weight and bias hardly change "
            "(his figure, paraphrased)",
            f"output {number(a0)} → {number(a150)} after 150 epochs ({percent(moved)} of the way to 0); the cost "
            f"fell fastest at epoch {fastest_q}", moved < 0.1 and fastest_q > 150, url=NIELSEN_URL),
        Reproduction(
            "Nielsen, Neural Networks and Deep Learning, ch. 3", "With the cross-entropy cost the same neuron "
            f"learns fastest at the start: no slowdown (he uses η = {NIELSEN_CE_ETA:g} there).",
            "the cost falls steeply from the first epoch on: the slowdown is gone (his figure, paraphrased)",
            f"at η = {NIELSEN_CE_ETA:g}: cost {number(c0)} → {number(c_end)} in {NEURON_EPOCHS} epochs, fastest at "
            f"epoch {fastest_ce}", fastest_ce <= 10,
            note="His smaller η for cross-entropy only changes the scale of the curve, not its shape, as he says; "
                 f"the chart above uses one η (the slider, {NIELSEN_ETA:g} by default) for both costs.",
            url=NIELSEN_URL),
    ]


# ---------------------------------------------------------------- MNIST

def _acc(result: LossesResult, name: str) -> float | None:
    run = result.run_of(name)
    return None if run is None else run.final_val_acc


def gradient_overlap(gradients: pd.DataFrame) -> str | None:
    """A caption for the output-layer gradient chart when lines lie on top of each other (within 2% of
    its decades, core.charts.coinciding), naming them so a hidden line is not taken for a missing one.
    `gradients`: run, step, grad_norm."""
    groups = coinciding(gradients, "step", "grad_norm", "run", log=True)
    if not groups:
        return None
    return ("On the gradient chart the lines of " + "; of ".join(", ".join(g[:-1]) + f" and {g[-1]}" for g in groups)
            + " lie on top of each other (the later drawn over the earlier).")


def first_epoch_gradient(result: LossesResult) -> pd.Series:
    """Mean ‖∂C/∂z‖ at the output layer over each run's first epoch, by run label."""
    g = result.gradients
    return g[g["epoch"] <= 1].groupby("run")["grad_norm"].mean()


def compare_lines(result: LossesResult) -> list[str]:
    """What each cost reached against cross-entropy, and the gradients behind it."""
    config = result.config
    ce = _acc(result, REFERENCE_LOSS)
    grads = first_epoch_gradient(result)
    g_ce = grads.get(label(REFERENCE_LOSS), math.nan)
    lines = [f"Same network, seed, batches and learning rate ({number(config.lr)}), {config.epochs} epoch"
             f"{'s' * (config.epochs != 1)}: **cross-entropy reached {percent(ce)}** validation accuracy."]
    chance = 0.1 + CHANCE_MARGIN
    for name in ("mse_softmax_sum", "mse_softmax_mean", "mse_sigmoid_sum", "bce_sigmoid"):
        acc = _acc(result, name)
        if acc is None:
            continue
        gap = (ce - acc) * 100
        where = (f"{points(ce, acc)} {'below' if gap > 0 else 'above'} cross-entropy"
                 if abs(gap) >= 0.5 else "level with cross-entropy")
        stuck = " — still at chance" if acc <= chance else ""
        g = grads.get(label(name), math.nan)
        lines.append(f"{label(name)}: **{percent(acc)}**, {where}{stuck}; gradient at the output layer in the "
                     f"first epoch {ratio(g / g_ce) if g_ce > 0 else '—'} that of cross-entropy.")
    summed, mean = result.run_of("mse_softmax_sum"), result.run_of("mse_softmax_mean")
    if summed is not None and mean is not None:
        g = result.gradients.groupby("run")["grad_norm"].first()
        lines.append(f"The reduction matters: the course's quadratic cost sums the squared error over the 10 outputs, "
                     f"`nn.MSELoss()` averages over them too, so its first gradient is "
                     f"{number(g[label('mse_softmax_mean')] / g[label('mse_softmax_sum')])} × the summed one: "
                     f"the same as a learning rate 10 times smaller.")
    return lines


def saturation_lines(result: LossesResult) -> list[str]:
    """How saturated the untrained output layer was, and what that did to the sigmoid-output costs."""
    start, config = result.start, result.config
    top = start.loc[start["z_mean"].idxmax()]
    share = float(start["saturated"].mean())
    lines = [f"Output-layer weights ×{config.output_scale:g}: before training, {percent(share, 0)} of the "
             f"(image, output) pairs sit where σ′(z) < {SATURATED_SLOPE:g}. The largest output, unit "
             f"{int(top['unit'])}, starts at z ≈ {number(top['z_mean'])}, where σ′ = {number(top['slope_at_mean'])}."]
    mse = _acc(result, "mse_sigmoid_sum")
    if mse is not None:
        if mse <= 0.1 + CHANCE_MARGIN:
            lines.append(f"MSE on sigmoid outputs stayed at **{percent(mse)}** (chance): the output stuck near 1 "
                         "wins the argmax on every image, and its gradient (a − y)·σ′(z) is too small to pull it down.")
        else:
            far = 10.0
            slope_far = 1 / (2 + math.exp(far) + math.exp(-far))  # σ′(10) = σ(10)·σ(−10)
            lines.append(f"MSE on sigmoid outputs reached **{percent(mse)}**: with this seed the largest output starts "
                         f"at z ≈ {number(top['z_mean'])} only, where σ′ is small but not tiny, so it does get pulled "
                         f"down. An output starting at z = {far:g} would have σ′ = {number(slope_far)}, "
                         f"{ratio(float(top['slope_at_mean']) / slope_far)} less, and would stay stuck: try other "
                         "seeds in the sidebar.")
    bce = _acc(result, "bce_sigmoid")
    if bce is not None:
        lines.append(f"Cross-entropy per output on the same sigmoids reached {percent(bce)}: its gradient "
                     "(a − y) has no σ′ factor, so saturation does not slow it.")
    return lines


# ---------------------------------------------------------------- the two bugs

def bug_lines(result: LossesResult, check: IdentityCheck | None) -> list[str]:
    floor = softmax_then_ce_floor()
    ce = _acc(result, REFERENCE_LOSS)
    lines = []
    double = result.run_of("softmax_then_ce")
    if double is not None and len(double.steps):
        lowest = float(double.steps["loss"].min())
        lines.append(f"Softmax before `CrossEntropyLoss` (which applies its own log-softmax): the lowest batch loss "
                     f"was **{number(lowest, digits=4)}**, never below ln(e + 9) − 1 = {floor:.4f}, and it reached "
                     f"{percent(double.final_val_acc)} against cross-entropy's {percent(ce)}.")
    nll = result.run_of("nll_on_probabilities")
    if nll is not None and len(nll.steps):
        lines.append(f"`NLLLoss` on probabilities: the loss is −p(true class), so it went **negative** (lowest "
                     f"{number(float(nll.steps['loss'].min()))}) and reached {percent(nll.final_val_acc)}.")
    if check is not None:
        lines.append(f"On the batch above, `CrossEntropyLoss` = {check.cross_entropy:.6f} and `NLLLoss` after "
                     f"`LogSoftmax` = {check.log_softmax_nll:.6f}: the same number (difference "
                     f"{number(check.gap) if check.gap else '0'}).")
    return lines


def takeaways(surface: dict[str, SurfaceSummary], neuron_frame: pd.DataFrame, result: LossesResult | None,
              check: IdentityCheck | None) -> list[str]:
    """The page's "what to notice", one line per part, from what is on screen."""
    quad, ce = nrn.COSTS["quadratic_binary"], nrn.COSTS["bce"]
    step = surface["Step"]
    lines = [f"A step neuron's cost is {levels_text(step)} over the whole grid, changing across "
             f"{percent(step.changed, 2)} of grid steps: no gradient to descend. Use a smooth output.",
             f"One neuron: after {NEURON_EPOCHS // 2} epochs the quadratic cost had moved the output to "
             f"{number(nrn.output_at(neuron_frame, quad, NEURON_EPOCHS // 2))}, cross-entropy to "
             f"{number(nrn.output_at(neuron_frame, ce, NEURON_EPOCHS // 2))}: the σ′ factor is what slows the quadratic cost."]
    if result is not None:
        ce_acc, mse = _acc(result, REFERENCE_LOSS), _acc(result, "mse_softmax_sum")
        if mse is not None:
            lines.append(f"On MNIST, cross-entropy reached {percent(ce_acc)} and the quadratic cost {percent(mse)} "
                         "with everything else the same.")
        bugs = [(what, _acc(result, name)) for what, name in (("a softmax before it", "softmax_then_ce"),
                                                               ("NLLLoss on probabilities", "nll_on_probabilities"))]
        bugs = [f"{what} reached {percent(acc)}" for what, acc in bugs if acc is not None]
        if check is not None:
            lines.append("Give `nn.CrossEntropyLoss` the raw logits: it is LogSoftmax + NLLLoss in one "
                         f"(the same {check.cross_entropy:.4f} on the batch above)"
                         + (f"; {' and '.join(bugs)}, against its {percent(ce_acc)}." if bugs else "."))
    return lines
