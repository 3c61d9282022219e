"""The residual lesson's sentences, computed from the run on screen: the diagnosis (how small the
first layer's gradient was, how the loss fell), the identity/branch split, the spread over seeds, the
loss slice, the takeaways, and He et al. (2016) beside our own depth comparison."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

import core.format as fmt
from core.lessons.residual import paths
from core.lessons.residual.config import ACTIVATION_NAMES, PRESETS, SCALE_NAMES
from core.lessons.residual.experiment import LABELS, ORDER, ResidualResult
from core.outcome import CHANCE_MARGIN, DID_NOT_TRAIN, DIVERGED
from core.reproduction import Reproduction

PLAIN, RESIDUAL = LABELS[False], LABELS[True]
VANISHED = 1e-3  # a first layer getting under 1/1000 of the output layer's gradient has (all but) stopped learning
EXPLODED = 100.0  # a gradient norm above 100: "in the hundreds"
GUESSING = math.log(10)
FLAT = 0.01  # a slice whose loss changes by under 1% of its centre value is flat
HE_URL = "https://arxiv.org/abs/1512.03385"


def step_one(result: ResidualResult) -> pd.DataFrame:
    """Per network (index), at step 1 (the network at initialization): the first layer's weight gradient
    ‖∂L/∂W₁‖ (`weight`), its back-propagated gradient ‖∂L/∂s₁‖ (`first`), the output layer's ‖∂L/∂s‖
    (`output`, where the backward pass starts) and `ratio` = first / output: how much of the gradient
    survives the way down (≪ 1: vanishing; ≫ 1: exploding)."""
    g = result.grads[result.grads["step"] == 1]
    top = int(result.grads["layer"].max())
    rows = {}
    for network in ORDER:
        n = g[g["network"] == network]
        back = n[n["kind"] == "backprop"].set_index("layer")["grad_norm"]
        weight = n[n["kind"] == "weight"].set_index("layer")["grad_norm"]
        first, output = float(back.get(1, np.nan)), float(back.get(top, np.nan))
        rows[network] = {"weight": float(weight.get(1, np.nan)), "first": first, "output": output,
                         "ratio": first / output if output > 0 else np.nan}
    return pd.DataFrame.from_dict(rows, orient="index")


def shrink_words(ratio: float) -> str:
    """0.6 -> '0.6× the output layer's'; 1e-8 -> '1 in 100 million of the output layer's'."""
    if not math.isfinite(ratio):
        return "— (no finite gradient was recorded)"
    if ratio == 0:
        return "exactly 0 (nothing reached it)"
    if ratio < 0.01:
        return f"{fmt.chance(ratio)} of the output layer's"
    return f"{fmt.ratio(ratio)} the output layer's"


def accuracy_text(result: ResidualResult, network: str) -> str:
    """'87.6%', or with several seeds 'mean 61.2% (44.7%–77.1% over seeds 0–2)'."""
    accs = result.seeds[result.seeds["network"] == network]["val_acc"]
    if len(accs) <= 1:
        value = accs.iloc[0] if len(accs) else np.nan
        return fmt.percent(value) if math.isfinite(value) else "no accuracy (it diverged before its first validation)"
    accs = accs.dropna()
    if accs.empty:
        return "no accuracy on any seed (every run diverged before its first validation)"
    s = result.seeds["seed"]
    return (f"mean {fmt.percent(accs.mean())} ({fmt.percent(accs.min())}–{fmt.percent(accs.max())} over seeds "
            f"{s.min()}–{s.max()})")


def loss_text(result: ResidualResult, network: str) -> str:
    """How the training loss moved: from the first step's to the last epoch's mean, or where it diverged."""
    run = result.runs[network]
    if run.diverged_at:
        return f"it diverged at step {run.diverged_at}"
    if not len(run.epochs) or not len(run.steps):
        return "it never finished an epoch"
    start, end = float(run.steps["loss"].iloc[0]), float(run.epochs["train_loss"].iloc[-1])
    return (f"its training loss went from {fmt.number(start)} at step 1 to {fmt.number(end)} over the last epoch "
            f"(guessing: {fmt.number(GUESSING)})")


def diagnosis(result: ResidualResult) -> list[str]:
    """The signs of a vanishing (or exploding) gradient in the run on screen, network by network."""
    one = step_one(result)
    lines = []
    for network in ORDER:
        row = one.loc[network]
        sign = ""
        if row["ratio"] < VANISHED:
            sign = " — a vanishing gradient: the first layer barely moves"
        elif row["ratio"] > 1 / VANISHED or row["weight"] > EXPLODED:
            sign = " — an exploding gradient"
        lines.append(f"**{network}**: at step 1 the back-propagated gradient reaching layer 1, ‖∂L/∂s₁‖ = "
                     f"{fmt.number(row['first'])}, was {shrink_words(row['ratio'])} ({fmt.number(row['output'])}); "
                     f"its weight gradient ‖∂L/∂W₁‖ was {fmt.number(row['weight'])}{sign}. "
                     f"{loss_text(result, network).capitalize()}.")
    return lines


def _fell(result: ResidualResult, network: str) -> float:
    """Share by which the training loss fell from step 1 to the last epoch's mean (NaN if unknown)."""
    run = result.runs[network]
    if not len(run.steps) or not len(run.epochs):
        return math.nan
    start = float(run.steps["loss"].iloc[0])
    return 1 - float(run.epochs["train_loss"].iloc[-1]) / start if start > 0 else math.nan


