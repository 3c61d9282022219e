"""Lesson page: gradient descent with momentum (/momentum)."""
import re

import numpy as np
import streamlit as st

from core.charts import presenter
from core.format import number
from core.lessons.momentum import charts, experiment, regimes, story
from core.lessons.momentum.config import MomentumConfig
from core.lessons.momentum.formulas import FormulaError, check_formula, surface_for
from core.lessons.momentum.surfaces import START_LIMIT, surface_grid
from ui.animation import play_button
from ui.controls import training_controls
from ui.layout import run_table, show_chart, takeaways
from ui.page import open_page
from ui.sections.momentum import controls
from ui.sections.momentum import regimes as regime_section
from ui.state import initial_config, remember, seed_widgets
from ui.training import show_comparison, train_or_last
from ui.widgets import parse_momenta

page = open_page("momentum")
PAGE, settings, big, k = page.name, page.settings, page.big, page.key

momenta_text = controls.momenta_text
start = initial_config(PAGE, MomentumConfig)
seed_widgets(PAGE, {"surface": start.surface, "momenta": momenta_text(start.momenta), "nesterov": start.nesterov,
                    "lr": start.lr, "steps": start.steps, "x0": start.x0, "y0": start.y0,
                    "train_lr": start.train_lr, "epochs": start.epochs, "batch_size": start.batch_size,
                    "formula": start.formula, "x_lo": start.x_view[0], "x_hi": start.x_view[1],
                    "y_lo": start.y_view[0], "y_hi": start.y_view[1], "noise": start.noise})


def start_from_click() -> None:
    """A click on the surface chart moves the start point there."""
    state = st.session_state.get(k("map"))
    picked = (state or {}).get("selection", {}).get(charts.PICK) or []
    if isinstance(picked, dict):
        picked = [picked]
    if not picked:
        return
    point = picked[0]
    limit = START_LIMIT
    for axis in ("x", "y"):
        value = point.get(axis)
        if isinstance(value, (int, float)) and np.isfinite(value):
            st.session_state[k(f"{axis}0")] = round(float(np.clip(value, -limit, limit)), 2)


@st.cache_data(max_entries=64, show_spinner=False)
def explore(config: MomentumConfig, seed: int):
    """Trajectories, their outcomes, the surface grid, the lesson-form check, the takeaways and the runs
    on the regime map, cached per config (and seed, which only the gradient noise uses)."""
    surface = config.the_surface
    seed = seed if config.noise else 0
    runs = experiment.trajectories(config, seed)
    paths = experiment.paths_frame(runs, surface)
    found = experiment.outcomes(runs, surface)
    placed = regimes.run_regimes(found, runs, surface, config.lr, config.nesterov, noisy=bool(config.noise))
    return (paths, found, surface_grid(surface), experiment.lesson_form_check(config, runs),
            story.takeaway_lines(config, runs, found), story.nesterov_notes(config, found), placed)


st.title("Momentum")
try:
    _dim = surface_for(st.session_state[k("surface")], st.session_state[k("formula")],
                       (st.session_state[k("x_lo")], st.session_state[k("x_hi")]),
                       (st.session_state[k("y_lo")], st.session_state[k("y_hi")])).dim
except ValueError:
    _dim = 2
n_params = "one-parameter" if _dim == 1 else "two-parameter"
st.markdown(
    "**The question:** plain gradient descent takes a step down the current slope and forgets it. What "
    "changes if each step also keeps a fraction β of the previous one, like a heavy ball rolling downhill? "
    "**Momentum** speeds up on long slopes, rolls across flat saddles and plateaus, and can carry itself over "
    "a small bump out of a local minimum, or overshoot and swing back and forth. Every path below is "
    f"computed by PyTorch's own `torch.optim.SGD` on a {n_params} tensor.")

custom = controls.render(page)

errors = []
try:
    momenta = parse_momenta(st.session_state[k("momenta")])
except ValueError as exc:
    errors.append(str(exc))
    momenta = start.momenta
formula_text = st.session_state[k("formula")]
try:
    check_formula(formula_text)
