"""The transfer lesson, sections 1 and 2: the pretrained network (trained once per server and seed,
shared by every session), the new task beside MNIST, and the pretrained network on it as it is."""
from __future__ import annotations

import time

import streamlit as st

import core.format as fmt
from core.budget import TooMuchTraining
from core.data import Dataset
from core.models import count_parameters
from core.lessons.transfer import charts, digits as digits_mod, story
from core.lessons.transfer.digits import Digits
from core.lessons.transfer.pretrain import PRETRAIN, Pretrained, ZeroShot, pretrain, zero_shot
from ui.layout import data_table, show_chart
from ui.live import time_left
from ui.outcome import outcome_of, show_outcome, show_refusal
from ui.page import LessonPage
from ui.runner import cached_result, run_cached, shared

MEASURES = {"mean pixel": 3, "pixels above 0.5": 3, "grey pixels (0.1 to 0.9) among inked": 3,
            "centre of mass row": 2, "centre of mass column": 2, "inked width (pixels)": 1}


def pretrained_network(page: LessonPage, mnist: Dataset) -> Pretrained:
    """The lesson CNN pretrained on MNIST for the sidebar's seed, on this device and data: from the shared
    cache, or trained here once (a progress bar while it trains). Stops the page if it diverged or if
    the server's training budget refuses it (with the refusal's message)."""
    key = ("transfer.pretrain", PRETRAIN, page.settings.seed, page.device, mnist.name, mnist.source)
    pre = cached_result(key)
    if pre is None:
        bar = st.progress(0.0, text="Pretraining the lesson CNN on MNIST (once per server and seed)…")
        started = time.monotonic()

        def report(p) -> None:
            bar.progress(p.fraction, text=f"Pretraining the lesson CNN on MNIST (once per server and seed): "
                                          f"step {p.step}/{p.total_steps}, epoch {p.epoch}"
                                          f"{time_left(started, p.fraction)}")
        try:
            pre = run_cached(key, lambda: pretrain(mnist, page.settings.seed, on_progress=report))
        except TooMuchTraining as exc:  # a server whose budget is smaller than the fixed pretraining
            show_refusal(exc)
            st.stop()
        finally:
            bar.empty()
    if pre.run.diverged_at:
        show_outcome(outcome_of("Pretraining on MNIST", pre.run))
        st.stop()
    return pre


def render(page: LessonPage, mnist: Dataset, digits: Digits, pre: Pretrained) -> ZeroShot:
    """Sections 1 and 2; returns the zero-shot measurement (for the charts and takeaways below)."""
    big = page.big
    st.header("1. A network pretrained on MNIST")
    s = PRETRAIN
    st.markdown(
        f"The lesson's CNN (two 5×5 convolutions with max-pooling, then one linear layer: "
        f"{count_parameters(pre.model()):,} parameters) "
        f"trained on all ten MNIST digits: {pre.n_train:,} training images, {s.epochs} epochs of SGD (batch "
        f"{s.batch_size}, learning rate {fmt.number(s.lr)}, momentum {s.momentum:g}). It is trained once per server and "
        f"seed and shared by everyone who opens this page: this is *our* pretrained network.")
    if page.settings.dataset != "mnist":
        st.caption("This lesson always pretrains on MNIST, whatever the sidebar's dataset.")
    a, b = st.columns(2)
    a.metric("Accuracy on MNIST's validation images", fmt.percent(pre.mnist_accuracy))
    a.caption(f"{len(mnist.y_val):,} images it never trained on · {fmt.seconds(pre.run.seconds)} of training on "
              f"{pre.run.device.upper()}.")

    st.header("2. The new task: scikit-learn's handwritten digits")
    st.markdown(
        "scikit-learn ships 1,797 handwritten digits of 8×8 pixels (the UCI *optdigits* set: 32×32 scans, "
        "each 4×4 block counted into one pixel of 0–16). Prepared like MNIST (scaled to 0–1, upsampled to "
        "20×20, padded to 28×28) they have MNIST's shape, but not its look. Per class, 100 images form the "
        f"**pool** that the labelled training images are drawn from; the other **{len(digits.test)}** are a "
        "fixed held-out **test set**, the same for every run on this page.")
    examples = digits_mod.examples(mnist.pixels(mnist.x_val).clamp(0, 1), mnist.y_val, digits)
    st.image(digits_mod.example_grid(examples), clamp=True, width="stretch",
             caption="The digits 0 to 9, 28 × 28 pixels each: MNIST on top, scikit-learn's below (8 × 8 upsampled "
                     "to 20 × 20 and padded, as MNIST's digits fill a 20 × 20 box).")
    compared = shared(("transfer.compare", page.device, mnist.name, mnist.source),
                      lambda: digits_mod.compare_to_mnist(mnist.pixels(mnist.x_val).clamp(0, 1), digits.pixels))
    left, right = st.columns([3, 2])
    with left:
        table = compared.copy()
        for col in table.columns[1:]:
            table[col] = [fmt.fixed([v], MEASURES[m])[0] for v, m in zip(compared[col], compared["measurement"])]
        data_table(table, hide_index=True, width="stretch")
    with right:
        mn, dg = compared.set_index("measurement").iloc[:, 0], compared.set_index("measurement").iloc[:, 1]
        st.caption(
            f"Measured on MNIST's {len(mnist.y_val):,} validation images and all 1,797 digits. Upsampling 8×8 "
            f"pixels bilinearly blurs the strokes: {fmt.percent(dg['grey pixels (0.1 to 0.9) among inked'], 0)} "
            f"of the inked pixels are grey, against {fmt.percent(mn['grey pixels (0.1 to 0.9) among inked'], 0)} "
            f"in MNIST; and the scans fill their box in both directions (ink {dg['inked width (pixels)']:.1f} "
            f"pixels wide on average, MNIST's {mn['inked width (pixels)']:.1f}), where MNIST keeps each "
            "digit's aspect ratio.")

    zs = shared(("transfer.zero_shot", PRETRAIN, page.settings.seed, page.device, mnist.name, mnist.source),
                lambda: zero_shot(pre, digits))
    left, right = st.columns([2, 3])
    with left:
        st.subheader("Zero-shot: the MNIST network as it is")
        st.metric("Accuracy on the held-out digits", fmt.percent(zs.accuracy),
                  # an ASCII sign: st.metric reads the arrow's direction from it
                  delta=f"{(zs.accuracy - pre.mnist_accuracy) * 100:+.1f} points against MNIST",
                  delta_color="normal")
        st.markdown(story.domain_shift(pre.mnist_accuracy, zs.accuracy, zs.n))
        worst = zs.most_confused()
        if worst is not None:
            t, p, n = worst
            st.caption(f"Its most frequent mistake: {n} of the test set's {t}s read as {p}.")
    with right:
        show_chart(charts.confusion_chart(zs.confusion), zs.confusion, "zero-shot-confusion", big)
    return zs
