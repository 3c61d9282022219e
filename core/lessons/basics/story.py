"""The basics lesson's sentences, computed from the runs on screen (never a canned claim): what the
perceptron did on its gate, where floating point decided an update, what the XOR network learned,
which outcome the sum-of-three run had (converged, still learning, predicting the mean, diverged),
and what the classifier's learning rate and number of steps did."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

import core.format as fmt
from core.charts import wrap_text
from core.lessons.basics.config import N_TRAIN, PERCEPTRON_EPOCHS, QUICKSTART, SumConfig
from core.lessons.basics.experiment import ClassifierResult, SumResult
from core.lessons.basics.perceptron import PerceptronRun, RoundingEffect, XorNet, fire

# ---------------------------------------------------------------- the perceptron

SAMPLES = {1: "(0, 0)", 2: "(0, 1)", 3: "(1, 0)", 4: "(1, 1)"}


def perceptron_verdict(run: PerceptronRun) -> str:
    """What the rule did on this gate, from its run."""
    gate = run.config.gate.upper()
    changed = int(run.updates["mistakes"].sum())
    if run.converged_at is not None:
        return (f"**{gate}**: the first epoch without an error is epoch **{run.converged_at}**, after "
                f"{run.last_update - 4:,} updates of which {changed:,} changed the weights (an update changes "
                "them only when the example was wrong). From then on nothing moves: the line separates the "
                f"1s from the 0s. Final line: {line_text(*run.final)}.")
    epochs = int(run.epochs["epoch"].max())
    return (f"**{gate}**: still **{run.final_errors} errors** in epoch {epochs} — no line puts (0, 1) and (1, 0) "
            "on one side and (0, 0) and (1, 1) on the other, so every epoch some example is wrong and the line "
            "keeps jumping. The perceptron never converges on XOR (Minsky & Papert, 1969).")


def signed(value: float, first: bool = False) -> str:
    """A term of a sum as the page writes it: '−0.2' first, '+ 0.1' or '− 0.2' after."""
    magnitude = fmt.number(abs(value))
    if first:
        return f"−{magnitude}" if value < 0 else magnitude
    return f"{'−' if value < 0 else '+'} {magnitude}"


def line_text(w1: float, w2: float, b: float) -> str:
    """'0.2·x₁ + 0.1·x₂ − 0.2 = 0' (3 significant digits, as core.format writes numbers)."""
    return f"{signed(w1, True)}·x₁ {signed(w2)}·x₂ {signed(b)} = 0"


UPDATE_CHARS = 48  # a line of the perceptron figure's arithmetic: 290 px at 13 px type, 400 px at 17 px


def update_texts(run: PerceptronRun) -> pd.DataFrame:
    """The arithmetic of each update, for the perceptron figure: columns update, line (1, 2, …), text. A
    line holds about UPDATE_CHARS characters (more only for one long number): longer ones are wrapped."""
    lr = fmt.number(run.config.lr)
    fired, unfired = ("> 0", "≤ 0") if run.threshold == ">" else ("≥ 0", "< 0")
    rows = []
    for r in run.updates.itertuples():
        if r.update == 0:
            lines = ["Before the first update:",
                     f"w = ({fmt.number(r.w1)}, {fmt.number(r.w2)}), b = {fmt.number(r.b)}",
                     "drag the slider to go through the updates"]
        else:
            x = f"({fmt.number(r.x1)}, {fmt.number(r.x2)})"
            side = fired if r.predicted else unfired
            lines = [f"Update {r.update} · epoch {r.epoch} · example {x}, y = {int(r.target)}",
                     f"z = {signed(r.w1_before, True)}·{fmt.number(r.x1)} {signed(r.w2_before)}·{fmt.number(r.x2)} "
                     f"{signed(r.b_before)} = {fmt.number(r.z)} {side}, so ŷ = {int(r.predicted)}"]
            if r.error == 0:
                lines.append("y − ŷ = 0: right, so nothing changes")
            else:
                error = fmt.number(r.error)
                lines += [f"y − ŷ = {error}: w ← w + {lr}·({error})·{x} = ({fmt.number(r.w1)}, {fmt.number(r.w2)})",
                          f"b ← b + {lr}·({error}) = {fmt.number(r.b)}"]
        shown = []
        for text in lines:  # wrapped: the figure's text mark would cut a longer line off with "…"
            wrapped = wrap_text(text, UPDATE_CHARS)
            shown += [wrapped] if isinstance(wrapped, str) else [wrapped[0], *("   " + w for w in wrapped[1:])]
        rows += [{"update": r.update, "line": i + 1, "text": text} for i, text in enumerate(shown)]
    return pd.DataFrame(rows)


def rounding_note(effect: RoundingEffect | None, run: PerceptronRun) -> str:
    """Whether floating point changed an update of this run, and what exact arithmetic gives instead."""
    if effect is None:
        return ("Every update of this run makes the same decision in exact arithmetic (fractions instead of "
                "float32): floating point changed nothing here.")
    exact = (f"epoch {effect.exact_converged_at}" if effect.exact_converged_at is not None
             else "no error-free epoch within 100")
    exact_gives = int(fire(effect.z_exact, run.threshold))
    return (f"Floating point decided update {effect.update} (epoch {effect.epoch}, example "
            f"{SAMPLES[effect.sample]}): in exact arithmetic z = {fmt.number(float(effect.z_exact))} and the step "
            f"gives {exact_gives}; in float32, where {fmt.number(run.config.lr)} and every sum are rounded, "
            f"z = {fmt.number(effect.z_float)} and it gives {1 - exact_gives}. In exact arithmetic this gate's first "
            f"error-free epoch is {exact}, not {run.converged_at if run.converged_at is not None else 'never'}.")


def xor_verdict(net: XorNet) -> str:
    """What the two-layer network did on XOR, from its run."""
    if net.run.diverged_at is not None:
        return f"The two-layer network diverged at step {net.run.diverged_at}."
    outputs = ", ".join(fmt.fixed(net.rows["output"], 3))
    if net.solved:
        return (f"Solved: for (0, 0), (0, 1), (1, 0), (1, 1) the network outputs {outputs} (targets 0, 1, 1, 0). "
                "Each hidden neuron draws one line; the output neuron combines the two half-planes, "
                "which one line alone cannot do.")
    return (f"With this seed the network did not solve XOR in {len(net.run.steps):,} steps: its outputs are "
            f"{outputs} for targets 0, 1, 1, 0. Gradient descent can stall on XOR when both hidden neurons "
            "start out alike; try another seed in the sidebar.")


def hidden_note(net: XorNet) -> str:
    """Where the hidden layer puts XOR's four examples: (0, 1) and (1, 0) together, measured."""
    h = net.rows[["h1", "h2"]].to_numpy()
    gap = float(((h[1] - h[2]) ** 2).sum() ** 0.5)
    at = ["(" + ", ".join(fmt.fixed(row, 3)) + ")" for row in h]
    return (f"In the hidden neurons' outputs (h₁, h₂), (0, 1) and (1, 0) land {fmt.number(gap)} apart, at {at[1]} "
            f"and {at[2]}; (0, 0) is at {at[0]} and (1, 1) at {at[3]}. The hidden layer has moved the examples so "
            "that the output neuron's single line can separate them.")


