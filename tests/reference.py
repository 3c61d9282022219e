"""Reference computations the tests compare core against, written out by hand."""
import torch


def direct_mlp_gradients(model, x: torch.Tensor, y: torch.Tensor) -> tuple[list[float], list[float]]:
    """For a plain (no batch norm) core.models.MLP: ||dL/ds_l|| and ||dL/dW_l|| of every layer, from a
    hand-written forward pass that keeps each pre-activation s_l with retain_grad()."""
    pre, h = [], x.flatten(1)
    for i, lin in enumerate(model.linears):
        s = lin(h)
        s.retain_grad()
        pre.append(s)
        h = model.acts[i](s) if i < len(model.acts) else s
    torch.nn.functional.cross_entropy(h, y).backward()
    norm = lambda g: torch.linalg.vector_norm(g, dtype=torch.float64).item()  # no float32 underflow
    return [norm(p.grad) for p in pre], [norm(lin.weight.grad) for lin in model.linears]
