"""What the momentum lesson's runs showed, in words built from their numbers.

- `describe` / `verdict`: what each run on the surface did, one sentence per run or all in one.
- `nesterov_notes`: why a Nesterov run diverged or oscillated, from the curvature at the minimum
  and the stability limits of both forms of momentum on a quadratic.
- `takeaway_lines`: the page's "what to notice", specific to the surface on screen.
- `training_takeaway`: what the MNIST runs showed.
"""
from __future__ import annotations

import numpy as np

from core.compare import CompareResult
from core.lessons.momentum.config import MomentumConfig
from core.lessons.momentum.experiment import ESCAPE, Outcome, Trajectory
from core.lessons.momentum.surfaces import SURFACES, VALLEY_ANGLE, VALLEY_CURVATURES, CriticalPoint, Surface
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
    surface = SURFACES[config.surface]
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
                    f"{surface.radius:g} of it (loss {o.final_loss:.3f}).")
        elif o.ended_in.endswith("minimum"):
            where = f"the **{o.ended_in}**"
            when = (f", within {surface.tol:g} of it from step {o.settled_at}" if o.settled_at is not None
                    else f", but after {o.steps} steps it is still not within {surface.tol:g} of it")
            text = f"{name}{saddle} ended in {where} (loss {o.final_loss:.3f}){when}"
            if o.oscillated:
                text += (f"; it overshot and oscillated on the way, reversing direction {o.reversals} times")
            text += "."
        elif o.ended_in == "still on the plateau":
            text = (f"{name} is still on the plateau after {o.steps} steps (loss {o.final_loss:.3f}): "
                    "the gradient there is too small to move it far.")
        else:
            text = (f"{name}{saddle} has not reached a minimum after {o.steps} steps "
                    f"(loss {o.final_loss:.3f}, {o.final_loss - surface.global_loss:.3g} above the global minimum)")
            if o.close_to:
                text += (f": it is within {surface.radius:g} of the {o.close_to}, but its loss is still more than "
                         f"{surface.loss_tol:g} above the loss there")
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
    surface = SURFACES[config.surface]
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
    scores = ", ".join(f"**{row['momentum']}** {row['val. accuracy']:.1%}" for _, row in done.iterrows())
    epochs = int(result.epochs["epoch"].max())
    text = (f"On real data, with the same weights and batches, validation accuracy after {epochs} "
            f"epoch{'s' if epochs != 1 else ''}: {scores}.")
    verdicts = {label: classify(run).kind for label, run in result.runs.items()}
    for kind in (DIVERGED, DID_NOT_TRAIN):
        runs = [label for label, k in verdicts.items() if k == kind]
        if runs:
            text += f" {kind.capitalize()}: {', '.join(runs)}."
    return text
