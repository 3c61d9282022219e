"""What the momentum lesson's runs showed, in words built from their numbers.

- `describe` / `verdict`: what each run on the surface did, one sentence per run or all in one.
- `nesterov_notes`: why a Nesterov run diverged or oscillated, from the curvature at the minimum
  and the stability limits of both forms of momentum on a quadratic.
- `takeaway_lines`: the page's "what to notice", specific to the surface on screen.
- `training_takeaway`: what the MNIST runs showed; `effective_step`: why β = 0.9 can overshoot on a
  toy surface and still be the best on MNIST (the effective step η/(1 − β) against the curvature).
- `regime_lines`, `reproductions`: Goh's closed-form regimes checked against the runs on screen, the
  course lab's positions made here, and what the lab's "noise" does.
"""
from __future__ import annotations

import numpy as np

from core.compare import CompareResult
from core.format import number, percent
from core.reproduction import Reproduction
from core.lessons.momentum.config import MomentumConfig
from core.lessons.momentum import regimes
from core.lessons.momentum.experiment import (ESCAPE, LAB_REFERENCE, Outcome, Trajectory, lab_agrees,
                                              lab_positions)
from core.lessons.momentum.surfaces import VALLEY_ANGLE, VALLEY_CURVATURES, CriticalPoint, Surface
from core.outcome import DID_NOT_TRAIN, DIVERGED, classify


def heavy_ball_limit(beta: float) -> float:
    """Heavy-ball momentum on a quadratic of curvature λ is stable exactly while lr·λ < 2(1 + β)."""
    return 2 * (1 + beta)


def nesterov_limit(beta: float) -> float:
    """PyTorch's Nesterov on a quadratic of curvature λ is stable exactly while lr·λ < 2(1 + β)/(1 + 2β).
    (Its iteration matrix has trace 1 + β - (1 + β)lr·λ and determinant β(1 - lr·λ); Jury's test.)"""
    return 2 * (1 + beta) / (1 + 2 * beta)


def _nearest_minimum(surface: Surface, at) -> CriticalPoint:
    return min(surface.minima, key=lambda p: float(np.linalg.norm(np.asarray(at) - np.asarray(p.at))))


def _names(found: list[Outcome]) -> str:
    names = [f"**{o.label}**" for o in found]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


NESTEROV_RULE = ("With Nesterov, PyTorch's step η(g + βv) gives the newest gradient the weight 1 + β instead of 1, "
                 "so it tolerates less curvature than heavy-ball momentum: near a minimum whose steepest curvature "
                 "(the largest eigenvalue of the Hessian) is λ, a run can settle only while "
                 "η·λ < 2(1 + β)/(1 + 2β), against η·λ < 2(1 + β) without Nesterov.")


def nesterov_notes(config: MomentumConfig, found: list[Outcome]) -> list[str]:
    """With Nesterov on: the rule, then one sentence per momentum run that diverged or oscillated."""
    troubled = [o for o in found if o.beta > 0 and (o.diverged_at is not None or o.oscillated)]
    if not config.nesterov or not troubled:
        return []
    surface = config.the_surface
    lines = [NESTEROV_RULE]
    for o in troubled:
        point = _nearest_minimum(surface, o.final_at)
        lam = surface.curvature(point.at)
        a, nl, hl = config.lr * lam, nesterov_limit(o.beta), heavy_ball_limit(o.beta)
        there = f"at the {point.kind} λ = {lam:.4g}, so η·λ = {a:.3f}"
        what = (f"diverged at step {o.diverged_at}" if o.diverged_at is not None
                else f"reversed direction {o.reversals} times")
        if a >= hl:
            lines.append(f"**{o.label}** {what}: {there}, beyond even heavy-ball's limit {hl:.3f}. "
                         "The learning rate is too large for this surface with or without Nesterov.")
        elif a >= nl:
            lines.append(f"**{o.label}** {what}: {there}, not below Nesterov's limit {nl:.3f} for this β "
                         f"(heavy-ball's is {hl:.3f}), so it cannot settle there. Below η = {nl / lam:.4g} it could.")
        elif o.diverged_at is not None:
            lines.append(f"**{o.label}** {what} away from the minimum: {there}, inside Nesterov's limit {nl:.3f}, "
                         "but where it diverged the surface curves more steeply.")
        else:
            settled = f" and settles from step {o.settled_at}" if o.settled_at is not None else ""
            lines.append(f"**{o.label}** {what}: {there}, inside Nesterov's limit {nl:.3f}, so this is ordinary "
                         f"overshooting: the run is stable{settled}.")
    return lines


