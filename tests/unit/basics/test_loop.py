"""The step mode: the engine's own loop one step at a time, gradients read from autograd, the update SGD applies."""
import pytest
import torch
import torch.nn.functional as F

from core.lessons.basics import loop
from core.lessons.basics.config import SumConfig
from core.training import train


@pytest.fixture(scope="module")
def config():
    return SumConfig(epochs=2, batch_size=300)  # 4 batches an epoch: 300, 300, 300 and 100 triples


def test_k_steps_here_are_k_steps_of_the_engine(config):
    data = loop.sum_data(config, 3)
    stepped = loop.SteppedTraining(config, data, 3)
    assert stepped.total == 8
    record = stepped.advance_to(8)
    assert (record.step, record.epoch, record.batch, len(record.y)) == (8, 2, 4, 100)
    model = loop.build_sum_model(3)
    run = train(model, data, config.train_settings(), seed=3, loss=loop.LOSS)
    for (name, a), (_, b) in zip(model.named_parameters(), stepped.model.named_parameters()):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-6, msg=name)
    assert run.steps["loss"].iloc[-1] == pytest.approx(record.loss, rel=1e-6)
    with pytest.raises(ValueError, match="only 8 steps"):
        stepped.step()


def test_the_gradients_shown_are_autograds(config):
    data = loop.sum_data(config, 0)
    stepped = loop.SteppedTraining(config, data, 0)
    record = stepped.advance_to(3)
    # an independent autograd pass on the weights before the step
    params = {n: t.clone().requires_grad_(True) for n, t in record.before.items()}
    h = torch.relu(record.x @ params["linears.0.weight"].T + params["linears.0.bias"])
    y_hat = h @ params["linears.1.weight"].T + params["linears.1.bias"]
    loss = F.mse_loss(y_hat, record.y)
    grads = torch.autograd.grad(loss, list(params.values()))
    for (name, _), g in zip(params.items(), grads):
        torch.testing.assert_close(record.grads[name], g, rtol=1e-5, atol=1e-7, msg=name)
    assert record.loss == pytest.approx(loss.item(), rel=1e-6)
    torch.testing.assert_close(record.y_hat, y_hat.detach())
    torch.testing.assert_close(record.h, h.detach())
    # and the chain rule by hand agrees
    hand = loop.chain_rule(record)
    for name in loop.PARAMETERS:
        torch.testing.assert_close(hand[name].float(), record.grads[name], rtol=1e-4, atol=1e-6, msg=name)


def test_the_update_is_w_minus_lr_times_grad(config):
    data = loop.sum_data(config, 1)
    record = loop.SteppedTraining(config.replace(lr=0.3), data, 1).advance_to(2)
    table = record.parameters()
    assert len(table) == 21 and table["parameter"].iloc[0] == "W1[1,1]" and table["parameter"].iloc[-1] == "b2[1]"
    assert (table["after"] - table["check"]).abs().max() < 1e-6
    assert table["lr_grad"].to_numpy() == pytest.approx(0.3 * table["gradient"].to_numpy(), rel=1e-6)
    forward = record.forward_table()
    assert list(forward.columns[:4]) == ["row", "a", "b", "c"] and len(forward) == 300
    assert forward["y"].to_numpy() == pytest.approx((forward["a"] + forward["b"] + forward["c"]).to_numpy(), abs=1e-5)


def test_advance_only_forward(config):
    stepped = loop.SteppedTraining(config, loop.sum_data(config, 0), 0)
    stepped.advance_to(3)
    assert stepped.advance_to(3).step == 3  # asking for the current step returns it
    with pytest.raises(ValueError, match="cannot be reached"):
        stepped.advance_to(2)
    with pytest.raises(ValueError, match="cannot be reached"):
        stepped.advance_to(99)


def test_dead_units_and_predict():
    model = loop.build_sum_model(0)
    with torch.no_grad():
        model.linears[0].weight.copy_(torch.tensor([[1.0, 1.0, 1.0], [-1.0, -1.0, -1.0], [1, 0, 0], [0, 0, -1.0]]))
        model.linears[0].bias.zero_()
        model.linears[1].weight.copy_(torch.tensor([[1.0, 0.0, 0.0, 0.0]]))
        model.linears[1].bias.zero_()
    x = torch.rand(50, 3) + 0.01  # positive triples
    assert loop.dead_units(model, x) == [2, 4]
    assert loop.predict(model, (0.2, 0.3, 0.4)) == pytest.approx(0.9)
