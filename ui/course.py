"""The course: every lesson in reading order, in groups, and what each one teaches.

Everything that lists lessons (the entrypoint's navigation, the home page's cards, the tests that
visit every page, the benchmarks) iterates over `available_lessons()` or `course_groups()`, which
keep only the lessons whose page file exists: a new page appears in its place by just existing.
URL paths are stable (teachers bookmark them).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PAGES_DIR = Path(__file__).resolve().parent.parent / "pages"

GROUPS = ("Foundations", "Training deep networks", "Generalization", "Convolutional networks")


@dataclass(frozen=True)
class Lesson:
    file: str  # under pages/
    url_path: str  # stable: teachers bookmark these
    title: str
    icon: str
    teaches: str  # one sentence, on the home page's card
    group: str  # one of GROUPS

    @property
    def exists(self) -> bool:
        """Whether the lesson's page file is there (lessons are written one page at a time)."""
        return (PAGES_DIR / self.file).is_file()


COURSE: tuple[Lesson, ...] = (
    # ---------------------------------------------------------------- Foundations
    Lesson("basics.py", "basics", "How a network learns", ":material/school:",
           "A single neuron, Rosenblatt's perceptron learning AND, OR and NAND but never XOR, and the loop "
           "every network trains with: forward pass, loss, backward pass, step.", "Foundations"),
    Lesson("activations.py", "activations", "Activation functions", ":material/show_chart:",
           "What sigmoid, tanh, ReLU and the step function look like, where their derivatives vanish, "
           "and how that changes training a real MNIST network.", "Foundations"),
    Lesson("losses.py", "losses", "Cost functions and softmax", ":material/functions:",
           "Why counting mistakes gives gradient descent a flat cost with nothing to follow, how softmax "
           "turns scores into probabilities, and why cross-entropy trains a classifier faster than "
           "mean squared error.", "Foundations"),
    # ---------------------------------------------------------------- Training deep networks
    Lesson("initialization.py", "initialization", "Weight initialization", ":material/stacked_line_chart:",
           "Gradient magnitudes layer by layer in a deep network under equal, uniform, default, "
           "Xavier and He initialization: why some deep networks never learn.", "Training deep networks"),
    Lesson("momentum.py", "momentum", "Momentum", ":material/moving:",
           "Gradient descent with momentum on saddle and local-minimum surfaces, and what momentum "
           "does to training on MNIST.", "Training deep networks"),
    Lesson("batchnorm.py", "batchnorm", "Batch normalization", ":material/equalizer:",
           "Activation histograms per layer with and without batch norm, and train versus eval mode.",
           "Training deep networks"),
    Lesson("residual.py", "residual", "Vanishing gradients and residual connections", ":material/alt_route:",
           "How the gradient fades on its way back through a deep network, and how skip connections "
           "carry it past every layer so that a deep network trains.", "Training deep networks"),
    # ---------------------------------------------------------------- Generalization
    Lesson("regularization.py", "regularization", "Overfitting and regularization", ":material/tune:",
           "A network that memorises its training images instead of learning digits, and what weight "
           "decay, dropout and early stopping do about it, measured on validation data.", "Generalization"),
    # ---------------------------------------------------------------- Convolutional networks
    Lesson("cnn.py", "cnn", "Convolutional networks", ":material/grid_on:",
           "Convolution arithmetic, learned kernels and feature maps of a CNN trained on MNIST.",
           "Convolutional networks"),
    Lesson("transfer.py", "transfer", "Transfer learning", ":material/recycling:",
           "Reusing a network pretrained on MNIST for scikit-learn's 8×8 digits: its frozen features "
           "with a new output layer, against fine-tuning the whole network.", "Convolutional networks"),
)


def available_lessons() -> list[Lesson]:
    """The lessons whose page exists, in reading order."""
    return [lesson for lesson in COURSE if lesson.exists]


def course_groups() -> dict[str, list[Lesson]]:
    """The available lessons by group, groups and lessons in reading order; a group with no page yet is left out."""
    groups: dict[str, list[Lesson]] = {}
    for lesson in available_lessons():
        groups.setdefault(lesson.group, []).append(lesson)
    return groups
