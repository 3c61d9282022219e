"""The residual lesson's experiment: identical starts, what one comparison records, progress, the budget."""
import math

import pytest
import torch

from core.budget import TooMuchTraining
from core.lessons.residual import experiment
from core.lessons.residual.config import ResidualConfig, shrink
from core.models import ResidualMLP


def test_both_networks_start_from_identical_weights_and_differ_only_by_the_skips():
    cfg = ResidualConfig(depth=5, width=16, scale="inv_sqrt_depth", batch_norm=True)
    plain, res = experiment.build(cfg, False, 7), experiment.build(cfg, True, 7)
    assert isinstance(res, ResidualMLP) and res.branch_scale == pytest.approx(1 / math.sqrt(5))
    assert all(torch.equal(p, q) for p, q in zip(plain.state_dict().values(), res.state_dict().values()))
    assert not torch.equal(experiment.build(cfg, True, 8).linears[0].weight, res.linears[0].weight)


def test_one_comparison_records_both_networks_every_seed_and_the_first_step(trained):
    cfg, result = trained
    assert list(result.runs) == experiment.ORDER and result.config == cfg and result.seed == 3
    assert all(r.state_dict is not None for r in result.runs.values())
    seeds = result.seeds
    assert sorted(zip(seeds["network"], seeds["seed"])) == [("Plain", 3), ("Plain", 4), ("Residual", 3), ("Residual", 4)]
    first = seeds[seeds["seed"] == 3].set_index("network")
    for network, run in result.runs.items():
        assert first.loc[network, "val_acc"] == run.final_val_acc
        g = result.grads[(result.grads["network"] == network) & (result.grads["step"] == 1)]
        assert set(g["kind"]) == {"weight", "backprop"} and sorted(g["layer"].unique()) == list(range(1, cfg.depth + 2))
        w1 = g[(g["kind"] == "weight") & (g["layer"] == 1)]["grad_norm"].item()
        assert first.loc[network, "first_weight"] == w1 and first.loc[network, "max_weight"] >= w1
    assert set(result.paths["when"]) == {"at initialization", "after training"}
    assert len(result.paths) == 2 * 2 * cfg.depth
    assert set(result.slice["network"]) == set(experiment.ORDER) and len(result.slice) == 2 * 41


def test_progress_counts_every_run_of_every_seed(small):
    seen = []
    cfg = ResidualConfig(depth=2, width=8, epochs=1, seeds=2, batch_size=256)
    experiment.train_pair(cfg, small, 0, on_progress=lambda p: seen.append((p.label, p.run_index, p.n_runs)))
    assert {(label, i) for label, i, _ in seen} == {("Plain", 0), ("Residual", 1), ("Plain", 2), ("Residual", 3)}
    assert {n for *_, n in seen} == {4}


def test_over_budget_is_refused_before_any_step(mnist):
    """Depth 64 × width 256, 20 epochs, 5 seeds: 10 runs of about 4.4 million multiply-adds per image."""
    calls = []
    with pytest.raises(TooMuchTraining, match="trillion multiply-adds"):
        experiment.train_pair(ResidualConfig(depth=64, width=256, epochs=20, seeds=5), mnist, 0,
                              on_progress=calls.append)
    assert calls == []


def test_run_all_runs_the_shrunk_experiment(small):
    experiment.run_all(shrink(ResidualConfig(activation="relu", batch_norm=True, optimizer="adam", lr=0.001,
                                             seeds=3)), small.subset(200, 50), 0)
