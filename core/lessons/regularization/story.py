"""The regularization lesson's sentences, computed from the results on screen (never a template that
could contradict them): what the curve fits show, how Nielsen's network overfits, how the regularizers
rank, what dropout did to one batch, and what more data did."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

import core.format as fmt
from core.lessons.regularization import curve as poly
from core.lessons.regularization.config import REGULARIZERS, CompareConfig
from core.lessons.regularization.dropout import DropoutView
from core.lessons.regularization.experiment import L2, PLAIN, CurveResult, DataResult, NetworkResult
from core.outcome import classify

NOTICEABLE_RISE = 0.05  # a validation loss 5% above its minimum has risen
CLOSE = 0.005  # accuracies within half a point are "about the same"


# ---------------------------------------------------------------- 1. curve fitting

def curve_takeaways(r: CurveResult) -> list[str]:
    """What the degree sweep, the coefficients and the penalty show for this sample."""
    cfg = r.config
    by = r.by_degree.pivot(index="M", columns="set", values="rms")
    best = int(by["Test"].idxmin())
    interpolating = [m for m in by.index if m + 1 >= cfg.points]
    lines = [f"With N = {cfg.points} points the test error is lowest at **M = {best}** "
             f"(test RMS error {fmt.number(by.loc[best, 'Test'])}); the training error only falls as M grows."]
    if interpolating:
        m = interpolating[0]
        lines.append(f"From M = {m} (M + 1 = {m + 1} coefficients for {cfg.points} points) the polynomial can pass "
                     f"through every training point: training RMS error {fmt.fixed([by.loc[m, 'Training']], 3)[0]}"
                     + ("" if cfg.ridge else ", test RMS error " + fmt.number(by.loc[m, 'Test'])) + ".")
    plain = poly.fit(r.train, cfg.degree)
    lines.append(f"At M = {cfg.degree} without a penalty the largest coefficient is "
                 f"{fmt.number(float(plain.abs().max()))}: the fit cancels huge positive and negative terms to "
                 "chase the noise.")
    if cfg.ridge:
        free = poly.rms(plain, r.test)
        lines.append(f"The penalty ln λ = {fmt.number(cfg.ln_lambda)} shrinks them to at most "
                     f"{fmt.number(float(np.abs(r.weights).max()))} and moves the test RMS error at M = {cfg.degree} from "
                     f"{fmt.number(free)} to {fmt.number(r.test_rms)}.")
    return lines


# ---------------------------------------------------------------- 2. a network that overfits

def overfit_takeaways(result: NetworkResult) -> list[str]:
    """Training against validation for the plain network, and what L2 changed."""
    table = result.table.set_index("run")
    p = table.loc[PLAIN]
    if not math.isfinite(p["val_acc"]):
        return ["The plain network stopped before its first validation, so there is nothing to compare."]
    lines = [f"Without regularization the network reached **{fmt.percent(p['train_acc'])}** on its "
             f"{result.images:,} training images and **{fmt.percent(p['val_acc'])}** on the validation images: "
             f"a generalisation gap of **{fmt.points(p['train_acc'], p['val_acc'])}**."]
    if p["rise"] >= NOTICEABLE_RISE:
        lines.append(f"Its validation cost was lowest at epoch {fmt.number(p['best_loss_epoch'])} ({fmt.number(p['best_loss'])}) "
                     f"and then rose by {fmt.percent(p['rise'], 0)} while the training cost kept falling: after "
                     "that point it learned its training images, not digits.")
    else:
        lines.append(f"Its validation cost ended within {fmt.percent(p['rise'], 0)} of its lowest value (epoch "
                     f"{fmt.number(p['best_loss_epoch'])}): this run did not overfit in the cost.")
    if L2 in table.index and math.isfinite(table.loc[L2, "val_acc"]):
        q = table.loc[L2]
        change = q["val_acc"] - p["val_acc"]
        lam, n = result.config.l2, result.images
        verb = "lifted" if change > CLOSE else ("lowered" if change < -CLOSE else "left")
        lines.append(f"L2 with λ = {fmt.number(lam)} (weight decay λ/n = {fmt.number(lam / n)}) {verb} the validation "
                     f"accuracy {'at' if verb == 'left' else 'to'} **{fmt.percent(q['val_acc'])}** "
                     f"({fmt.points(q['val_acc'], p['val_acc'], signed=True)}); its gap is "
                     f"{fmt.points(q['train_acc'], q['val_acc'])}.")
    return lines


# ---------------------------------------------------------------- 3. regularizers side by side

def compare_takeaways(result: NetworkResult) -> list[str]:
    """The ranking by validation accuracy, the gaps, early stopping and the traps, as this run shows them."""
    cfg: CompareConfig = result.config
    table = result.table.set_index("run")
    usable = table.dropna(subset=["val_acc"]).sort_values("val_acc", ascending=False)
    if usable.empty:
        return ["No network reached a validation: every run stopped before its first."]
    plain = table.loc[REGULARIZERS["none"]]
    best = usable.index[0]
    lines = [f"Highest validation accuracy: **{best}** ({fmt.percent(usable.loc[best, 'val_acc'])}); no "
             f"regularization: {fmt.percent(plain['val_acc'])} with a gap of {fmt.points(plain['train_acc'], plain['val_acc'])} between training "
             "and validation images."]
    ranked = ", ".join(f"{run} {fmt.percent(row.val_acc)}" for run, row in usable.iterrows())
    lines.append(f"All, best first: {ranked}.")
    failed = [label for label, r in result.runs.items() if classify(r).failed]
    drop, none = REGULARIZERS["dropout"], REGULARIZERS["none"]
    norms = result.stats.set_index("run")["weight_norm"] if len(result.stats) else pd.Series(dtype=float)
    if drop in failed:
        setting = f"learning rate {fmt.number(cfg.lr)} with momentum {fmt.number(cfg.momentum)}"
        if none in failed:
            alive = [label for label in result.runs if label not in failed and math.isfinite(table.loc[label, "val_acc"])]
            line = (f"At {setting} dropout **did not learn** ({classify(result.runs[drop]).headline}), and neither "
                    f"did {', '.join(l for l in failed if l != drop)}: a step this large wrecks this network with "
                    "or without dropout.")
            if alive:
                kept = ", ".join(f"{l} ({fmt.percent(table.loc[l, 'val_acc'])})" for l in alive)
                line += f" Still learning at the end: {kept}."
            if none in norms and drop in norms and len(norms):
                bounded = norms.drop([l for l in failed if l in norms]).dropna()
                if len(bounded):
                    line += (f" The failed networks' weights grew to ‖W‖ = {fmt.number(norms[none])} (plain) and "
                             f"{fmt.number(norms[drop])} (dropout); those that kept learning stayed at "
                             f"{fmt.number(bounded.min())}–{fmt.number(bounded.max())}. This is why Srivastava et al. "
                             "pair dropout's large learning rates with a max-norm constraint.")
            lines.append(line)
        else:
            lines.append(f"Dropout **did not learn** at {setting} ({classify(result.runs[drop]).headline}) while the "
                         "plain network trained at the same settings: dropped units make each step's gradient noisier "
                         f"and the survivors are scaled up by 1/(1 − p) = {fmt.number(1 / (1 - cfg.dropout))}, so a "
                         "step size plain SGD survives can be too large for it.")
    lines.extend(effects(result, failed))
    stop = result.runs[REGULARIZERS["early_stopping"]]
    stop_row = table.loc[REGULARIZERS["early_stopping"]]
    if stop.stopped_at and stop.best is not None:
        watched = "validation loss" if cfg.monitor == "val_loss" else "validation accuracy"
        restored = "restored weights" if stop.restored else "final weights"
        lines.append(f"Early stopping watched the {watched}, stopped after epoch {fmt.number(stop_row['epochs'])} "
                     f"(best at epoch {fmt.number(float(stop.best['epoch']))}) and its {restored} score "
                     f"{fmt.percent(stop_row['val_acc'])}, against {fmt.percent(plain['val_acc'])} for the plain "
                     f"network trained for all {cfg.epochs} epochs.")
        if cfg.monitor == "val_loss" and plain["val_acc"] - stop_row["val_acc"] > CLOSE:
            lines.append("The validation loss turned up before the accuracy stopped improving: stopping on the loss "
                         f"cost {fmt.points(plain['val_acc'], stop_row['val_acc'])} of the accuracy this page reports.")
    elif not stop.diverged_at:
        lines.append(f"Early stopping never stopped: the monitored metric kept improving within {cfg.patience} "
                     f"validation{'s' * (cfg.patience != 1)}, so it trained all epochs like the plain network.")
    return lines


def effects(result: NetworkResult, failed: list[str]) -> list[str]:
    """What weight decay, the activity penalty and max-norm did to the trained network (its weights and
    activations), whatever they did to its accuracy; runs that failed are left out."""
    if not len(result.stats):
        return []
    cfg: CompareConfig = result.config
    stats, table = result.stats.set_index("run"), result.table.set_index("run")
    none = REGULARIZERS["none"]
    if none in failed or none not in stats.index:
        return []
    plain = stats.loc[none]
    lines = []
    wd, act, cap = REGULARIZERS["weight_decay"], REGULARIZERS["activity"], REGULARIZERS["max_norm"]
    moved = lambda label: ("moved validation accuracy by "
                           f"{fmt.points(table.loc[label, 'val_acc'], table.loc[none, 'val_acc'], signed=True)}")
    if wd not in failed:
        lines.append(f"Weight decay (λ = {fmt.number(cfg.weight_decay)}) shrank the weights' norm ‖W‖ from "
                     f"{fmt.number(plain['weight_norm'])} to {fmt.number(stats.loc[wd, 'weight_norm'])} and {moved(wd)}.")
    if act not in failed:
        lines.append(f"The activity penalty (λ = {fmt.number(cfg.activity)}) cut the share of active hidden ReLU outputs "
                     f"from {fmt.percent(plain['active'], 0)} to {fmt.percent(stats.loc[act, 'active'], 0)} and {moved(act)}.")
    if cap not in failed and math.isfinite(stats.loc[cap, "at_cap"]):
        lines.append(f"Max-norm (c = {fmt.number(cfg.max_norm)}) held {fmt.percent(stats.loc[cap, 'at_cap'])} of the units "
                     f"at the cap (the plain network's largest unit norm: {fmt.number(plain['max_unit_norm'])}) and "
                     f"{moved(cap)}.")
    return lines


# ---------------------------------------------------------------- 4. dropout made visible

def dropout_lines(v: DropoutView) -> list[str]:
    """What the mask, the scaling and eval mode did to this batch."""
    if v.p == 0:
        return ["With p = 0 dropout does nothing, in either mode: every unit is kept and nothing is scaled."]
    return [
        f"In train mode {fmt.percent(v.dropped_share)} of the {v.batch} × {v.units} outputs of hidden layer {v.layer} "
        f"were dropped (p = {fmt.number(v.p)}); every kept one was multiplied by 1/(1 − p) = {fmt.number(v.scale)}"
        + (" — exactly, for every value." if v.scaling_exact else "."),
        f"So the layer's mean output stays about the same: {fmt.number(v.mean_h)} before dropout, "
        f"{fmt.number(v.mean_train)} after it in train mode, {fmt.number(v.mean_eval)} in eval mode.",
        "In eval mode nothing is dropped and nothing scaled: two passes give "
        + ("identical outputs" if v.eval_repeatable else "different outputs (unexpected)")
        + ", while two train-mode passes drew " + ("different masks." if v.train_masks_differ else "the same mask."),
    ]


# ---------------------------------------------------------------- 5. more data

def data_takeaways(r: DataResult) -> list[str]:
    """How the gap and the regularizer's advantage change with the number of images."""
    t = r.table.dropna(subset=["val_acc"])
    if t.empty:
        return ["No run reached the end, so there is no learning curve to read."]
    plain_label, reg_label = REGULARIZERS["none"], REGULARIZERS[r.config.regularizer]
    plain = t[t["run"] == plain_label].set_index("images")
    reg = t[t["run"] == reg_label].set_index("images")
    lines = []
    if len(plain) >= 2:
        lo, hi = plain.index.min(), plain.index.max()
        lines.append(f"Without regularization, validation accuracy grows from {fmt.percent(plain.loc[lo, 'val_acc'])} "
                     f"on {lo:,} images to {fmt.percent(plain.loc[hi, 'val_acc'])} on {hi:,}; the gap to the "
                     f"training images shrinks from {fmt.points(plain.loc[lo, 'train_acc'], plain.loc[lo, 'val_acc'])} to "
                     f"{fmt.points(plain.loc[hi, 'train_acc'], plain.loc[hi, 'val_acc'])}.")
    both = plain.index.intersection(reg.index)
    if len(both):
        diff = (reg.loc[both, "val_acc"] - plain.loc[both, "val_acc"])
        lo, hi = both.min(), both.max()
        by = {n: fmt.points(reg.loc[n, "val_acc"], plain.loc[n, "val_acc"], signed=True) for n in (lo, hi)}
        lines.append(f"{reg_label} changes validation accuracy by {by[lo]} at {lo:,} images and by {by[hi]} at {hi:,}.")
        more = plain.loc[hi, "val_acc"] - plain.loc[lo, "val_acc"]
        if len(both) >= 2 and more > diff[lo]:
            lines.append(f"Going from {lo:,} to {hi:,} images bought the plain network "
                         f"{fmt.points(plain.loc[hi, 'val_acc'], plain.loc[lo, 'val_acc'])}"
                         + (f", more than {reg_label.lower()} bought at {lo:,} images." if diff[lo] > 0 else
                            f"; {reg_label.lower()} bought nothing at {lo:,} images."))
    return lines