# ---------------------------------------------------------------- what each run did

def describe(found: list[Outcome], surface: Surface) -> list[str]:
    """One sentence per run saying what it did, built from its numbers."""
    out = []
    for o in found:
        name = f"**{o.label}**"
        if o.ended_in == "diverged":
            out.append(f"{name} diverged at step {o.diverged_at}: its steps grew until it left the surface "
                       f"(|w| > {ESCAPE:g}) or the loss stopped being finite. A smaller learning rate or "
                       "momentum keeps it on the surface.")
            continue
        saddle = ""
        if o.escaped == "yes":
            saddle = f" got past the saddle point (for good from step {o.escaped_at}) and"
        if o.ended_in == "saddle point":
            text = (f"{name} stalled at the saddle point: after {o.steps} steps it is still within "
                    f"{number(surface.radius)} of it (loss {number(o.final_loss)}).")
        elif o.ended_in.endswith("minimum"):
            where = f"the **{o.ended_in}**"
            when = (f", within {number(surface.tol)} of it from step {o.settled_at}" if o.settled_at is not None
                    else f", but after {o.steps} steps it is still not within {number(surface.tol)} of it")
            text = f"{name}{saddle} ended in {where} (loss {number(o.final_loss)}){when}"
            if o.oscillated:
                text += (f"; it overshot and oscillated on the way, reversing direction {o.reversals} times")
            text += "."
        elif o.ended_in == "still on the plateau":
            text = (f"{name} is still on the plateau after {o.steps} steps (loss {number(o.final_loss)}): "
                    "the gradient there is too small to move it far.")
        else:
            where = ", ".join(f"{v}" for v in map(number, o.final_at))
            above = (f", {number(o.final_loss - surface.global_loss)} above the global minimum" if surface.minima
                     else ": this surface has no minimum in view")
            text = (f"{name}{saddle} has not reached a minimum after {o.steps} steps: it is at ({where}) "
                    f"(loss {number(o.final_loss)}{above})")
            if o.close_to:
                text += (f"; it is within {number(surface.radius)} of the {o.close_to}, but its loss is still more "
                         f"than {number(surface.loss_tol)} above the loss there")
            if o.oscillated:
                text += f"; it reversed direction {o.reversals} times"
            text += "."
        out.append(text)
    return out


def verdict(found: list[Outcome]) -> str:
    """All runs in one sentence, e.g. "β = 0 stayed in the local minimum; β = 0.5 reached ..."."""
    parts = []
    for o in found:
        phrase = {"local minimum": "stayed in the local minimum", "saddle point": "stalled at the saddle point",
                  "still on the plateau": "is still on the plateau", "diverged": f"diverged at step {o.diverged_at}",
                  "no minimum yet": "has not reached a minimum yet"}.get(o.ended_in, f"reached the {o.ended_in}")
        if o.ended_in.endswith("minimum") and o.oscillated:
            phrase += f" but overshot and oscillated ({o.reversals} reversals)"
        if o.ended_in.endswith("minimum") and o.settled_at is not None:
            phrase += f", settling by step {o.settled_at}"
        parts.append(f"**{o.label}** {phrase}")
    return "; ".join(parts) + "."


# ---------------------------------------------------------------- takeaways

def _lowest(found: list[Outcome]) -> Outcome:
    return min(found, key=lambda o: o.beta)


def _who(o: Outcome) -> str:
    return f"plain gradient descent (**{o.label}**)" if o.beta == 0 else f"**{o.label}**"


def _settle(o: Outcome, surface: Surface) -> str:
    return f"within {surface.tol:g} from step {o.settled_at}" if o.settled_at is not None else "not settled yet"


def _two_minima(found, runs, surface, config) -> list[str]:
    low = _lowest(found)
    through = [o for o in found if o.beta > 0 and o.ended_in == "global minimum" and o.escaped == "yes"]
    if low.ended_in != "local minimum" or not through:
        return []
    steps = ", ".join(f"{o.label} at step {o.escaped_at}" for o in through)
    return [f"{_who(low).capitalize()} follows the local slope into the first valley it meets and stays in the "
            f"local minimum; the velocity of {_names(through)} carried {'it' if len(through) == 1 else 'them'} "
            f"through the pass by the saddle point ({steps}) into the deeper, global minimum."]


