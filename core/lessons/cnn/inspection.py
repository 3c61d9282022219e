"""Inside the CNN lesson's networks: receptive fields, how smooth conv1's kernels are, every feature
map of one image (forward hooks in eval mode), predicted probabilities, misclassified test digits,
each layer's output shape and parameters, and the parameter count against the MLP baseline."""
from __future__ import annotations

from typing import Mapping, Sequence

import pandas as pd
import torch
from torch import nn

from core.data import Dataset
from core.lessons.cnn.arithmetic import grid_frame
from core.lessons.cnn.config import IMAGE_SIZE
from core.lessons.cnn.experiment import MLP_SIZES, CNNTraining, build_cnn, build_mlp
from core.models import LessonCNN, count_parameters


STAGES = ("conv1", "bn1", "relu1", "pool1", "conv2", "bn2", "relu2", "pool2")


def validation_image(data: Dataset, i: int) -> tuple[torch.Tensor, int]:
    """Validation image i as (28, 28) pixel intensities in [0, 1], on the CPU, and its label."""
    return data.pixels(data.x_val[i, 0]).cpu(), int(data.y_val[i])


def receptive_fields(model: LessonCNN) -> dict[str, int]:
    """Side of the input window each stage's output unit depends on, from the layers' sizes:
    r_out = r_in + (k - 1) * j_in, j_out = j_in * s (j: distance in input pixels between neighbours)."""
    r, j, out = 1, 1, {}
    for name in STAGES:
        m = getattr(model, name)
        if isinstance(m, (nn.Conv2d, nn.MaxPool2d)):
            size = m.kernel_size if isinstance(m.kernel_size, int) else m.kernel_size[0]
            step = m.stride if isinstance(m.stride, int) else m.stride[0]
            r, j = r + (size - 1) * j, j * step
        out[name] = r
    return out


def neighbour_correlation(weight: torch.Tensor) -> float:
    """Correlation between horizontally and vertically adjacent weights inside the kernels of a
    (C_out, C_in, k, k) weight: about 0 for random noise, clearly positive for smooth blobs, bars and edges."""
    w = weight.detach().double().reshape(-1, *weight.shape[-2:])
    a = torch.cat([w[:, :, :-1].flatten(), w[:, :-1, :].flatten()])
    b = torch.cat([w[:, :, 1:].flatten(), w[:, 1:, :].flatten()])
    return float(torch.corrcoef(torch.stack([a, b]))[0, 1])


@torch.no_grad()
def feature_maps(model: LessonCNN, image: torch.Tensor) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
    """Every named stage's output for one (1, 28, 28) image, read by forward hooks in eval mode
    (batch norm uses its running statistics, nothing is updated), and the class probabilities."""
    was = model.training
    model.eval()
    maps: dict[str, torch.Tensor] = {}
    hooks = [getattr(model, name).register_forward_hook(
        lambda _m, _i, out, name=name: maps.__setitem__(name, out[0].detach().cpu())) for name in STAGES]
    try:
        device = next(model.parameters()).device
        probs = torch.softmax(model(image.reshape(1, 1, IMAGE_SIZE, IMAGE_SIZE).to(device)), 1)[0].cpu()
    finally:
        for h in hooks:
            h.remove()
        model.train(was)
    return maps, probs


def probabilities_frame(probs: torch.Tensor, label: int, classes: Sequence[str]) -> pd.DataFrame:
    pred = int(probs.argmax())
    kind = ["true class" if i == label else "predicted (wrong)" if i == pred else "other"
            for i in range(len(probs))]
    return pd.DataFrame({"class": list(classes), "p": probs.double().numpy().round(4), "kind": kind})


def misclassified(preds: pd.DataFrame, limit: int | None = None) -> pd.DataFrame:
    """Wrongly classified validation images, most confidently wrong first."""
    wrong = preds[preds["pred"] != preds["label"]].sort_values(["confidence", "index"], ascending=[False, True])
    return wrong.head(limit) if limit else wrong


def misclassified_frame(wrong: pd.DataFrame, pixels: torch.Tensor | Mapping[int, torch.Tensor],
                        classes: Sequence[str]) -> pd.DataFrame:
    """The images of `wrong` (rows of misclassified()) as long rows caption, index, r, c, v in [0, 1];
    `pixels[i]` is validation image i (a tensor of all of them, or CNNTraining.wrong_images)."""
    frames = [grid_frame(pixels[int(row["index"])].reshape(IMAGE_SIZE, IMAGE_SIZE), index=int(row["index"]),
                         caption=f"#{int(row['index'])}: {classes[int(row['label'])]} → "
                                 f"{classes[int(row['pred'])]} ({row['confidence']:.0%})")
              for _, row in wrong.iterrows()]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["caption", "r", "c", "v"])


def layer_table(model: nn.Module, input_shape: tuple[int, ...] = (1, 1, IMAGE_SIZE, IMAGE_SIZE)) -> pd.DataFrame:
    """Each leaf layer in forward order: its output shape (measured by hooks on one forward pass of
    zeros, in eval mode) and its own number of parameters."""
    rows = []
    hooks = [m.register_forward_hook(lambda mod, _i, out, name=name: rows.append({
        "layer": name, "type": type(mod).__name__, "output shape": " × ".join(map(str, out.shape[1:])),
        "parameters": sum(p.numel() for p in mod.parameters(recurse=False))}))
        for name, m in model.named_modules() if not list(m.children()) and not isinstance(m, nn.Identity)]
    was = model.training
    model.eval()
    try:
        with torch.no_grad():
            model(torch.zeros(input_shape, device=next(model.parameters()).device))
    finally:
        for h in hooks:
            h.remove()
        model.train(was)
    return pd.DataFrame(rows)


def parameter_comparison(training: CNNTraining | None, seed: int = 0) -> pd.DataFrame:
    """Parameter counts of both CNNs and the MLP baseline, with validation accuracy once trained."""
    models = {"CNN without BN": build_cnn("plain", seed), "CNN with BN": build_cnn("bn", seed),
              f"MLP {'-'.join(map(str, MLP_SIZES))}": build_mlp(seed)}
    runs = [None, None, None] if training is None else [training.run("plain"), training.run("bn"), training.mlp]
    rows = []
    for (name, model), run in zip(models.items(), runs):
        rows.append({"network": name, "parameters": count_parameters(model),
                     "epochs": None if run is None else len(run.epochs),
                     "val. accuracy": None if run is None or run.diverged_at else run.final_val_acc,
                     "seconds": None if run is None else run.seconds})
    return pd.DataFrame(rows)
