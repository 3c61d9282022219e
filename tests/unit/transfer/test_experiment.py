"""The transfer experiment against the issue's reference (zero-shot about 63%; at K = 5 frozen + new head
ahead of from scratch; the gap closing as K grows), and the sweep's bookkeeping."""
import math

import pandas as pd
import pytest

from core.budget import TooMuchTraining
from core.lessons.transfer import experiment
from core.lessons.transfer.config import METHODS, PRESETS, TransferConfig, shrink
from core.lessons.transfer.pretrain import zero_shot


def test_pretrained_network_and_its_zero_shot_domain_shift(pretrained, digits):
    """Seed 0, bundled MNIST, 2 epochs: measured 97.2% on MNIST's validation images and 68.5-69.0% on the
    797 held-out digits (the thread count moves the last digit). The issue's reference is about 63%; the
    pretraining seed alone moves it a lot (seeds 0-4: 69.0, 68.1, 69.8, 66.9, 59.0%, mean 66.6%), and
    what must hold whatever the seed is a large drop from MNIST."""
    assert pretrained.mnist_accuracy > 0.96
    zs = zero_shot(pretrained, digits)
    assert 0.60 < zs.accuracy < 0.76
    assert pretrained.mnist_accuracy - zs.accuracy > 0.2
    assert zs.confusion["count"].sum() == 797 == zs.n
    diagonal = zs.confusion.query("true == predicted")["count"].sum()
    assert diagonal / 797 == pytest.approx(zs.accuracy)


def test_default_sweep_bookkeeping(default_sweep):
    runs = default_sweep.runs
    assert len(runs) == 3 * 3 * 4 and sorted(runs["k"].unique()) == [1, 5, 10]
    assert set(runs["seed"]) == {0, 1, 2} and set(runs["method"]) == set(METHODS)
    assert (runs["outcome"] == "finished").all() and runs["test_acc"].between(0, 1).all()
    # every run of a K and seed saw the same number of steps: ceil(10 K · 20 / 16)
    for k, g in runs.groupby("k"):
        assert (g["steps"] == math.ceil(10 * k * 20 / 16)).all()
    s = default_sweep.summary()
    assert len(s) == 12 and (s["n"] == 3).all() and (s["min"] <= s["mean"]).all() and (s["mean"] <= s["max"]).all()
    assert set(default_sweep.curves["run"]) == set(METHODS.values())  # the slider's K, first seed


def test_frozen_head_beats_from_scratch_at_k5_over_3_seeds(default_sweep):
    """The issue: averaged over 3 seeds at K = 5, frozen + new head beats from scratch by at least 3 points.
    Measured (seeds 0-2, 20 epochs): from scratch 76.4%, frozen + new head 87.9%, fine-tune all 86.5%,
    smaller feature lr 87.4%."""
    at5 = default_sweep.at(5)["mean"]
    assert at5["frozen"] >= at5["scratch"] + 0.03
    assert min(at5["finetune"], at5["finetune_small"]) > at5["scratch"]
    assert at5["frozen"] > 0.8


def test_the_gap_closes_as_k_grows(default_sweep):
    """Best transfer method minus from scratch: measured about 19 points at K = 1, 11 at K = 5, smaller at K = 10."""
    gaps = {k: default_sweep.at(k)["mean"][["frozen", "finetune", "finetune_small"]].max()
            - default_sweep.at(k)["mean"]["scratch"] for k in (1, 5, 10)}
    assert gaps[1] > gaps[10] and gaps[5] > gaps[10]
    scratch = default_sweep.summary().query("method == 'scratch'").set_index("k")["mean"]
    assert scratch[1] < scratch[5] < scratch[10]  # more labelled images, better from scratch


def test_reference_preset(digits, pretrained):
    """The issue's reference, K = 5, mean of 5 seeds: from scratch 83.2%, frozen + new head 90.8%, fine-tune all
    89.3%. With the reference preset (40 epochs) on this pretrained network, measured: 85.1%, 88.7%, 88.6%
    (and 88.9% with the smaller feature learning rate): frozen + new head ahead of from scratch, fine-tune all
    within a point of frozen + new head."""
    result = experiment.sweep(TransferConfig(**PRESETS["reference"]), digits, pretrained, seed=0)
    mean = result.at(5)["mean"]
    assert result.at(5)["n"].eq(5).all()
    assert mean["scratch"] == pytest.approx(0.832, abs=0.04)
    assert mean["frozen"] == pytest.approx(0.908, abs=0.04)
    assert mean["finetune"] == pytest.approx(0.893, abs=0.04)
    assert mean["frozen"] > mean["scratch"] + 0.02 and mean["finetune"] > mean["scratch"]


def test_progress_counts_the_whole_sweep_and_every_run_is_reported(digits, pretrained):
    cfg = TransferConfig(k=1, ks=(), seeds=3, epochs=1, batch_size=8)
    fractions, rows = [], []
    result = experiment.sweep(cfg, digits, pretrained, seed=7, on_progress=lambda p: fractions.append(p.fraction),
                              on_run=rows.append)
    assert len(rows) == len(result.runs) == 3 * 4 and pd.DataFrame(rows)["seed"].min() == 7
    assert fractions == sorted(fractions) and fractions[-1] == pytest.approx(1.0)


def test_a_sweep_over_the_budget_is_refused_before_it_starts(digits, pretrained):
    big = TransferConfig(k=100, ks=(1, 2, 3, 5, 10, 20, 50), seeds=10, epochs=50, batch_size=1)
    with pytest.raises(TooMuchTraining, match="training steps"):
        experiment.sweep(big, digits, pretrained, seed=0)
    assert experiment.total_work(big)[1] > 150_000


def test_a_diverging_setting_is_recorded_not_raised(digits, pretrained):
    cfg = TransferConfig(k=2, ks=(), seeds=3, epochs=5, lr=90.0, momentum=0.99, batch_size=4)
    result = experiment.sweep(cfg, digits, pretrained, seed=0)
    assert (result.runs["outcome"] != "finished").any()
    s = result.summary()
    assert (s["failed"] > 0).any()
    assert s.loc[s["n"] == 0, "mean"].isna().all()  # no finished test: no mean, never a made-up number


def test_run_all_on_a_small_mnist(mnist):
    experiment.run_all(shrink(TransferConfig()), mnist.subset(256, 128), seed=1)