# ---------------------------------------------------------------- the sum of three

CONVERGED, LEARNING, CONSTANT, STUCK, DIVERGED = "converged", "still learning", "predicts the mean", "stuck", "diverged"
CONVERGED_SHARE = 0.002  # validation MSE below 0.2% of the targets' variance: converged
CONSTANT_SPREAD = 0.05  # predictions spread less than 5% of the targets' spread: one number for every input
STILL_FALLING = 0.98  # the last epoch's loss is below 98% of the loss 10 epochs (or a tenth of the run) before


def steps_text(config: SumConfig) -> str:
    """'100 epochs × 32 steps = 3,200 optimizer steps' for the config."""
    per = config.steps_per_epoch
    batch = min(config.batch_size, N_TRAIN)
    what = "the whole training set in one batch" if per == 1 else f"batches of {batch:,}"
    return (f"{config.epochs:,} epoch{'s' * (config.epochs > 1)} × {per:,} step{'s' * (per > 1)} "
            f"({what}) = **{config.steps:,} optimizer steps**")


@dataclass(frozen=True)
class SumVerdict:
    kind: str  # CONVERGED, LEARNING, CONSTANT, STUCK or DIVERGED
    text: str


def falling(result: SumResult) -> float:
    """Mean training loss over the run's last tenth of steps / over the tenth before it (NaN under 2 steps):
    below STILL_FALLING, the loss was still going down when the run ended."""
    losses = result.run.steps["loss"].astype(float)
    if len(losses) < 2:
        return float("nan")
    window = max(1, len(losses) // 10)
    return float(losses.iloc[-window:].mean() / losses.iloc[-2 * window:-window].mean())


def sum_verdict(result: SumResult, query: tuple[float, float, float]) -> SumVerdict:
    """Which of the lesson's outcomes the run on screen had, in one paragraph with its numbers."""
    run = result.run
    if run.diverged_at is not None:
        return SumVerdict(DIVERGED, f"The loss became infinite at step {run.diverged_at:,}: the learning rate "
                                    f"{fmt.number(result.config.lr)} is too large for inputs in "
                                    f"[{fmt.number(result.config.low)}, {fmt.number(result.config.high)}).")
    share = result.val_mse / result.target_var
    spread = float(result.val["y_hat"].std() / result.val["y"].std())
    y_hat, truth = result.predict(query), sum(query)
    asked = f"({', '.join(fmt.number(v) for v in query)}) gives **{fmt.number(y_hat)}** (true sum {fmt.number(truth)})"
    dead = len(result.dead_after)
    steps = f"{len(run.steps):,} optimizer step{'s' * (len(run.steps) != 1)}"
    if spread < CONSTANT_SPREAD:
        why = (f"all {dead} hidden ReLUs are dead, so the output is the bias b2 whatever the input"
               if dead == 4 else f"{dead} of the 4 hidden ReLUs are dead and the rest barely vary")
        return SumVerdict(CONSTANT, f"**The network predicts the mean.** After {steps}, {why}: it outputs about "
                                    f"{fmt.number(float(result.val['y_hat'].mean()))} for every triple, near the "
                                    f"training targets' mean {fmt.number(result.target_mean)} — the best a constant "
                                    f"can do under MSE. The query {asked}.")
    if share < CONVERGED_SHARE:
        return SumVerdict(CONVERGED, f"**Converged.** After {steps}, the validation MSE is "
                                     f"{fmt.number(result.val_mse)} ({fmt.percent(share, 2)} of the targets' "
                                     f"variance): the query {asked}.")
    fall = falling(result)
    if fall != fall:  # one step: nothing to compare
        return SumVerdict(LEARNING, f"**Not converged.** After only {steps}, the validation MSE is "
                                    f"{fmt.number(result.val_mse)} ({fmt.percent(share, 0)} of the targets' "
                                    f"variance); one step is too few to tell where the loss is going. The query {asked}.")
    if fall < STILL_FALLING:
        return SumVerdict(LEARNING, f"**Not converged yet.** After only {steps}, the validation MSE is "
                                    f"{fmt.number(result.val_mse)} ({fmt.percent(share, 0)} of the targets' "
                                    f"variance) and the loss was still falling ({fmt.percent(1 - fall, 1)} lower "
                                    f"over the last tenth of the steps than over the tenth before): more steps would "
                                    f"help. The query {asked}.")
    return SumVerdict(STUCK, f"**Stuck.** After {steps}, the validation MSE is {fmt.number(result.val_mse)} "
                             f"({fmt.percent(share, 0)} of the targets' variance) and the loss has stopped "
                             f"falling; {dead} of 4 hidden ReLUs are dead. The query {asked}.")


def dead_text(result: SumResult) -> str:
    """Dead hidden units before and after training, in words."""
    def units(ids: list[int]) -> str:
        return "none" if not ids else f"{len(ids)} of 4 (unit{'s' * (len(ids) > 1)} {', '.join(map(str, ids))})"
    return (f"Dead ReLU units (output 0 for all {N_TRAIN:,} training triples): **{units(result.dead_after)}** after "
            f"training; {units(result.dead_before)} at the start.")


# ---------------------------------------------------------------- the classifier

def quickstart_steps() -> int:
    """The quickstart's optimizer steps: 5 epochs × ⌈60,000 / 64⌉ = 4,690."""
    return QUICKSTART["epochs"] * -(-QUICKSTART["n_train"] // QUICKSTART["batch_size"])


def classifier_note(result: ClassifierResult) -> str:
    """The steps this run took against the quickstart's, and, for a small learning rate, why it learned little."""
    config = result.config
    steps, quick = config.steps(result.n_train), quickstart_steps()
    acc = result.run.final_val_acc
    text = (f"This run took **{steps:,} optimizer steps** ({config.epochs} epoch{'s' * (config.epochs > 1)} × "
            f"⌈{result.n_train:,} / {config.batch_size}⌉); the quickstart's 5 epochs of 60,000 images in batches "
            f"of 64 take {quick:,}. Validation accuracy: **{fmt.percent(acc)}**.")
    if config.lr <= QUICKSTART["lr"] * 2:
        text += (f" With the quickstart's learning rate {fmt.number(config.lr)}, each step moves every weight by "
                 f"{fmt.number(config.lr)} × its gradient: {fmt.ratio(0.1 / config.lr)} less than at 0.1. The "
                 f"quickstart makes up for it with {fmt.ratio(quick / steps)} as many steps; {steps:,} such small "
                 f"steps leave the network {'far from trained' if acc < 0.8 else 'short of what 0.1 reaches'}.")
    return text


# ---------------------------------------------------------------- what to notice

def _epoch(v) -> str | None:
    return None if v is None or v != v else str(int(v))


def takeaways(table: pd.DataFrame, lr: float, net: XorNet | None, verdict: SumVerdict | None, result: SumResult | None,
              classifier: ClassifierResult | None) -> list[str]:
    """The page's "what to notice", from the runs on screen: the gate table (perceptron.gate_table at
    learning rate `lr`), the XOR network (None: refused), the sum-of-three run and its verdict, the classifier (None: not
    trained yet)."""
    done = {row.gate: _epoch(row.float_gt) for row in table.itertuples()}
    learned = [f"{g} in epoch {e}" for g, e in done.items() if e is not None]
    never = [g for g, e in done.items() if e is None]
    rounded = [f"{row.gate}'s (in exact arithmetic: "
               + (f"epoch {_epoch(row.exact_gt)})" if _epoch(row.exact_gt) else "never)")
               for row in table.itertuples() if _epoch(row.float_gt) != _epoch(row.exact_gt)]
    points = [f"With η = {fmt.number(lr)} the perceptron rule's first epoch without an error (its line then "
              "separates the gate's 1s from its 0s) came for "
              + (", ".join(learned) if learned else "no gate")
              + (f"; for {' and '.join(never)} it never came in {PERCEPTRON_EPOCHS} epochs: no single line separates "
                 "those 1s from those 0s." if never else ".")
              + (f" Floating point decided {' and '.join(rounded)}." if rounded else "")]
    if net is not None:
        points.append(("Two layers of sigmoid neurons, trained together by gradient descent, solved XOR: each "
                       "hidden neuron draws one line, and in their outputs (h₁, h₂) the four examples are separable "
                       "by one more line." if net.solved else
                       "With this seed the two-layer network did not solve XOR: gradient descent can stall; another "
                       "seed usually succeeds."))
    if result is not None and verdict is not None:
        steps = f"{len(result.run.steps):,} optimizer steps"
        points.append({
            CONVERGED: f"The sum-of-three network converged in {steps}: what counts is steps, not epochs — the "
                       "seed code's full batch makes only one step per epoch.",
            LEARNING: (f"The sum-of-three network had not converged after {steps}: with a full batch, an epoch is "
                       "a single step. Smaller batches give more steps for the same epochs."
                       if result.config.steps_per_epoch == 1 else
                       f"The sum-of-three network had not converged after {steps}: more epochs (or a larger "
                       "learning rate) would let it go on falling."),
            CONSTANT: f"The sum-of-three network learned nothing useful in {steps}: with dead ReLUs (their output "
                      "and gradient 0 for every input) it can only predict one number, and the best one under MSE "
                      "is the mean.",
            STUCK: f"The sum-of-three network got stuck after {steps}: its loss stopped falling before it could add.",
            DIVERGED: "The sum-of-three run diverged: a step of lr × gradient overshot, and each overshoot made the "
                      "next gradient larger.",
        }[verdict.kind])
    if classifier is None:
        points.append("Press **Train the classifier** to see the same loop learn images: the learning rate and "
                      "the number of steps decide how far 5 epochs get.")
    else:
        steps = classifier.config.steps(classifier.n_train)
        points.append(f"The 784-512-512-10 network reached {fmt.percent(classifier.run.final_val_acc)} validation "
                      f"accuracy in {steps:,} steps at learning rate {fmt.number(classifier.config.lr)}; the "
                      f"quickstart takes {quickstart_steps():,} steps at 0.001.")
    return points