def _saddle(found, runs, surface, config) -> list[str]:
    stalled = [o for o in found if o.ended_in == "saddle point"]
    past = [o for o in found if o.beta > 0 and o.escaped == "yes"]
    if not stalled or not past:
        return []
    steps = ", ".join(f"{o.label} at step {o.escaped_at}" for o in past)
    return [f"At the saddle point the slope is zero, so {_names(stalled)} crept: after {stalled[0].steps} steps "
            f"still within {surface.radius:g} of it. Momentum kept {_names(past)} rolling past it ({steps})."]


def _plateau(found, runs, surface, config) -> list[str]:
    stuck = [o for o in found if o.ended_in == "still on the plateau"]
    there = [o for o in found if o.beta > 0 and o.ended_in == "global minimum"]
    if not stuck or not there:
        return []
    moved = ", ".join(f"**{o.label}** moved only {np.linalg.norm(np.subtract(o.final_at, config.start)):.2f}"
                      for o in stuck)
    steps = ", ".join(f"{o.label} {_settle(o, surface)}" for o in there)
    return [f"On the plateau the gradient is tiny: in {stuck[0].steps} steps {moved} from the start. Momentum "
            f"adds up those small steps into speed: {steps}."]


def _rosenbrock(found, runs, surface, config) -> list[str]:
    slow = [o for o in found if o.ended_in == "no minimum yet"]
    there = [o for o in found if o.beta > 0 and o.settled_at is not None]
    if not slow or not there:
        return []
    gaps = ", ".join(f"**{o.label}** {o.final_loss - surface.global_loss:.3g}" for o in slow)
    steps = ", ".join(f"**{o.label}** from step {o.settled_at}" for o in there)
    return [f"The banana valley's floor is long, curved and nearly flat: after {slow[0].steps} steps the loss is "
            f"still above the minimum's by {gaps}, while momentum kept {_names(there)} moving along the floor "
            f"to within {surface.tol:g} of (1, 1) ({steps})."]


def _valley(found, runs, surface, config) -> list[str]:
    flat, steep = VALLEY_CURVATURES
    along = np.array([np.cos(VALLEY_ANGLE), np.sin(VALLEY_ANGLE)])
    low = _lowest(found)
    lines = []
    if low.beta == 0 and low.diverged_at is None and low.oscillated and config.lr * steep > 1:
        dist = float(np.linalg.norm(low.final_at))
        lines.append(
            f"Across the valley the curvature is λ = {steep:g} and η·λ = {config.lr * steep:.2f} (plain gradient "
            f"descent needs < 2): each plain step overshoots the floor and lands on the far wall, "
            f"{low.reversals} reversals for **{low.label}**. Along the floor the curvature is {flat:g}, so each "
            f"step covers only {config.lr * flat:.1%} of the distance left: after {low.steps} steps it is still "
            f"{dist:.2f} from the minimum ({_settle(low, surface)}).")
    for o, run in zip(found, runs):
        if o.beta == 0 or o.diverged_at is not None:
            continue
        t = run.positions @ along
        crossings = int((np.diff(np.sign(t[np.abs(t) > 1e-12])) != 0).sum())
        how = (f"overshoots along the floor ({crossings} passes over the minimum) and spirals in, "
               f"{o.reversals} reversals" if o.oscillated and crossings
               else f"adds up the steady steps along the floor, {o.reversals} reversals")
        lines.append(f"**{o.label}** {how}: {_settle(o, surface)}.")
    return lines


STORIES = {"two_minima": _two_minima, "saddle": _saddle, "lesson": _saddle, "plateau": _plateau,
           "valley": _valley, "rosenbrock": _rosenbrock}


def _overshoot(found: list[Outcome], surface: Surface) -> list[str]:
    """Too much momentum: a run that oscillated and settled later than a run with less momentum."""
    settled = [o for o in found if o.settled_at is not None]
    out = []
    for o in settled:
        calmer = [c for c in settled if c.beta < o.beta and c.settled_at < o.settled_at
                  and c.reversals < o.reversals and c.ended_in == o.ended_in]
        if o.oscillated and calmer:
            c = min(calmer, key=lambda c: c.settled_at)
            out.append(f"Too much momentum overshoots: **{o.label}** reversed direction {o.reversals} times and "
                       f"was within {surface.tol:g} of the {o.ended_in} only from step {o.settled_at}, against "
                       f"step {c.settled_at} for **{c.label}** ({c.reversals} reversals).")
    return out


