"""The basics lesson, part 3: the training loop made visible on the 3 → 4 ReLU → 1 network that learns
a + b + c. The controls (learning rate, epochs, batch size, the inputs' range, presets), one step up close
(the batch, the forward numbers, the loss, every gradient read from autograd and the update the optimizer
applies, beside the lines of PyTorch that compute them), then the whole run, its outcome and a
prediction box."""
from __future__ import annotations

import dataclasses
import inspect

import streamlit as st

import core.format as fmt
from core.lessons.basics import charts, experiment, loop, story
from core.lessons.basics.config import (AUTORUN_STEPS, INPUT, MAX_STEP, N_TRAIN, QUERY, SUM_LIMITS, SUM_PRESETS,
                                        SumConfig)
from core.training import Progress
from ui.controls import training_controls
from ui.layout import data_table, show_chart
from ui.outcome import outcome_of, show_outcome
from ui.page import LessonPage
from ui.sections.basics.parts import read
from ui.training import train_or_last

FIELDS = ("lr", "epochs", "batch_size", "low", "high")
SHOWN_ROWS = 32  # rows of the batch table (a full batch of 1,000 is cut)


def use_preset(page: LessonPage, name: str) -> None:
    for field, value in SUM_PRESETS[name].items():
        st.session_state[page.key(field)] = value


def controls(page: LessonPage) -> bool:
    """The training box: presets, the inputs' range, learning rate, epochs, batch size, and Train."""
    k = page.key

    def above() -> None:
        st.markdown("**Presets:**")
        columns = st.columns(len(SUM_PRESETS))
        for column, name in zip(columns, SUM_PRESETS):
            column.button(name.capitalize(), key=k(f"preset_{name}"), on_click=use_preset, args=(page, name),
                          width="stretch")
        a, b = st.columns(2)
        a.number_input("Inputs from (low end)", *INPUT, step=1.0, key=k("low"), format="%.2f")
        b.number_input("…up to (high end)", *INPUT, step=1.0, key=k("high"), format="%.2f")

    return training_controls(page, ("lr", "epochs", "batch_size"), limits=SUM_LIMITS, above=above,
                             button="Train all the steps",
                             options={"lr": {"step": 0.005, "format": "%.4f"},
                                      "batch_size": {"help": f"Triples per step; {N_TRAIN:,} is the whole "
                                                             "training set (full batch)."}})


def move_step(page: LessonPage, by: int | None, total: int) -> None:
    """Advance the step mode by `by` steps (None: back to step 1), within 1..total."""
    key = page.key("step")
    st.session_state[key] = 1 if by is None else max(1, min(total, st.session_state[key] + by))


def stepper(page: LessonPage, config: SumConfig, seed: int, k: int) -> loop.SteppedTraining:
    """The session's step-mode run, advanced to step k (rebuilt from the seed if it is past k or of other settings)."""
    slot = f"_stepper.{page.name}"
    key, run = st.session_state.get(slot, (None, None))
    if key != (config, seed) or run.taken > k:
        run = experiment.stepper(config, seed)
        st.session_state[slot] = ((config, seed), run)
    run.advance_to(k)
    return run


