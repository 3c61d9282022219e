"""The CNN lesson's state: one frozen `CNNConfig` for the whole page (explainer, training and
inspection controls), its limits, and the two networks compared (`NETWORKS`, `IN_WORDS`)."""
from __future__ import annotations

from dataclasses import dataclass

import torch

from core.config import Config, check_range
from core.lessons.cnn.arithmetic import (CHANNEL_KERNELS, CUSTOM, IDENTITY3, KERNEL_CHOICES, KERNELS, custom_problem,
                                         square)
from core.training import TrainSettings, check_train_limits

IMAGE_SIZE = 28
MAX_INDEX = 9_999  # the largest validation set (the full MNIST test split) has 10,000 images
MAX_STRIDE = 8
MAX_PADDING = 8
MAX_POOL = 8
MAX_CHANNELS = 3  # the channel demo: up to 3 input and 3 output channels
NETWORKS = {"plain": "Without BN", "bn": "With BN"}  # chart labels (core.palette colours)
IN_WORDS = {"plain": "without batch norm", "bn": "with batch norm"}


@dataclass(frozen=True)
class CNNConfig(Config):
    # explainer
    index: int = 0  # validation ("test") image convolved in the explainer
    kernel: str = "sobel_x"
    custom: tuple[float, ...] = IDENTITY3  # the custom kernel, row-major: 9 or 25 numbers
    stride: int = 1
    padding: int = 0
    pool: int = 2  # max-pool window (and stride); 1 = no pooling
    in_channels: int = 2
    out_channels: int = 2
    channel_kernels: tuple[str, ...] = ("sobel_x", "sobel_y", "box_blur", "box_blur")  # out-major
    # training
    epochs: int = 2
    lr: float = 0.01
    momentum: float = 0.9
    batch_size: int = 64
    # inspection
    network: str = "plain"
    image: int = 0  # validation image whose feature maps are shown

    def validate(self) -> None:
        check_range("Image index", self.index, 0, MAX_INDEX)
        check_range("Feature-map image index", self.image, 0, MAX_INDEX)
        if self.kernel not in KERNEL_CHOICES:
            raise ValueError(f"Unknown kernel '{self.kernel}'. Choose one of: {', '.join(KERNEL_CHOICES)}.")
        square(self.custom)  # always 9 or 25 numbers, so the custom table can be drawn
        if self.kernel == CUSTOM:  # the values matter only while the custom kernel is in use
            problem = custom_problem(self.custom)
            if problem:
                raise ValueError(problem)
        check_range("Stride", self.stride, 1, MAX_STRIDE)
        check_range("Padding", self.padding, 0, MAX_PADDING)
        check_range("Max-pool window", self.pool, 1, MAX_POOL)
        check_range("Input channels", self.in_channels, 1, MAX_CHANNELS)
        check_range("Output channels", self.out_channels, 1, MAX_CHANNELS)
        if not 1 <= len(self.channel_kernels) <= MAX_CHANNELS ** 2:
            raise ValueError(f"Give between 1 and {MAX_CHANNELS ** 2} channel kernels.")
        for name in self.channel_kernels:
            if name not in CHANNEL_KERNELS:
                raise ValueError(f"Channel kernels must be 3×3 presets ({', '.join(CHANNEL_KERNELS)}); "
                                 f"got '{name}'.")
        if self.network not in NETWORKS:
            raise ValueError(f"Network must be one of {', '.join(NETWORKS)} (got '{self.network}').")
        check_train_limits(self.train_settings())  # lr, momentum, epochs, batch size: the widgets' ranges

    def train_settings(self) -> TrainSettings:
        return TrainSettings(epochs=self.epochs, batch_size=self.batch_size, lr=self.lr,
                             momentum=self.momentum, log_every=10)

    def kernel_tensor(self) -> torch.Tensor:
        return square(self.custom) if self.kernel == CUSTOM else KERNELS[self.kernel].tensor()

    def channel_grid(self) -> list[list[str]]:
        """The kernel names as [out][in], cycling through `channel_kernels` (so any channel counts work)."""
        names = self.channel_kernels
        return [[names[(o * self.in_channels + c) % len(names)] for c in range(self.in_channels)]
                for o in range(self.out_channels)]


def shrink(config: CNNConfig) -> CNNConfig:
    """The cheapest config that runs the same code paths (for the app-wide property tests): everything as
    given (explainer, channels, network, image) but one epoch with the largest batch its widget allows."""
    from core.training import TRAIN_LIMITS

    return config.replace(epochs=1, batch_size=max(config.batch_size, TRAIN_LIMITS["batch_size"][1]))