except FormulaError as exc:
    errors.append(f"Your formula: {exc}")
    formula_text = start.formula if not custom else formula_text
try:
    config = MomentumConfig(
        surface=st.session_state[k("surface")], momenta=momenta, nesterov=st.session_state[k("nesterov")],
        lr=st.session_state[k("lr")], steps=st.session_state[k("steps")], x0=st.session_state[k("x0")],
        y0=st.session_state[k("y0")], train_lr=st.session_state[k("train_lr")],
        epochs=st.session_state[k("epochs")], batch_size=st.session_state[k("batch_size")],
        formula=formula_text, x_view=(st.session_state[k("x_lo")], st.session_state[k("x_hi")]),
        y_view=(st.session_state[k("y_lo")], st.session_state[k("y_hi")]), noise=st.session_state[k("noise")])
except ValueError as exc:
    config = None
    if not (custom and errors):  # the formula's message is already there
        errors.append(str(exc))
for message in dict.fromkeys(errors):
    st.error(message, icon=":material/error:")
if config is None or errors:
    st.stop()
remember(PAGE, config, settings)
surface = config.the_surface
order = config.labels
if custom:
    st.latex(surface.formula)
    points = ", ".join(f"{p.kind} at ({', '.join(number(v) for v in p.at)})" for p in surface.points)
    st.caption(f"Found numerically on the view: {points or 'no critical point'}.")

# ------------------------------------------------------------------ the runs
st.info(f"**Predict first:** with {', '.join(order)}, which run ends lowest, and which one overshoots? "
        "Then read the map.", icon=":material/psychology:")
paths, found, grid, check, notes, nesterov_notes, placed = explore(config, settings.seed)
method = f"{'Nesterov' if config.nesterov else 'SGD'}, lr = {number(config.lr)}" + (
    f", gradient noise σ = {config.noise:g} (seed {settings.seed})" if config.noise else "")
left, right = st.columns([3, 2])
with left:
    if surface.dim == 2:
        chart = charts.surface_chart(grid, paths, surface, order, config.steps, method)
    else:
        chart = charts.curve_chart(grid, paths, surface, order, config.steps, method)
    st.altair_chart(presenter(chart, big), width="stretch", key=k("map"), on_select=start_from_click,
                    selection_mode=[charts.PICK])
    play_button(charts.SCRUB)
    if not big:
        slug = re.sub(r"[^a-z0-9]+", "-", f"momentum-paths-{config.surface}")
        st.download_button("Download paths (CSV)", lambda: paths.to_csv(index=False).encode(), file_name=f"{slug}.csv",
                           mime="text/csv", key="csv-momentum-paths", type="tertiary", icon=":material/download:")
with right:
    log = bool(surface.minima) and bool((paths["loss"] >= surface.global_loss - 1e-9).all())
    show_chart(charts.loss_chart(paths, order, log=log), paths, "momentum-loss-per-step", big)
    if surface.minima and not log:
        st.caption("Some run went below the lowest minimum in view (the formula keeps falling outside it), "
                   "so the loss itself is drawn.")
if not custom:
    st.latex(surface.formula)
st.caption("Press **Play**, or drag the **step slider** under the map, to replay the runs in your browser; the "
           "big dots are where each run is at that step, the small dots every step so far (wide gaps = fast).")
if surface.dim == 1:
    show_chart(charts.position_chart(paths, surface, order), paths, "momentum-position-per-step", big)

st.subheader("What each run did")
table = experiment.outcome_table(found, surface)
run_table(table)
st.caption(f"Ended in: after the last step, within {number(surface.radius)} of that point and within "
           f"{number(surface.loss_tol)} of its loss. Reversals: steps that point back against the previous step "
           "(overshooting)." + (f" Escaped the saddle: came within {number(surface.radius)} of it and left for good."
                                if "escaped the saddle" in table else ""))
st.markdown("\n".join(f"- {line}" for line in story.describe(found, surface)))
if nesterov_notes:
    rule, *runs_said = nesterov_notes
    st.info(f"**Why the Nesterov runs behave so.** {rule}\n\n" + "\n".join(f"- {line}" for line in runs_said),
            icon=":material/info:")