def step_mode(page: LessonPage, config: SumConfig, seed: int) -> None:
    k = page.key
    total = min(config.steps, MAX_STEP)  # the steps the step mode can reach
    if st.session_state[k("step")] > total:
        st.session_state[k("step")] = total
    st.subheader("One step, up close")
    st.markdown(
        "Every network learns by repeating four things: a **forward pass** (the predictions for a mini-batch), "
        "the **loss** (one number: how wrong they are), a **backward pass** (autograd computes the gradient "
        "∂loss/∂w of every weight), and an **optimizer step** (SGD moves each weight against its gradient: "
        "w ← w − lr · ∂loss/∂w). Take the steps one at a time:")
    a, b, c, d = st.columns([1, 1, 1, 2])
    step = st.session_state[k("step")]
    a.button("Take one step", on_click=move_step, args=(page, 1, total), disabled=step >= total, type="primary",
             icon=":material/skip_next:", key=k("one_step"))
    b.button("Take 10 steps", on_click=move_step, args=(page, 10, total), disabled=step >= total,
             icon=":material/fast_forward:", key=k("ten_steps"))
    c.button("Start over", on_click=move_step, args=(page, None, total), disabled=step <= 1,
             icon=":material/replay:", key=k("restart"))
    record = stepper(page, config, seed, st.session_state[k("step")]).last
    d.markdown(f"**Step {record.step:,} of {config.steps:,}** · epoch {record.epoch}, batch {record.batch} of "
               f"{config.steps_per_epoch}")
    if total < config.steps and record.step == total:
        d.caption(f"One step at a time goes up to step {MAX_STEP:,}; **Train all the steps** runs all "
                  f"{config.steps:,}.")
    left, right = st.columns([1, 1])
    with left:
        st.markdown("The lines that ran (`core.lessons.basics.loop.one_step`, called once per mini-batch):")
        st.code(inspect.getsource(loop.one_step), language="python")
        st.caption("core.training.train, which trains every network of this course, does the same five things "
                   "in the same order on the same batches; the tests check that k steps here leave exactly the "
                   "weights k steps of the engine leave.")
    with right:
        st.markdown(f"**Forward pass** on the batch of {len(record.y):,} triples "
                    f"(s = W1·x + b1, h = ReLU(s), ŷ = W2·h + b2):")
        table = record.forward_table()
        shown = table.head(SHOWN_ROWS)
        data_table(shown.assign(**{c: fmt.fixed(shown[c], 4) for c in shown.columns if c != "row"}),
                     hide_index=True, height=260, width="stretch")
        if len(table) > SHOWN_ROWS:
            st.caption(f"The first {SHOWN_ROWS} of the batch's {len(table):,} rows.")
        st.markdown("**Loss** (mean squared error over the batch):")
        st.latex(rf"L = \frac{{1}}{{{len(table)}}}\sum_i (\hat y_i - y_i)^2 = {fmt.number(record.loss, digits=4)}")
    st.markdown(f"**Backward pass and optimizer step** (lr = {fmt.number(record.lr)}): every weight's gradient, read "
                "from `w.grad` after `loss.backward()`, and what `optimizer.step()` did with it.")
    params = record.parameters()
    gap = float((params["after"] - params["check"]).abs().max())
    shown = params.assign(**{c: fmt.fixed(params[c], 6) for c in ("before", "gradient", "lr_grad", "after")})
    data_table(shown.drop(columns="check").rename(columns={"lr_grad": "lr × gradient"}), hide_index=True,
                 width="stretch", height=300)
    zero = int((params["gradient"] == 0).sum())
    agree = "exactly" if gap == 0 else f"to within {fmt.number(gap)} (float32 rounding)"
    st.caption(f"after = before − lr × gradient for all {len(params)} parameters, {agree}. {zero} gradient{'s are' if zero != 1 else ' is'} exactly 0: "
               "a unit whose ReLU outputs 0 for the whole batch passes no gradient back.")
    with st.expander("The same gradients by the chain rule"):
        hand = loop.chain_rule(record)
        st.latex(r"\frac{\partial L}{\partial \hat y_i} = \frac{2(\hat y_i - y_i)}{B},\quad "
                 r"\frac{\partial L}{\partial W_2} = \sum_i \frac{\partial L}{\partial \hat y_i} h_i^\top,\quad "
                 r"\frac{\partial L}{\partial b_2} = \sum_i \frac{\partial L}{\partial \hat y_i}")
        st.latex(r"\frac{\partial L}{\partial s_i} = \Big(W_2^\top \frac{\partial L}{\partial \hat y_i}\Big) \odot "
                 r"[s_i > 0],\quad \frac{\partial L}{\partial W_1} = \sum_i \frac{\partial L}{\partial s_i} x_i^\top,"
                 r"\quad \frac{\partial L}{\partial b_1} = \sum_i \frac{\partial L}{\partial s_i}")
        worst = max(float((hand[n].float() - record.grads[n]).abs().max()) for n in hand)
        st.markdown(f"Computed by hand in float64 from the forward numbers above, these match autograd's gradients "
                    f"to within {fmt.number(worst)} for every parameter.")


