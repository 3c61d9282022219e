import numpy as np
import pandas as pd
import pytest
import torch

from core.models import MLP
from core.probes import ActivationProbe, GradNormProbe
from core.seeding import seeded
from core.training import TrainSettings, make_optimizer, train
from tests.reference import direct_mlp_gradients


def mlp(seed=0, activation="relu", sizes=(784, 50, 50, 10), **kw):
    return seeded(seed, lambda: MLP(list(sizes), activation, **kw))


def test_relu_mlp_passes_90_percent_on_bundled_data(mnist):
    r = train(mlp(), mnist, TrainSettings(epochs=3, lr=0.05, momentum=0.9), seed=0)
    assert r.diverged_at is None
    assert r.final_val_acc > 0.90, r.epochs
    assert list(r.epochs.columns) == ["epoch", "step", "train_loss", "val_loss", "val_acc"]
    assert len(r.steps) == 3 * 125 and r.steps["step"].tolist() == list(range(1, 376))
    assert r.epochs["train_loss"].is_monotonic_decreasing


def test_seeded_runs_are_reproducible(mnist):
    data = mnist.subset(1024, 256)
    s = TrainSettings(epochs=2, lr=0.05)
    a = train(mlp(7), data, s, seed=7)
    b = train(mlp(7), data, s, seed=7)
    c = train(mlp(7), data, s, seed=8)  # same weights, other batch order
    pd.testing.assert_frame_equal(a.steps, b.steps)
    pd.testing.assert_frame_equal(a.epochs, b.epochs)
    assert not a.steps["loss"].equals(c.steps["loss"])


def test_divergence_stops_the_run_and_names_the_step(mnist):
    seen = []
    r = train(mlp(), mnist.subset(2048, 256), TrainSettings(epochs=2, lr=50.0, momentum=0.9, log_every=5),
              seed=0, on_progress=seen.append)
    assert r.diverged_at is not None and r.status == f"diverged at step {r.diverged_at}"
    assert len(r.steps) == r.diverged_at - 1  # every recorded loss is finite, up to the bad step
    assert r.steps["loss"].map(float).pipe(lambda s: s.notna().all() and (s < float("inf")).all())
    assert len(r.epochs) == 0  # it never finished an epoch
    assert seen and seen[-1].diverged_at == r.diverged_at


def test_progress_is_reported_every_k_steps(mnist):
    seen = []
    train(mlp(), mnist.subset(640, 100), TrainSettings(epochs=2, batch_size=64, log_every=4),
          seed=0, on_progress=seen.append)
    steps = [p.step for p in seen]
    assert steps == [4, 8, 10, 12, 16, 20]  # every 4th global step, plus each epoch's end
    assert seen[-1].fraction == 1.0 and len(seen[-1].epochs) == 2


def test_grad_norm_probe_matches_direct_autograd(mnist):
    data = mnist.subset(64, 64)  # one batch per epoch: the probed step is easy to replay
    s = TrainSettings(epochs=1, batch_size=64, lr=0.1, momentum=0.0)
    model = mlp(activation="sigmoid")
    initial = mlp(activation="sigmoid")  # the same initial weights, kept for the replay
    probe = GradNormProbe(backprop=True)
    r = train(model, data, s, seed=0, probes=[probe])
    frame = r.probes["GradNormProbe"]

    # replay the probed (first) step by hand from the initial weights
    model = initial
    order = torch.randperm(64, generator=torch.Generator().manual_seed(0))
    backprop, weight = direct_mlp_gradients(model, data.x_train[order], data.y_train[order])
    for i in range(len(model.linears)):
        w = frame.query("kind == 'weight' and layer == @i + 1")["grad_norm"].item()
        b = frame.query("kind == 'backprop' and layer == @i + 1")["grad_norm"].item()
        assert w == pytest.approx(weight[i], rel=1e-5)
        assert b == pytest.approx(backprop[i], rel=1e-5)


def test_grad_norm_probe_reads_vanishing_gradients_without_underflow():
    """Gradients of ~1e-28 (a deep sigmoid net's first layers): float32 squares underflow to 0."""
    model = seeded(0, lambda: MLP([20, 8, 4], "tanh"))
    probe = GradNormProbe(backprop=True)
    probe.attach(model, total_steps=1)
    probe.begin_step(0)
    x, y = torch.randn(16, 20), torch.randint(0, 4, (16,))
    (1e-30 * torch.nn.functional.cross_entropy(model(x), y)).backward()
    probe.after_backward()
    probe.detach()
    frame = probe.frame(1)
    weight = frame.query("kind == 'weight'")["grad_norm"].to_numpy()
    expected = [torch.linalg.vector_norm(lin.weight.grad, dtype=torch.float64).item() for lin in model.linears]
    assert (weight > 0).all() and np.allclose(weight, expected, rtol=1e-6)
    assert (frame.query("kind == 'backprop'")["grad_norm"] > 0).all()


def test_activation_probe_records_the_training_pass_only(mnist):
    data = mnist.subset(256, 64)
    probe = ActivationProbe(every=2, n_samples=8)
    r = train(mlp(), data, TrainSettings(epochs=1, batch_size=64), seed=0, probes=[probe])
    frame = r.probes["ActivationProbe"]
    assert sorted(frame["step"].unique()) == [1, 3]  # probe steps only; validation is not recorded
    assert (frame.query("step == 1 and layer == 1").shape[0]) == 8 * 50


@pytest.mark.parametrize("nesterov", [False, True])
def test_cpu_optimizer_is_fused_and_follows_the_momentum_update(nesterov):
    """The fused kernel must take the same steps as the textbook rule v <- mu v + g,
    p <- p - lr v (Nesterov: p <- p - lr (g + mu v)), checked in numpy on f(p) = sum(a p^2) / 2."""
    a = np.array([1.0, 10.0, 0.5])
    p = torch.tensor([1.0, -2.0, 3.0], dtype=torch.float64, requires_grad=True)
    opt = make_optimizer([p], TrainSettings(lr=0.05, momentum=0.9, nesterov=nesterov))
    assert opt.defaults["fused"] is True
    ref, v = p.detach().numpy().copy(), np.zeros(3)
    for _ in range(20):
        opt.zero_grad()
        (0.5 * (torch.from_numpy(a) * p * p).sum()).backward()
        opt.step()
        g = a * ref
        v = 0.9 * v + g
        ref = ref - 0.05 * (g + 0.9 * v if nesterov else v)
    np.testing.assert_allclose(p.detach().numpy(), ref, rtol=1e-12)


def test_settings_validate_with_clear_messages():
    with pytest.raises(ValueError, match="Learning rate"):
        TrainSettings(lr=-1)
    with pytest.raises(ValueError, match="Nesterov"):
        TrainSettings(momentum=0, nesterov=True)
    with pytest.raises(ValueError, match="Epochs"):
        TrainSettings(epochs=0)