def split(result: ResidualResult, when: str) -> pd.DataFrame:
    """The rows of result.paths measured `when`."""
    return result.paths[result.paths["when"] == when]


def paths_sentence(result: ResidualResult, when: str = "at initialization") -> str:
    """How much each layer passes the gradient on, per network (geometric mean of ‖∂L/∂h_l‖ / ‖∂L/∂h_{l+1}‖),
    what that compounds to over the hidden layers, and the branch's size against the identity's."""
    p = split(result, when)
    depth = result.depth
    parts = []
    for network in ORDER:
        g = p[p["network"] == network]
        if g.empty:
            continue
        gain = paths.gain(g)
        total = g.set_index("layer")["total"]
        end = total.get(1, np.nan) / total.get(depth, np.nan) if total.get(depth, 0) > 0 else np.nan
        parts.append(f"the {network.lower()} network passes on {fmt.ratio(gain)} per layer on average, so "
                     f"hidden layer 1 gets {fmt.ratio(end)} what hidden layer {depth} gets")
    text = f"{when.capitalize()}, " + "; ".join(parts) + "."
    res = p[(p["network"] == RESIDUAL) & p["skip"]]
    if len(res):
        share = float((res["branch"] / res["identity"]).median())
        if math.isfinite(share):
            text += (f" In the residual network the branch's part is {fmt.ratio(share)} the identity's (median over "
                     "the layers): the identity carries the gradient, the branch adjusts it.")
    return text


def slice_sentence(result: ResidualResult) -> str:
    """How far each network's loss rises at the ends of the slice (t = ±1) over its value at t = 0."""
    s = result.slice
    if s.empty:
        return "No loss slice: neither network finished training with finite weights."
    parts = []
    for network in ORDER:
        g = s[s["network"] == network].set_index("t")["loss"]
        if g.empty:
            continue
        centre = float(g.loc[g.index[np.argmin(np.abs(g.index))]])
        edge = float(max(g.iloc[0], g.iloc[-1]))
        text = (f"the {network.lower()} network's loss goes from {fmt.number(centre)} at t = 0 to "
                f"{fmt.number(edge)} at the worse end")
        if abs(edge - centre) < FLAT * max(centre, 1e-12):
            text += (" — flat" + (" at the guessing level: a plateau where the loss hardly depends on the weights, "
                                  "which is what a vanishing gradient feels like" if abs(centre - GUESSING) < 0.1 else ""))
        parts.append(text)
    return "Along this direction " + "; ".join(parts) + "."


