"""Lesson page: gradient descent with momentum (/momentum)."""
import re

import numpy as np
import streamlit as st

from core.charts import presenter
from core.lessons.momentum import charts, experiment, story
from core.lessons.momentum.config import LR_LIMITS, MAX_RUNS, MAX_STEPS, MomentumConfig
from core.lessons.momentum.surfaces import START_LIMIT, SURFACES, surface_grid
from ui.controls import training_controls
from ui.layout import show_chart, takeaways
from ui.page import open_page
from ui.state import initial_config, remember, seed_widgets
from ui.training import show_comparison, train_or_last
from ui.widgets import parse_momenta

page = open_page("momentum")
PAGE, settings, big, k = page.name, page.settings, page.big, page.key


def momenta_text(values) -> str:
    return ", ".join(f"{b:g}" for b in values)


start = initial_config(PAGE, MomentumConfig)
seed_widgets(PAGE, {"surface": start.surface, "momenta": momenta_text(start.momenta), "nesterov": start.nesterov,
                    "lr": start.lr, "steps": start.steps, "x0": start.x0, "y0": start.y0,
                    "train_lr": start.train_lr, "epochs": start.epochs, "batch_size": start.batch_size})


def use_surface_preset() -> None:
    """A newly chosen surface comes with the start, learning rate and steps that tell its story."""
    for name, value in SURFACES[st.session_state[k("surface")]].preset.items():
        st.session_state[k(name)] = value


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
def explore(config: MomentumConfig):
    """Trajectories, their outcomes, the surface grid, the lesson-form check and the takeaways, cached per config."""
    surface = SURFACES[config.surface]
    runs = experiment.trajectories(config)
    paths = experiment.paths_frame(runs, surface)
    found = experiment.outcomes(runs, surface)
    return (paths, found, surface_grid(surface), experiment.lesson_form_check(config, runs),
            story.takeaway_lines(config, runs, found), story.nesterov_notes(config, found))


st.title("Momentum")
n_params = "one-parameter" if SURFACES[st.session_state[k("surface")]].dim == 1 else "two-parameter"
st.markdown(
    "Plain gradient descent takes a step down the current slope and forgets it. **Momentum** keeps a "
    "running velocity: each step adds the new gradient to a fraction $\\beta$ of the previous step. "
    "Like a heavy ball, it speeds up on long slopes, rolls across flat saddles and plateaus, and can "
    "carry itself over a small bump out of a local minimum — or overshoot and swing back and forth. "
    f"Every path below is computed by PyTorch's own `torch.optim.SGD` on a {n_params} tensor.")

# ------------------------------------------------------------------ controls
with st.container(border=True):
    a, b, c = st.columns([3, 3, 1.5])  # room for "Nesterov" in presenter mode
    a.selectbox("Loss surface", list(SURFACES), key=k("surface"), on_change=use_surface_preset,
                format_func=lambda key: SURFACES[key].label)
    b.text_input("Momentum values β (comma-separated)", key=k("momenta"),
                 help="One run per value, e.g. 0, 0.5, 0.9. β = 0 is plain gradient descent; at most "
                      f"{MAX_RUNS} values, each from 0 to 0.999.")
    c.toggle("Nesterov", key=k("nesterov"), help="PyTorch's Nesterov variant: the step uses g + βv.")
    surface_now = SURFACES[st.session_state[k("surface")]]
    d, e, f, g = st.columns(4)
    d.number_input("Learning rate", *LR_LIMITS, key=k("lr"), format="%.4f", step=0.005)
    e.number_input("Steps", 1, MAX_STEPS, key=k("steps"), step=50)
    f.number_input("Start x", -START_LIMIT, START_LIMIT, key=k("x0"), step=0.1, format="%.2f")
    g.number_input("Start y", -START_LIMIT, START_LIMIT, key=k("y0"), step=0.1, format="%.2f",
                   disabled=surface_now.dim == 1, help="Not used on the 1-D curve." if surface_now.dim == 1 else None)
    st.caption(f"{surface_now.about} Click the chart to start from that point; choosing a surface "
               "resets the start, learning rate and steps to ones that show its story.")

errors = []
try:
    momenta = parse_momenta(st.session_state[k("momenta")])
except ValueError as exc:
    errors.append(str(exc))
    momenta = start.momenta
try:
    config = MomentumConfig(
        surface=st.session_state[k("surface")], momenta=momenta, nesterov=st.session_state[k("nesterov")],
        lr=st.session_state[k("lr")], steps=st.session_state[k("steps")], x0=st.session_state[k("x0")],
        y0=st.session_state[k("y0")], train_lr=st.session_state[k("train_lr")],
        epochs=st.session_state[k("epochs")], batch_size=st.session_state[k("batch_size")])
except ValueError as exc:
    config = None
    errors.append(str(exc))