def reference_rows(plain: pd.DataFrame, ridge: pd.DataFrame, reference: dict[int, tuple[float, float]],
                   samples: int) -> tuple[pd.DataFrame, list[str]]:
    """The reference E_RMS (N = 10, σ = 0.3) beside sample 0's and the spread over `samples` draws
    (`plain`, `ridge`: curve.sample_errors at M in `reference` and at M = 9 with ln λ = −18), and the
    sentences that say where the reference and sample 0 fall in that spread, and how often the pattern
    (zero training error at M = 9, test error worse at M = 9 than at M = 3, better with ln λ = −18) holds."""
    summary = poly.spread(plain).set_index(["M", "set"])
    mine = plain[plain["sample"] == 0].set_index(["M", "set"])["rms"]
    rows, lucky = [], []
    for m, pair in reference.items():
        for name, ref in zip(("Training", "Test"), pair):
            s = summary.loc[(m, name)]
            at_least = (m, name) == (9, "Test")
            rows.append({"RMS error": f"{name}, M = {m}", "reference": f"{'≥ ' if at_least else ''}{ref:.2f}",
                         "sample 0 (this page)": f"{mine[(m, name)]:.3f}", f"mean of {samples} draws": f"{s['mean']:.3f}",
                         "10th–90th percentile": f"{s['p10']:.3f} – {s['p90']:.3f}"})
            if not at_least and not s["p10"] <= ref <= s["p90"] and not (ref == 0 and s["p90"] < 5e-4):
                share = float((plain[(plain["M"] == m) & (plain["set"] == name)]["rms"] <= ref).mean())
                lucky.append(f"the reference's {name.lower()} RMS error of {ref:.2f} at M = {m} is lower than "
                             f"{fmt.percent(1 - share, 0)} of the draws" if ref < s["p10"] else
                             f"the reference's {name.lower()} RMS error of {ref:.2f} at M = {m} is higher than "
                             f"{fmt.percent(share, 0)} of the draws")
    s = poly.spread(ridge).set_index(["M", "set"]).loc[(9, "Test")]
    ridge_mine = float(ridge[(ridge["sample"] == 0) & (ridge["set"] == "Test")]["rms"].iloc[0])
    rows.append({"RMS error": "Test, M = 9, ln λ = −18", "reference": "about 0.39", "sample 0 (this page)": f"{ridge_mine:.3f}",
                 f"mean of {samples} draws": f"{s['mean']:.3f}", "10th–90th percentile": f"{s['p10']:.3f} – {s['p90']:.3f}"})
    wide = plain.pivot_table(index="sample", columns=["M", "set"], values="rms")
    ridge_test = ridge[ridge["set"] == "Test"].set_index("sample")["rms"]
    held = ((wide[(9, "Training")] < 1e-6) & (wide[(9, "Test")] > wide[(3, "Test")])
            & (ridge_test < wide[(9, "Test")]))
    inside = [(m, name) for m in reference for name in ("Training", "Test")
              if summary.loc[(m, name), "p10"] <= mine[(m, name)] <= summary.loc[(m, name), "p90"]]
    lines = [f"Sample 0 lies within the 10th–90th percentile in {len(inside)} of {2 * len(reference)} cases."]
    if lucky:
        lines.append("Of the reference: " + "; ".join(lucky) + ": a draw at the edge of the spread.")
    lines.append(f"The pattern holds in {fmt.percent(float(held.mean()), 0)} of the draws: training error 0 at "
                 "M = 9, test error worse at M = 9 than at M = 3, and lower again with ln λ = −18.")
    return pd.DataFrame(rows), lines


