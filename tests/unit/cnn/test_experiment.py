"""The CNN lesson's experiment: a real training run on the bundled data, and a diverged one."""
import dataclasses

import pandas as pd
import pytest
import torch

from core.lessons.cnn import experiment, inspection
from core.lessons.cnn.config import CNNConfig


def test_defaults_train_past_95_percent_and_batch_norm_learns_faster(mnist):
    """The page's default training on the bundled data: both CNNs beat 95% on the validation images,
    with the same initial weights; batch norm lowers the first epoch's loss; the MLP needs 8x the weights."""
    reports = []
    result = experiment.train_compare(CNNConfig(), mnist, seed=0, on_progress=reports.append)
    plain, bn = result.run("plain"), result.run("bn")
    assert plain.final_val_acc > 0.95 and bn.final_val_acc > 0.95
    # all three runs report progress, the MLP baseline last and labelled; the bar only moves forward
    assert list(dict.fromkeys(r.label for r in reports)) == ["Without BN", "With BN", experiment.MLP_LABEL]
    fractions = [r.fraction for r in reports]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert bn.epochs["train_loss"].iloc[0] < plain.epochs["train_loss"].iloc[0]
    assert plain.state_dict is not None and plain.state_dict["conv1.weight"].device.type == "cpu"
    start = experiment.build_cnn("plain", 0).state_dict()
    assert not torch.equal(plain.state_dict["conv1.weight"], start["conv1.weight"])  # it learned
    assert torch.equal(experiment.build_cnn("bn", 0).conv1.weight, start["conv1.weight"])  # same start
    preds = result.predictions["plain"]
    assert (preds["pred"] == preds["label"]).mean() == pytest.approx(plain.final_val_acc)
    # the run knows its start and its data: "before" and the mistakes do not depend on the page's settings now
    assert result.seed == 0 and result.trained_on(mnist)
    assert not result.trained_on(dataclasses.replace(mnist, source="download"))
    assert torch.equal(result.untrained("bn").conv1.weight, start["conv1.weight"])
    wrong = inspection.misclassified(preds)
    assert set(result.wrong_images["plain"]) == set(wrong["index"])
    i = int(wrong["index"].iloc[0])
    assert torch.equal(result.wrong_images["plain"][i], mnist.pixels(mnist.x_val[i, 0]))
    strip = inspection.misclassified_frame(wrong.head(3), result.wrong_images["plain"], result.classes)
    assert len(strip) == 3 * 784
    assert result.mlp.final_val_acc > 0.9
    table = inspection.parameter_comparison(result).set_index("network")
    assert table.loc["CNN without BN", "val. accuracy"] == plain.final_val_acc
    # the trained kernels are smoother than the random ones they started from
    trained = experiment.load_cnn("plain", plain.state_dict)
    smooth = inspection.neighbour_correlation
    assert smooth(trained.conv1.weight) > smooth(start["conv1.weight"]) + 0.1


def test_diverged_network_is_reported_not_shown(mnist):
    data = mnist.subset(640, 200)
    result = experiment.train_compare(CNNConfig(lr=50.0, momentum=0.99, epochs=1), data, seed=0)
    plain = result.run("plain")
    assert plain.diverged_at is not None and "plain" not in result.predictions
    table = inspection.parameter_comparison(result).set_index("network")
    assert pd.isna(table.loc["CNN without BN", "val. accuracy"])