def spread_sentence(result: ResidualResult) -> str | None:
    """With several seeds: the range per network, and how many seeds' runs did not train or diverged."""
    seeds = result.seeds
    if seeds["seed"].nunique() < 2:
        return None
    parts = []
    for network in ORDER:
        g = seeds[seeds["network"] == network]
        failed = int(g["outcome"].isin([DID_NOT_TRAIN, DIVERGED]).sum())
        exploded = int((g["max_weight"] > EXPLODED).sum())
        extra = f", {failed} of {len(g)} did not train or diverged" if failed else ""
        extra += f", {exploded} of {len(g)} had a weight-gradient norm above {EXPLODED:g}" if exploded else ""
        parts.append(f"{network}: {fmt.percent(g['val_acc'].min())} to {fmt.percent(g['val_acc'].max())}{extra}")
    return f"Over {seeds['seed'].nunique()} seeds — " + "; ".join(parts) + "."


def takeaways(result: ResidualResult) -> list[str]:
    """The page's "what to notice", each computed from the run on screen."""
    cfg = result.config
    one = step_one(result)
    plain_acc = result.seeds[result.seeds["network"] == PLAIN]["val_acc"].mean()
    res_acc = result.seeds[result.seeds["network"] == RESIDUAL]["val_acc"].mean()
    gap = res_acc - plain_acc
    lines = [f"Same initial weights, same batches ({cfg.describe()}): the plain network reached "
             f"**{accuracy_text(result, PLAIN)}**, the residual network **{accuracy_text(result, RESIDUAL)}**."]
    plain, res = one.loc[PLAIN], one.loc[RESIDUAL]
    big = result.seeds[result.seeds["network"] == RESIDUAL]["max_weight"].max()
    chance = 0.1 + CHANCE_MARGIN
    diverged = [n for n in ORDER if result.runs[n].diverged_at]
    if diverged:
        lines.append(f"{' and '.join(diverged)} diverged on the first seed (the loss became infinite): lower the "
                     "learning rate to compare the two networks.")
    elif plain_acc <= chance and res_acc <= chance:
        why = []
        if plain["ratio"] < VANISHED:
            why.append("the plain network's gradient vanished")
        if big > EXPLODED or res["ratio"] > 1 / VANISHED:
            why.append("the residual network's exploded")
        lines.append("Neither network learned anything here" + (": " + " and ".join(why) if why else "")
                     + " (see the gradient charts).")
    elif gap > 0.05:
        lines.append(f"The skips were worth {fmt.points(res_acc, plain_acc)} of validation accuracy here.")
    elif gap < -0.05:
        lines.append(f"Here the skips cost {fmt.points(plain_acc, res_acc)}: the residual network did worse "
                     "than the plain one (see its gradient norms above).")
    elif plain["ratio"] >= VANISHED:
        lines.append("Here the skips made no difference of more than 5 points: at this depth the plain network's "
                     "gradient reaches its first layer well enough.")
    else:
        lines.append("Here the skips made no difference of more than 5 points, although the plain network's gradient "
                     "vanished on its way to the first layer.")
    if plain["ratio"] < VANISHED:
        fell = _fell(result, PLAIN)
        loss = (" beside a loss that hardly fell" if fell < 0.1 else
                f" while its loss fell by {fmt.percent(fell, 0)}" if math.isfinite(fell) else "")
        lines.append(f"The plain network's first layer received {shrink_words(plain['ratio'])} back-propagated "
                     f"gradient at step 1: the sign of a vanishing gradient{loss}.")
    else:
        lines.append(f"The plain network's first layer received {shrink_words(plain['ratio'])} back-propagated "
                     f"gradient at step 1: no vanishing gradient at this depth ({cfg.depth} hidden layers of "
                     f"{ACTIVATION_NAMES[cfg.activation]}).")
    if big > EXPLODED:
        fix = (" Scaling each branch by 1/√depth keeps the sum in check." if cfg.scale == "one" else
               " Even scaled by 1/√depth, the branches grew the gradient here.")
        lines.append(f"The residual network's weight-gradient norms reached {fmt.number(big)}: with α = "
                     f"{cfg.alpha:.3g} the {cfg.depth - 1} branches add up and the signal (and its gradient) grows "
                     f"layer by layer.{fix}")
    else:
        lines.append(f"The residual network's first layer received {shrink_words(res['ratio'])} back-propagated "
                     "gradient: the identity path brings the gradient down to every layer.")
    return lines  # (the skip-and-branch split is said under its chart, not repeated here)