def without_accuracy(live):
    """A regression run has no accuracy: the live display gets no epochs to draw one from."""
    def report(p: Progress) -> None:
        live(dataclasses.replace(p, epochs=p.epochs.iloc[0:0]))
    return report


def full_run(page: LessonPage, config: SumConfig, clicked: bool, seed: int) -> experiment.SumResult | None:
    big = page.big
    st.subheader("All the steps")
    key = ("basics.sum", config, seed, "cpu")
    result = train_or_last(
        f"{page.name}.sum", key, clicked, lambda live: experiment.train_sum(config, seed, on_progress=without_accuracy(live)),
        [experiment.SUM_LABEL], big,
        f"Press **Train all the steps** to train {config.steps:,} steps (this many are not trained on a first visit).",
        autorun=config.steps <= AUTORUN_STEPS, live_options={"loss_title": "MSE", "classes": None})
    return result


def show_run(page: LessonPage, result: experiment.SumResult, query: tuple[float, float, float]) -> story.SumVerdict:
    big, k = page.big, page.key
    run = result.run
    verdict = story.sum_verdict(result, query)
    if verdict.kind == story.DIVERGED:
        show_outcome(outcome_of(experiment.SUM_LABEL, run))
    else:
        (st.success if verdict.kind == story.CONVERGED else st.warning)(verdict.text)
    st.markdown(f"{story.steps_text(result.config)} · inputs from [{fmt.number(result.config.low)}, "
                f"{fmt.number(result.config.high)}) · lr {fmt.number(result.config.lr)}. "
                + story.dead_text(result))
    left, right = st.columns(2)
    with left:
        if len(run.steps):
            show_chart(charts.mse_chart(run.steps, run.epochs, experiment.SUM_LABEL), run.steps, "sum-mse", big)
    with right:
        if run.diverged_at is None:
            show_chart(charts.fit_chart(result.val, result.target_mean), result.val, "sum-predictions", big)
    if run.diverged_at is None:
        st.markdown("**Ask the trained network:**")
        a, b, c, d = st.columns(4)
        for column, name, label in ((a, "q1", "a"), (b, "q2", "b"), (c, "q3", "c")):
            column.number_input(label, *QUERY, step=0.1, key=k(name), format="%.2f")
        triple = tuple(float(st.session_state[k(n)]) for n in ("q1", "q2", "q3"))
        y_hat = result.predict(triple)
        d.metric("The network's ŷ", fmt.number(y_hat))
        d.caption(f"True sum {fmt.number(sum(triple))}: off by {fmt.number(y_hat - sum(triple))}.")
    return verdict


def render(page: LessonPage, seed: int) -> tuple[SumConfig, experiment.SumResult | None, dict]:
    st.header("3. The training loop, made visible")
    st.markdown(
        f"A network of 3 inputs → 4 ReLU neurons → 1 output learns to **add three numbers**. It sees "
        f"{N_TRAIN:,} random triples (a, b, c) with their sums, the loss is the mean squared error "
        "(`nn.MSELoss`), and plain SGD (`torch.optim.SGD`, no momentum) updates its 21 weights and biases. "
        "Predict before you train: with the seed code's full batch, how close does (0.2, 0.3, 0.4) get to 0.9?")
    clicked = controls(page)
    config, values = read(page, FIELDS, SumConfig)
    st.markdown(f"{story.steps_text(config)}: an epoch is one pass over the {N_TRAIN:,} triples, and each batch makes "
                "one optimizer step.")
    step_mode(page, config, seed)
    result = full_run(page, config, clicked, seed)
    return config, result, values
