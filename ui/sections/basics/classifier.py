"""The basics lesson, part 4: the PyTorch quickstart's 784-512-512-10 ReLU MLP with cross-entropy, trained
live behind a button on the sidebar's dataset: loss, validation accuracy, the steps against the
quickstart's, a confusion matrix and the most confident mistakes (the CNN lesson's image grid)."""
from __future__ import annotations

import streamlit as st

import core.format as fmt
from core.compare import CompareResult
from core.data import Dataset
from core.lessons.basics import charts, experiment, story
from core.lessons.basics.config import CLASSIFIER_LIMITS, QUICKSTART, ClassifierConfig
from core.lessons.cnn import charts as cnn_charts
from core.lessons.cnn.experiment import data_label
from core.lessons.cnn.inspection import misclassified, misclassified_frame
from ui.controls import training_controls
from ui.layout import show_chart
from ui.page import LessonPage
from ui.sections.basics.parts import read
from ui.training import show_comparison, train_or_last

FIELDS = ("mlp_lr", "mlp_epochs", "mlp_batch_size", "standardise")
MISTAKES = 12  # most confident mistakes shown


def render(page: LessonPage, data: Dataset, seed: int) -> tuple[experiment.ClassifierResult | None, dict]:
    k, big = page.key, page.big
    name = data_label(data.name, data.source)
    st.header("4. A real classifier")
    st.markdown(
        "The same loop trains the network of the [PyTorch quickstart]"
        "(https://pytorch.org/tutorials/beginner/basics/quickstart_tutorial.html): 28 × 28 = 784 pixels → 512 "
        "ReLU → 512 ReLU → 10 scores, one per class, with the cross-entropy loss (`nn.CrossEntropyLoss`) and "
        f"plain SGD. Here it learns {name} ({len(data.y_train):,} training images, {len(data.y_val):,} for "
        "validation; the sidebar picks the dataset). This page starts at a learning rate of 0.1; the quickstart "
        "uses 0.001, over 60,000 images. Predict how far 5 epochs get at 0.001 here, then type 0.001 into "
        "**Learning rate** and train.")
    clicked = training_controls(
        page, ("lr", "epochs", "batch_size"), limits=CLASSIFIER_LIMITS, button="Train the classifier",
        keys={"lr": "mlp_lr", "epochs": "mlp_epochs", "batch_size": "mlp_batch_size"},
        options={"lr": {"step": 0.01, "format": "%.4f"}},
        above=lambda: st.toggle("Standardise the pixels (mean 0, variance 1)", key=k("standardise"),
                                help="Off: pixels in [0, 1], as the quickstart's ToTensor() gives them. On: as "
                                     "every other lesson of this course feeds them."))
    config, values = read(page, FIELDS, lambda mlp_lr, mlp_epochs, mlp_batch_size, standardise: ClassifierConfig(
        mlp_lr, mlp_epochs, mlp_batch_size, standardise))
    steps, quick = config.steps(len(data.y_train)), story.quickstart_steps()
    st.caption(f"{config.epochs} epoch{'s' * (config.epochs > 1)} × ⌈{len(data.y_train):,} / {config.batch_size}⌉ = "
               f"**{steps:,} optimizer steps** (the quickstart: {QUICKSTART['epochs']} × ⌈60,000 / 64⌉ = {quick:,}).")
    key = ("basics.classifier", config, seed, page.device, data.name, data.source)
    result = train_or_last(
        f"{page.name}.classifier", key, clicked,
        lambda live: experiment.train_classifier(config, data, seed, on_progress=live),
        [experiment.CLASSIFIER_LABEL], big,
        f"Press **Train the classifier** to train {steps:,} steps of the 784-512-512-10 network (several seconds "
        "on a 2-core CPU).")
    if result is None:
        return None, values
    show_comparison(CompareResult({experiment.CLASSIFIER_LABEL: result.run}), "network", big)
    st.markdown(story.classifier_note(result))
    if result.run.diverged_at is not None or not len(result.predictions):
        return result, values
    here = result.dataset == (data.name, data.source)
    if not here:
        st.info(f"This run was trained on {data_label(*result.dataset)}; the sidebar now shows {name}. Press "
                "**Train the classifier** to train on it.", icon=":material/swap_horiz:")
    left, right = st.columns(2)
    with left:
        show_chart(charts.confusion_chart(result.confusion, result.classes), result.confusion, "confusion-matrix", big,
                   stretch=False)
    with right:
        wrong = misclassified(result.predictions)
        st.markdown(f"**The {min(MISTAKES, len(wrong))} most confident mistakes** of {len(wrong):,} "
                    f"({fmt.percent(len(wrong) / len(result.predictions))} of the validation images): true → "
                    "predicted (confidence).")
        if len(wrong):
            shown = misclassified(result.predictions, MISTAKES)
            strip = misclassified_frame(shown, result.wrong_images, result.classes)
            show_chart(cnn_charts.misclassified_chart(strip, px=72, columns=4), shown, "misclassified", big,
                       key="csv-basics-misclassified", stretch=False)
    return result, values