def he_reproduction(shallow: ResidualResult | None, deep: ResidualResult | None) -> Reproduction:
    """He et al. (2016) Table 2 beside our plain and residual networks at two depths (the presets' runs:
    `shallow` at depth 8, `deep` at depth 32, or None where not trained yet with these settings)."""
    claim = ("A deeper plain network does worse than a shallower one — even with batch norm, where He et al. "
             "checked that the gradients do not vanish (the *degradation problem*); with identity shortcuts "
             "the deeper network does better.")
    published = ("ImageNet top-1 error (Table 2): plain 18 layers 27.94%, plain 34 layers 28.54%; "
                 "ResNet-18 27.88%, ResNet-34 25.03%.")
    if shallow is None or deep is None:
        return Reproduction("He, Zhang, Ren & Sun 2016, Table 2", claim, published,
                            "not measured yet with these settings", None,
                            note=f"Press the presets “{PRESETS['relu8'].label}” and “{PRESETS['relu32_scaled'].label}” "
                                 "to measure plain and residual MLPs at both depths (3 seeds each).", url=HE_URL)

    def mean(result: ResidualResult, network: str) -> float:
        return float(result.seeds[result.seeds["network"] == network]["val_acc"].mean())

    p8, p32 = mean(shallow, PLAIN), mean(deep, PLAIN)
    r8, r32 = mean(shallow, RESIDUAL), mean(deep, RESIDUAL)
    measured = (f"MNIST validation accuracy, mean over {deep.seeds['seed'].nunique()} seeds: plain depth "
                f"{shallow.depth} {fmt.percent(p8)}, plain depth {deep.depth} {fmt.percent(p32)}; residual depth "
                f"{shallow.depth} ({SCALE_NAMES[shallow.config.scale]}) {fmt.percent(r8)}, residual depth "
                f"{deep.depth} ({SCALE_NAMES[deep.config.scale]}) {fmt.percent(r32)}.")
    return Reproduction("He, Zhang, Ren & Sun 2016, Table 2", claim, published, measured, p32 < p8 and r32 > p32,
                        note="Here the plain MLP has no batch norm, so its gradient does vanish: a stronger "
                             "failure than the paper's degradation.", url=HE_URL)


def seed_table(seeds: pd.DataFrame) -> pd.DataFrame:
    """experiment's seeds frame as the page shows it: every number through core.format."""
    return pd.DataFrame({
        "network": seeds["network"], "seed": seeds["seed"],
        "val. accuracy": [fmt.percent(v) for v in seeds["val_acc"]], "status": seeds["headline"],
        "‖∂L/∂W₁‖ at step 1": [fmt.number(v) for v in seeds["first_weight"]],
        "largest ‖∂L/∂W_l‖": [fmt.number(v) for v in seeds["max_weight"]]})


def paths_table(paths_frame: pd.DataFrame) -> pd.DataFrame:
    """experiment's paths frame as the page's verification table: every number through core.format."""
    rows = paths_frame[np.isfinite(paths_frame["arriving"])]
    return pd.DataFrame({
        "network": rows["network"], "when": rows["when"], "hidden layer l": rows["layer"],
        "skip part ‖g_{l+1}‖": [fmt.number(v) if np.isfinite(v) else "no skip" for v in rows["identity"]],
        "branch part": [fmt.number(v) for v in rows["branch"]], "total ‖g_l‖": [fmt.number(v) for v in rows["total"]],
        "mismatch": [fmt.number(v, digits=2) for v in rows["mismatch"]]})