# ---------------------------------------------------------------- the lesson

def lesson_takeaways(curve: CurveResult, compared: NetworkResult | None) -> list[str]:
    """The page's closing "what to notice", from whatever has been computed on it."""
    by = curve.by_degree.pivot(index="M", columns="set", values="rms")
    top = int(by.index.max())
    lines = [f"Overfitting is measured, not seen on the training data: the polynomial's training error only falls "
             f"with M (to {fmt.fixed([by.loc[top, 'Training']], 3)[0]} at M = {top}), while its test error is lowest "
             f"at M = {int(by['Test'].idxmin())}."]
    if compared is not None:
        table = compared.table.dropna(subset=["val_acc"]).set_index("run")
        if len(table):
            plain = REGULARIZERS["none"]
            better = [r for r in table.index if r != plain and plain in table.index
                      and table.loc[r, "val_acc"] > table.loc[plain, "val_acc"] + CLOSE]
            gains = ", ".join(f"{r} ({fmt.points(table.loc[r, 'val_acc'], table.loc[plain, 'val_acc'], signed=True)})"
                              for r in better)
            lines.append("In section 3, " + (f"{gains} beat the plain network on the validation images; the others "
                                              "moved it by half a point or less." if better else
                                              "no regularizer beat the plain network by more than half a point at "
                                              "these settings."))
    else:
        lines.append("Train section 3 to compare the regularizers on this page's data.")
    return lines  # (section 5's learning curve has its own sentences right above: not repeated here)