for o in found:
    if o.diverged_at is not None:
        st.warning(f"{o.label} diverged at step {o.diverged_at}: it left the surface (|w| > {experiment.ESCAPE:g}) "
                   "or its loss stopped being finite, so that run stops there; its path is drawn up to that "
                   "step. Try a smaller learning rate.", icon=":material/warning:")
if config.noise:
    st.caption(f"Gradient noise: σ·N(0, 1) with σ = {number(config.noise)} is added to every gradient before the "
               f"step, drawn from a generator seeded with the sidebar's seed ({settings.seed}): every β sees the "
               "same draws, and the same seed repeats the same paths. (The course lab adds its noise to the loss "
               "value instead, which has no gradient, so its noisy paths are the noiseless ones: see below.)")

# ------------------------------------------------------------------ the map, and the papers' numbers
regime_section.render(page, config, placed, order, settings.seed)

# ------------------------------------------------------------------ the rule
st.header("The update rule, two ways")
rule_box = st.expander("PyTorch's form and the lesson's form are the same method: the derivation", expanded=False)
one, two = rule_box.columns(2)
with one:
    st.markdown("**As PyTorch implements it** (`torch.optim.SGD`)")
    st.latex(r"v \leftarrow \beta\, v + g, \qquad w \leftarrow w - \eta\, v")
    st.latex(r"\text{Nesterov: } w \leftarrow w - \eta\,(g + \beta\, v)")
with two:
    st.markdown("**As the lesson writes it**")
    st.latex(r"v \leftarrow \beta\, v - \eta\, g, \qquad w \leftarrow w + v")
    st.latex(r"g = \nabla L(w),\quad \eta = \text{learning rate},\quad \beta = \text{momentum}")
rule_box.markdown(
    "They are the same method: the lesson's velocity is PyTorch's multiplied by $-\\eta$. Substituting "
    "$v_{\\text{lesson}} = -\\eta\\, v_{\\text{torch}}$ into the lesson's rule gives PyTorch's, step for "
    "step, so both produce exactly the same weights as long as $\\eta$ stays fixed (they differ only "
    "when the learning rate changes during training). With $\\beta = 0$ both are plain gradient descent; "
    "on a steady slope the velocity grows to $g/(1-\\beta)$, so $\\beta = 0.9$ moves up to 10 times "
    "further per step.")
if check is not None:
    label, gap, steps = check
    rule_box.caption(f"Checked on the {label} run above: the lesson's form, written out by hand, stays within "
                     f"{number(gap)} of torch.optim.SGD's positions over {steps} steps.")

# ------------------------------------------------------------------ MNIST
device, data = page.device, page.data  # loaded here: the surfaces above need no data
st.header("Momentum on a real network")
st.markdown(
    f"The MLP 784 → 50 → 50 → 10 (ReLU) trained with SGD on {len(data.y_train):,} images, once per "
    f"momentum value above ({momenta_text(config.momenta)}): same seed, same batches, same initial "
    "weights. Only β differs. A small learning rate makes the difference easy to see.")
st.info("**Predict before you press Train:** on the surface, the largest β may have overshot. Will it also be "
        "the worst on the network, or the best?", icon=":material/psychology:")
clicked = training_controls(page, ("lr", "epochs", "batch_size"), keys={"lr": "train_lr"},
                            labels={"lr": "Learning rate (network)"})

key = ("momentum.train", config.momenta, config.nesterov, tuple(config.train_settings(b) for b in config.momenta),
       settings.seed, device, data.name, data.source)
result = train_or_last(
    PAGE, key, clicked, lambda live: experiment.train_compare(config, data, settings.seed, on_progress=live),
    order, big, "Press **Train** to train one network per momentum value (a few seconds on a CPU).")
if result is not None:
    show_comparison(result, "momentum", big)


tension = story.effective_step(config, found, result)
takeaways([*notes, story.training_takeaway(result)] + ([tension] if tension else []))
