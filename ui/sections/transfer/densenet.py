"""The transfer lesson, section 5: the real thing, torchvision's densenet121. The shape arithmetic is
drawn at once; the model itself (32 MB, seconds to build) only when asked, once per server."""
from __future__ import annotations

import pandas as pd
import streamlit as st

import core.format as fmt
from core.data import offline_requested
from core.lessons.transfer import densenet
from core.lessons.transfer.digits import Digits
from ui.layout import data_table
from ui.page import LessonPage
from ui.runner import cached_result, shared

SIDES = (28, densenet.MIN_SIDE, 32, 224)
CHECK_IMAGES = 10  # digits in the one training step on densenet121


def arithmetic_table() -> pd.DataFrame:
    """The side of every stage of densenet121's features for the SIDES inputs, one column per input."""
    frames = {s: densenet.stages(s) for s in SIDES}
    first = frames[SIDES[0]]
    table = pd.DataFrame({"stage": first["stage"], "operation": first["operation"],
                          "channels": [f"{c:,}" for c in frames[32]["channels"]]})
    for s, f in frames.items():
        table[f"{s} × {s}"] = ["0 × 0 ✗" if v == 0 else "—" if pd.isna(v) else f"{int(v)} × {int(v)}"
                               for v in f["side"]]
    return table


def render(page: LessonPage, digits: Digits) -> None:
    st.header("5. The real thing: densenet121")
    st.markdown(
        "The recipe is usually shown on an ImageNet model: `models.densenet121(pretrained=True)` (today "
        "`weights=DenseNet121_Weights.DEFAULT`), every parameter frozen, `model.classifier` replaced, the optimizer "
        "given what still requires gradients. That network cannot take our digits as they are. Its stem, a 7×7 convolution "
        "with stride 2 and a 3×3 max-pool with stride 2, and then three transitions, each with a 2×2 average pool "
        "of stride 2, halve the side five times; the dense blocks keep it. A map must keep at least one pixel "
        "through every stage:")
    st.latex(r"\text{side}_{\text{out}} = \left\lfloor \frac{\text{side}_{\text{in}} + 2p - k}{s} \right\rfloor + 1")
    data_table(arithmetic_table(), hide_index=True, width="stretch", height="content")
    st.caption("Computed from the architecture (the formula above per stage; ✗: no pixel left, —: never reached). "
               "The unit tests check every number against forward hooks on torchvision's model.")
    st.markdown(
        f"At 28×28 the map is 1×1 after the second transition, and the third one's 2×2 pool has nothing left to "
        f"average: PyTorch stops there. The smallest square input that fits is **{densenet.smallest_side()}×"
        f"{densenet.smallest_side()}**; **32×32** (five halvings to 1×1) is the usual choice, and at ImageNet's 224×224 "
        "the last map is 7×7, averaged into the classifier's 1,024 inputs. It also wants **three channels**: "
        "a grey digit is repeated into red, green and blue.")

    offline = offline_requested()
    key = ("transfer.densenet", offline, densenet.weights_file().is_file(), page.settings.seed)
    report = cached_result(key)
    if report is None:
        st.caption("Building densenet121 takes a few seconds and about 32 MB of memory: it is built once per server, "
                   "when asked.")
        if not st.button("Build densenet121 and apply the recipe", icon=":material/construction:"):
            return
        pick = digits.test[:CHECK_IMAGES]
        with st.spinner("Building densenet121…"):
            report = shared(key, lambda: densenet.report(offline, digits.pixels[pick].cpu(), digits.y[pick].cpu(),
                                                          page.settings.seed))
    weights = ("**pretrained on ImageNet**" if report.pretrained else
               "**random, not pretrained**: the counts, shapes and errors below are the same with ImageNet weights")
    (st.success if report.pretrained else st.warning)(
        f"densenet121's weights here are {weights}. {report.note}", icon=":material/info:")
    c = report.counts
    a, b, d = st.columns(3)
    a.metric("Parameters as built (1,000 ImageNet classes)", f"{report.total_before:,}")
    b.metric("Trainable after the recipe (10 classes)", f"{c['trainable']:,}")
    d.metric("Of all parameters", f"{c['total']:,}")
    st.caption(f"`model.classifier` was `{report.classifier_before}`, now `{report.classifier_after}`: "
               f"{fmt.percent(c['trainable'] / c['total'], 2)} of the network trains. Built in "
               f"{fmt.seconds(report.build_seconds)}.")
    st.markdown("What PyTorch says when a digit goes in as it is:")
    for shape, error in report.errors.items():
        if error is None:
            st.markdown(f"- `torch.zeros{shape}`: runs, giving 10 class scores.")
        else:
            st.markdown(f"- `torch.zeros{shape}`: `RuntimeError: {error}`")
    left, right = st.columns(2)
    for col, side in zip((left, right), report.shapes):
        with col:
            shown = report.shapes[side].assign(side=lambda f: [("raised the error" if pd.isna(v) else f"{int(v)} × {int(v)}")
                                                              for v in f["side"]])
            data_table(shown[["stage", "side"]], hide_index=True, width="stretch")
            st.caption(f"Measured by forward hooks on the real model, input 3 × {side} × {side}.")
    table = report.check
    frozen, head = table[~table["trainable"]], table[table["trainable"]]
    ok = not frozen["has_gradient"].any() and (frozen["largest_change"] == 0).all() and head["has_gradient"].all()
    drift = (f" But {report.bn_buffers_changed} of densenet121's {report.bn_buffers} batch-norm running statistics "
             "moved too: `requires_grad = False` freezes parameters, not buffers. A batch-norm layer in train mode "
             "keeps updating its running mean and variance; to freeze those as well, put the frozen layers in eval "
             "mode." if report.bn_buffers_changed else
             f" None of its {report.bn_buffers} batch-norm running statistics moved.")
    (st.success if ok else st.error)(
        f"One training step on {report.batch} digits at 3 × 32 × 32: {len(frozen)} frozen tensors, "
        f"{'none with a gradient, none changed' if ok else 'the check FAILED'}; the new classifier's "
        f"{len(head)} got a gradient and moved.{drift}", icon=":material/task_alt:" if ok else ":material/error:")