def takeaway_lines(config: MomentumConfig, runs: list[Trajectory], found: list[Outcome]) -> list[str]:
    """The surface's story told from the runs on screen; a sentence appears only when the numbers bear it out."""
    surface = config.the_surface
    lines = [f"On this surface: {verdict(found)}"]
    lines += STORIES.get(surface.key, lambda *a: [])(found, runs, surface, config)
    if surface.key != "valley":  # the valley's story already says who overshot
        lines += _overshoot(found, surface)
    return lines


# ---------------------------------------------------------------- MNIST

def training_takeaway(result: CompareResult | None) -> str:
    """What the page's own MNIST run showed, in one sentence: every run's accuracy, in the order of β."""
    if result is None:
        return "Press **Train** to see how momentum changes the speed of learning on real data."
    table = result.summary("momentum")
    done = table.dropna(subset=["val. accuracy"])
    if done.empty:
        return "Every run diverged before its first epoch ended: try a smaller learning rate."
    scores = ", ".join(f"**{row['momentum']}** {percent(row['val. accuracy'])}" for _, row in done.iterrows())
    epochs = int(result.epochs["epoch"].max())
    text = (f"On real data, with the same weights and batches, validation accuracy after {epochs} "
            f"epoch{'s' if epochs != 1 else ''}: {scores}.")
    verdicts = {label: classify(run).kind for label, run in result.runs.items()}
    for kind in (DIVERGED, DID_NOT_TRAIN):
        runs = [label for label, k in verdicts.items() if k == kind]
        if runs:
            text += f" {kind.capitalize()}: {', '.join(runs)}."
    return text


# ---------------------------------------------------------------- β = 0.9: too much here, best on MNIST

def effective_step(config: MomentumConfig, found: list[Outcome], result: CompareResult | None) -> str | None:
    """Why the same β can overshoot on the surface and be the best choice on MNIST: on a steady slope
    momentum's step grows to η/(1 − β) times the gradient, so what matters is η/(1 − β) against the
    curvature. Said only when the page's own runs show the tension (a β > 0 overshot on the surface and
    the best MNIST run, one that trained (core.outcome), is that β or larger)."""
    if result is None:
        return None
    trained = [label for label, run in result.runs.items() if not classify(run).failed]
    table = result.summary("momentum").dropna(subset=["val. accuracy"])
    table = table[table["momentum"].isin(trained)]
    if table.empty:
        return None
    best = table.loc[table["val. accuracy"].idxmax()]
    best_beta = next((b for b in config.momenta if f"β = {b:g}" == best["momentum"]), None)
    wild = [o for o in found if o.beta > 0 and (o.oscillated or o.diverged_at is not None)]
    if best_beta is None or best_beta == 0 or not any(o.beta <= best_beta for o in wild):
        return None
    o = max((o for o in wild if o.beta <= best_beta), key=lambda o: o.beta)
    surface = config.the_surface
    lam = (f" against a curvature of {number(surface.curvature(min(surface.minima, key=lambda p: surface.loss_at(p.at)).at))} at the global minimum"
           if surface.minima else "")
    return (f"**β = {o.beta:g} overshoots on the surface, yet β = {best_beta:g} is the best on MNIST**: on a steady "
            f"slope momentum's step grows to η/(1 − β) times the gradient. On the surface, η = {number(config.lr)} "
            f"and β = {o.beta:g} make an effective step of {number(config.lr / (1 - o.beta))}{lam}: too long, so it "
            f"swings past the minimum. On the network, η = {number(config.train_lr)} with β = {best_beta:g} is an "
            f"effective step of {number(config.train_lr / (1 - best_beta))}, while plain SGD's "
            f"{number(config.train_lr)} is too short to get far in {config.epochs} epoch"
            f"{'s' if config.epochs != 1 else ''}: the best β depends on the learning rate and the curvature.")


# ---------------------------------------------------------------- the closed-form regimes

def regime_lines(placed: list[regimes.RunRegime], nesterov: bool) -> list[str]:
    """One sentence per run: where it sits on the (ηλ, β) map, what the closed form predicts, what it did."""
    short = {regimes.MONOTONE: "converges without overshooting", regimes.RIPPLES: "converges in ripples",
             regimes.FLIPS: "converges, flipping sides every step", regimes.DIVERGES: "diverges"}
    out = []
    for r in placed:
        a = " and ".join(number(v) for v in r.a)
        line = f"**{r.label}** ({r.minimum.kind}): η·λ = {a}, so it {short[r.regime]}"
        line += f", ρ = {number(r.rho, digits=4)} per step." if r.regime != regimes.DIVERGES else "."
        if r.measured is not None:
            line += (f" Measured: {number(r.measured, digits=4)} "
                     f"({'as predicted' if r.verdict else 'not as predicted'}).")
        elif r.verdict:
            line += f" It {r.observed}, as predicted."
        elif r.verdict is False:
            line += f" Yet it {r.observed}."
        else:
            line += f" It {r.observed}: no test."
        out.append(line)
    return out


