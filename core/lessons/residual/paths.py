"""Why a skip connection keeps the gradient: for every hidden layer, the gradient that reaches its
output h_l through the next layer's identity path and through the next layer's branch.

A residual layer computes h_{l+1} = h_l + α f_{l+1}(h_l), so by the chain rule

    ∂L/∂h_l = ∂L/∂h_{l+1} · ∂h_{l+1}/∂h_l = g_{l+1} (I + α ∂f_{l+1}/∂h_l) = g_{l+1} + α J_{l+1}ᵀ g_{l+1}

(He et al. 2016b, "Identity mappings in deep residual networks", eq. 5): the gradient g_{l+1} arrives
unchanged through the identity, plus the vector–Jacobian product through the branch. A plain layer
h_{l+1} = f_{l+1}(h_l) has only the branch term, so the gradient is multiplied by a Jacobian at every
layer and shrinks (or grows) geometrically. Both terms are measured here with autograd, in float64 on a
copy of the model (in train mode, as training sees it; batch norm uses the batch's statistics), on one
batch: nothing in the model changes.
"""
from __future__ import annotations

from copy import deepcopy

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from core.models import MLP, ResidualMLP

TOTAL, IDENTITY, BRANCH = "total", "skip path", "branch path"
COLUMNS = ["layer", "skip", "arriving", "identity", "branch", "total", "mismatch"]


def forward_layers(model: MLP, x: torch.Tensor) -> tuple[list[torch.Tensor], list[torch.Tensor], torch.Tensor]:
    """The model's forward pass layer by layer, keeping the graph: (h_1 … h_L, branch_1 … branch_L,
    logits), where branch_l is what layer l adds (α f_l(·) on a skipped layer; f_l(·), the whole
    output, on a plain or the first layer). Shapes: h_l and branch_l (B, width), logits (B, 10).
    Computes exactly what `model(x)` computes (tested)."""
    scale = model.branch_scale if isinstance(model, ResidualMLP) else None
    h = model.noise(x.flatten(1))
    hs, branches = [], []
    for linear, norm, act, drop in zip(model.linears, model.norms, model.acts, model.drops):
        f = drop(act(norm(linear(h))))
        if scale is not None and f.shape == h.shape:
            branch = scale * f
            h = h + branch
        else:
            branch = h = f
        hs.append(h)
        branches.append(branch)
    return hs, branches, model.linears[-1](h)


def path_gradients(model: MLP, x: torch.Tensor, y: torch.Tensor) -> pd.DataFrame:
    """One row per hidden layer l = 1 … L of the cross-entropy loss on the batch (x, y):

    - `total`: ‖∂L/∂h_l‖, the whole gradient reaching the layer's output;
    - `arriving`: ‖g_{l+1}‖ = ‖∂L/∂h_{l+1}‖, what the layer above received (NaN for l = L: it is fed by the output layer);
    - `identity`: the part of `total` that came through layer l+1's skip, ‖g_{l+1}‖ (NaN where l+1 has no skip);
    - `branch`: the part that came through layer l+1's branch, ‖α J_{l+1}ᵀ g_{l+1}‖ (plain: ‖J_{l+1}ᵀ g_{l+1}‖);
    - `skip`: whether layer l+1 has a skip;
    - `mismatch`: ‖identity + branch − total‖ / ‖total‖ of the vectors, the chain rule checked against
      autograd's whole gradient (float64 round-off, about 1e-16; NaN for l = L or a zero total).
    Norms are Euclidean over the whole batch (B × width values). The vectors add up (identity + branch
    = total) but their norms do not (the triangle inequality)."""
    copy = deepcopy(model).to(torch.float64).train()
    x = x.to(torch.float64)
    hs, branches, logits = forward_layers(copy, x)
    loss = F.cross_entropy(logits, y)
    grads = torch.autograd.grad(loss, hs, retain_graph=True)
    skips = [isinstance(copy, ResidualMLP) and b is not h_ for b, h_ in zip(branches, hs)]
    rows = []
    depth = len(hs)
    for l in range(1, depth + 1):  # 1-based hidden layer
        total = grads[l - 1].norm().item()
        if l == depth:
            rows.append({"layer": l, "skip": False, "arriving": np.nan, "identity": np.nan, "branch": np.nan,
                         "total": total, "mismatch": np.nan})
            continue
        above = grads[l]  # g_{l+1}
        through_branch, = torch.autograd.grad(branches[l], hs[l - 1], grad_outputs=above, retain_graph=True)
        skip = skips[l]
        rebuilt = through_branch + above if skip else through_branch
        mismatch = (rebuilt - grads[l - 1]).norm().item() / total if total > 0 else np.nan
        rows.append({"layer": l, "skip": skip, "arriving": above.norm().item(),
                     "identity": above.norm().item() if skip else np.nan,
                     "branch": through_branch.norm().item(), "total": total, "mismatch": mismatch})
    return pd.DataFrame(rows, columns=COLUMNS)


def long(paths: pd.DataFrame) -> pd.DataFrame:
    """path_gradients' rows (with any extra columns, e.g. network, when) in long form for a chart:
    one row per layer and path (TOTAL, IDENTITY, BRANCH) with a positive finite `grad_norm`. Where the
    layer above has no skip its branch part is the whole gradient, so only TOTAL is kept."""
    keep = [c for c in paths.columns if c not in COLUMNS]
    paths = paths.assign(branch=paths["branch"].where(paths["skip"]))
    out = paths.melt(id_vars=keep + ["layer"], value_vars=["total", "identity", "branch"], var_name="path",
                     value_name="grad_norm")
    out["path"] = out["path"].map({"total": TOTAL, "identity": IDENTITY, "branch": BRANCH})
    return out[np.isfinite(out["grad_norm"]) & (out["grad_norm"] > 0)].reset_index(drop=True)


def gain(paths: pd.DataFrame) -> float:
    """Geometric mean over the layers l < L of ‖∂L/∂h_l‖ / ‖∂L/∂h_{l+1}‖: the factor by which one layer
    multiplies the gradient on its way back (1: kept; 0.1: a tenth per layer). NaN if a norm is 0."""
    rows = paths[np.isfinite(paths["arriving"])]
    ratio = rows["total"] / rows["arriving"]
    if rows.empty or not (ratio > 0).all() or not np.isfinite(ratio).all():
        return float("nan")
    return float(np.exp(np.log(ratio).mean()))
