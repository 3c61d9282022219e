"""The CNN lesson, section 3: what the first layer learns. conv1's 16 kernels before training, after
training and the change, for the network chosen to inspect."""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
import torch

from core.lessons.cnn import arithmetic, charts, experiment, story
from core.lessons.cnn.config import IN_WORDS, NETWORKS
from core.lessons.cnn.experiment import CNNTraining
from core.lessons.cnn.inspection import neighbour_correlation
from core.models import LessonCNN
from ui.layout import show_chart
from ui.outcome import DIVERGED, RunOutcome, show_outcome
from ui.page import LessonPage
from ui.runner import derived_from


KERNEL_PX = {False: 64, True: 96}  # each kernel's side on screen; larger on a projector


@dataclass(frozen=True)
class Inspected:
    """The network chosen to inspect, as the run on screen started it and (if usable) as it ended."""

    network: str  # "plain" or "bn"
    untrained: LessonCNN
    trained: LessonCNN | None  # None: not trained yet, or its weights are not finite

    @property
    def weights_before(self) -> torch.Tensor:
        """conv1's weights at the start, (16, 1, 5, 5)."""
        return self.untrained.conv1.weight.detach()

    @property
    def weights_after(self) -> torch.Tensor | None:
        """conv1's trained weights, (16, 1, 5, 5), or None."""
        return None if self.trained is None else self.trained.conv1.weight.detach()


def inspected(page: LessonPage, result: CNNTraining | None, network: str) -> Inspected:
    """The network to inspect; says so, in the one outcome callout, when its run left nothing to inspect."""
    run = result.run(network) if result is not None else None
    # "before" is the start of the run on screen, which need not be the sidebar's seed (changed since Train)
    untrained = result.untrained(network) if result is not None else experiment.build_cnn(network, page.settings.seed)
    trained = None
    if run is not None:
        if run.diverged_at or not experiment.is_finite(run.state_dict):
            show_outcome(RunOutcome(f"The network {IN_WORDS[network]}", DIVERGED, run.diverged_at),
                         "its weights are not finite, so it has no kernels or feature maps to show. Lower the "
                         "learning rate and train again.")
        else:
            trained = experiment.load_cnn(network, run.state_dict)
    return Inspected(network, untrained, trained)


def view_owner(page: LessonPage, result: CNNTraining | None):
    """What the views of the network on screen are shared by (ui.runner.derived_from): the run, or before
    any Train the untrained network, rebuilt the same from the sidebar's seed in every session."""
    return result if result is not None else ("cnn.untrained", page.settings.seed)


def _kernel_panel(title: str, weight: torch.Tensor, big: bool):
    df = arithmetic.stack_frame(weight[:, 0])
    return df, charts.kernel_grid_chart(df, charts.weights_title(title, df), px=KERNEL_PX[big],
                                        columns=8 if big else 4)


def render(page: LessonPage, result: CNNTraining | None, network: str) -> Inspected:
    """Section 3: the choice of network (used by the sections below too) and conv1's kernels."""
    st.header("3. What the first layer learns")
    st.radio("Network to inspect", list(NETWORKS), key=page.key("network"), horizontal=True,
             format_func=NETWORKS.get)
    net = inspected(page, result, network)
    w_before, w_after = net.weights_before, net.weights_after
    st.markdown(
        "conv1's 16 kernels, each 5×5, one per output channel. Orange weights add the pixels under them, blue "
        "ones subtract. Training starts from small random numbers: neighbouring weights are unrelated "
        f"(their correlation is {neighbour_correlation(w_before):.2f}). "
        + ("" if w_after is not None else "Press **Train** to see what they become."))
    # three panels side by side on a screen; on a projector one under the other, each kernel larger
    cols = [st.container(), st.container(), st.container()] if page.big else st.columns(3)
    panels = [("Before training", w_before, "kernels-before")]
    if w_after is not None:
        panels += [(f"After training ({IN_WORDS[network]})", w_after, "kernels-after"),
                   ("Change: after − before", w_after - w_before, "kernels-change")]
    # the frames and charts of a trained run are built once for every session (ui.runner.derived_from)
    drawn = derived_from(view_owner(page, result), ("cnn.kernels", network, page.big), lambda: [
        _kernel_panel(title, weight, page.big) for title, weight, _ in panels])
    for col, (_, _, name), (df, chart) in zip(cols, panels, drawn):
        with col:
            show_chart(chart, df, name, page.big, key=f"csv-{name}", stretch=False)
    if w_after is None:
        cols[1].info("The trained kernels, and how much each weight changed, appear here after **Train**.",
                     icon=":material/grid_on:")
    else:
        st.caption(story.kernel_change_caption(w_before, w_after))
    return net