GOH_URL = "https://distill.pub/2017/momentum/"
LAB_SOURCE = ("IBM, *Deep Neural Networks with PyTorch*, lab “Momentum with Different Polynomials”")


def regime_reproduction(placed: list[regimes.RunRegime], noise: float) -> Reproduction:
    """Goh's regimes against the runs on screen: reproduced if every run that tests the prediction agrees."""
    tested = [r for r in placed if r.verdict is not None]
    rates = [f"{r.label}: ρ {number(r.rho, digits=4)} predicted, {number(r.measured, digits=4)} measured"
             for r in tested if r.measured is not None]
    diverged = [f"{r.label} diverged, as predicted" for r in tested if r.measured is None and r.verdict]
    wrong = [r.label for r in tested if not r.verdict]
    if not tested:
        measured = ("No run on screen tests it: none settled in a minimum long enough to measure its rate"
                    + (" (gradient noise keeps the runs jittering)" if noise else "") + ", and none was predicted to diverge.")
    else:
        measured = "; ".join(rates + diverged) + "."
        if wrong:
            measured += f" Not as predicted: {', '.join(wrong)}."
    return Reproduction(
        "Goh, “Why Momentum Really Works”, Distill 2017",
        "On a quadratic of curvature λ, momentum's error obeys a 2 × 2 linear recurrence: the roots of "
        "z² − (1 + β − ηλ) z + β say whether it converges smoothly, in ripples, overshooting every step, or "
        "diverges (for ηλ ≥ 2(1 + β)), and their largest modulus ρ is the rate.",
        "Converges iff 0 < ηλ < 2(1 + β); rate ρ = max |z| (√β in the ripple region).",
        measured, None if not tested else not wrong,
        "The rate is measured as the slope of ln ‖(e_k, e_{k−1})‖ over the steps after a run stays near its "
        f"minimum (agreement: within {regimes.RATE_TOLERANCE:.0%} of −ln ρ).", GOH_URL)


def lab_reproduction() -> Reproduction:
    """The course lab's polynomial positions, made here with torch.optim.SGD."""
    ours = lab_positions()
    parts, wrong = [], []
    for name, (ref, tol, what) in LAB_REFERENCE.items():
        value = ours[name]
        parts.append(f"{what}: {number(value)}")
        if not lab_agrees(name, value):
            wrong.append(what)
    published = ("w³ from w₀ = 4, lr 0.01, 10 updates: plain SGD crawls towards the saddle at 0 (w = 1.74), "
                 "β = 0.9 goes past it (w = −4.1). The quartic from w₀ = 6, lr 0.001, 100 updates: β = 0 and "
                 "β = 0.5 stop in the local minimum w = 4 (β = 0.5 swings to 3.83 first), β = 0.9 reaches the "
                 "global minimum near −2, β = 0.99 swings to −3.96 and back past 3.8, Nesterov β = 0.9 stays at 4.")
    return Reproduction(LAB_SOURCE, "Momentum carries a run past a saddle point and out of a local minimum, "
                        "and too much of it swings the run back out of the global one.", published,
                        "; ".join(parts) + ".", not wrong,
                        ("Not matched: " + ", ".join(wrong) + ". ") if wrong else
                        "Choose the lab's polynomials under Loss surface to see these runs.")


def noise_reproduction(gap: float, sigma: float) -> Reproduction:
    """The lab adds its noise to the loss value; `gap` is the largest difference it made to a path here."""
    return Reproduction(
        LAB_SOURCE, "The lab's “noisy” runs add σ·N(0, 1) to the loss value before backward().",
        "Its noisy plots are meant to show momentum smoothing out noise.",
        f"With σ = {number(sigma)} added to the loss value, the path moved by at most {number(gap)} from the "
        "noiseless one: a number added to the loss has no gradient, so the lab's noisy paths are the noiseless "
        "ones.", gap == 0.0,
        "On this page, σ is added to the gradient itself (before optimizer.step(), seeded by the sidebar's seed), "
        "which is what makes a path noisy.")
