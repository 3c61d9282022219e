"""The lessons: one entry per page file. The entrypoint registers those whose file exists."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PAGES_DIR = Path(__file__).resolve().parent.parent / "pages"


@dataclass(frozen=True)
class Lesson:
    file: str  # under pages/
    url_path: str  # stable: teachers bookmark these
    title: str
    icon: str
    teaches: str

    @property
    def exists(self) -> bool:
        return (PAGES_DIR / self.file).is_file()


LESSONS = [
    Lesson("activations.py", "activations", "Activation functions", ":material/show_chart:",
           "What sigmoid, tanh, ReLU and the step function look like, where their derivatives vanish, "
           "and how that changes training a real MNIST network."),
    Lesson("initialization.py", "initialization", "Weight initialization", ":material/stacked_line_chart:",
           "Gradient magnitudes layer by layer in a deep network under equal, uniform, default, "
           "Xavier and He initialization: why some deep networks never learn."),
    Lesson("momentum.py", "momentum", "Momentum", ":material/moving:",
           "Gradient descent with momentum on saddle and local-minimum surfaces, and what momentum "
           "does to training on MNIST."),
    Lesson("batchnorm.py", "batchnorm", "Batch normalization", ":material/equalizer:",
           "Activation histograms per layer with and without batch norm, and train versus eval mode."),
    Lesson("cnn.py", "cnn", "Convolutional networks", ":material/grid_on:",
           "Convolution arithmetic, learned kernels and feature maps of a CNN trained on MNIST."),
]


def available_lessons() -> list[Lesson]:
    return [lesson for lesson in LESSONS if lesson.exists]