for message in errors:
    st.error(message, icon=":material/error:")
if config is None or errors:
    st.stop()
remember(PAGE, config, settings)
surface = SURFACES[config.surface]
order = config.labels

# ------------------------------------------------------------------ the runs
paths, found, grid, check, notes, nesterov_notes = explore(config)
method = f"{'Nesterov' if config.nesterov else 'SGD'}, lr = {config.lr:g}"
left, right = st.columns([3, 2])
with left:
    if surface.dim == 2:
        chart = charts.surface_chart(grid, paths, surface, order, config.steps, method)
    else:
        chart = charts.curve_chart(grid, paths, surface, order, config.steps, method)
    st.altair_chart(presenter(chart, big), width="stretch", key=k("map"), on_select=start_from_click,
                    selection_mode=[charts.PICK])
    slug = re.sub(r"[^a-z0-9]+", "-", f"momentum-paths-{config.surface}")
    st.download_button("Download paths (CSV)", paths.to_csv(index=False).encode(), file_name=f"{slug}.csv",
                       mime="text/csv", key="csv-momentum-paths", type="tertiary", icon=":material/download:")
with right:
    show_chart(charts.loss_chart(paths, order), paths, "momentum-loss-per-step", big)
st.latex(surface.formula)
st.caption("Drag the **step slider** under the map to replay the runs in your browser; the big dots are "
           "where each run is at that step, the small dots every step so far (wide gaps = fast).")
if surface.dim == 1:
    show_chart(charts.position_chart(paths, surface, order), paths, "momentum-position-per-step", big)

st.subheader("What each run did")
table = experiment.outcome_table(found, surface)
st.dataframe(table, hide_index=True, width="stretch",
             column_config={"final loss": st.column_config.NumberColumn(format="%.4f"),
                            "above global min": st.column_config.NumberColumn(format="%.2e")})
st.caption(f"Ended in: after the last step, within {surface.radius:g} of that point and within "
           f"{surface.loss_tol:g} of its loss. Reversals: steps that point back against the previous step "
           "(overshooting)." + (f" Escaped the saddle: came within {surface.radius:g} of it and left for good."
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

# ------------------------------------------------------------------ the rule
st.header("The update rule, two ways")
one, two = st.columns(2)
with one:
    st.markdown("**As PyTorch implements it** (`torch.optim.SGD`)")
    st.latex(r"v \leftarrow \beta\, v + g, \qquad w \leftarrow w - \eta\, v")
    st.latex(r"\text{Nesterov: } w \leftarrow w - \eta\,(g + \beta\, v)")
with two:
    st.markdown("**As the lesson writes it**")
    st.latex(r"v \leftarrow \beta\, v - \eta\, g, \qquad w \leftarrow w + v")
    st.latex(r"g = \nabla L(w),\quad \eta = \text{learning rate},\quad \beta = \text{momentum}")
st.markdown(
    "They are the same method: the lesson's velocity is PyTorch's multiplied by $-\\eta$. Substituting "
    "$v_{\\text{lesson}} = -\\eta\\, v_{\\text{torch}}$ into the lesson's rule gives PyTorch's, step for "
    "step, so both produce exactly the same weights as long as $\\eta$ stays fixed (they differ only "
    "when the learning rate changes during training). With $\\beta = 0$ both are plain gradient descent; "
    "on a steady slope the velocity grows to $g/(1-\\beta)$, so $\\beta = 0.9$ moves up to 10 times "
    "further per step.")
if check is not None:
    label, gap, steps = check
    st.caption(f"Checked on the {label} run above: the lesson's form, written out by hand, stays within "
               f"{gap:.1e} of torch.optim.SGD's positions over {steps} steps.")

# ------------------------------------------------------------------ MNIST
device, data = page.device, page.data  # loaded here: the surfaces above need no data
st.header("Momentum on a real network")
st.markdown(
    f"The MLP 784 → 50 → 50 → 10 (ReLU) trained with SGD on {len(data.y_train):,} images, once per "
    f"momentum value above ({momenta_text(config.momenta)}): same seed, same batches, same initial "
    "weights. Only β differs. A small learning rate makes the difference easy to see.")
clicked = training_controls(page, ("lr", "epochs", "batch_size"), keys={"lr": "train_lr"},
                            labels={"lr": "Learning rate (network)"})

key = ("momentum.train", config.momenta, config.nesterov, tuple(config.train_settings(b) for b in config.momenta),
       settings.seed, device, data.name, data.source)
result = train_or_last(
    PAGE, key, clicked, lambda live: experiment.train_compare(config, data, settings.seed, on_progress=live),
    order, big, "Press **Train** to train one network per momentum value (a few seconds on a CPU).")
if result is not None:
    show_comparison(result, "momentum", big)


takeaways([*notes, story.training_takeaway(result)])
