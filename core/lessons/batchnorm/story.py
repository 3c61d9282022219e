"""The batch-norm lesson's sentences, computed from the run on screen: where each network's
activation inputs ended, and the takeaways."""
from __future__ import annotations

import pandas as pd

from core.lessons.batchnorm.experiment import LABELS, BNResult

# where each activation is flat (slope below FLAT of its largest: see probes.flat_share), in words
FLAT_PART = {"sigmoid": "in its flat tails (slope below 10% of its largest)",
             "tanh": "in its flat tails (slope below 10% of its largest)",
             "relu": "at or below 0, where its slope is 0"}


def final_bands(result: BNResult, layer: int) -> pd.DataFrame:
    """Per run (the index), the last recorded percentiles p15/p50/p85 and flat share of `layer`'s activation input."""
    return result.bands[result.bands["layer"] == layer].groupby("run").tail(1).set_index("run")


def bands_caption(result: BNResult, layer: int) -> str:
    """Where the middle 70% of each network's inputs to `layer`'s activation ended."""
    return " · ".join(f"{run}: middle 70% of inputs in [{row.p15:.2f}, {row.p85:.2f}] at the end"
                      for run, row in final_bands(result, layer).iterrows())


def takeaways(result: BNResult, layer: int, gap: float, activation: str) -> list[str]:
    """The page's "what to notice": accuracy with and without BN, the flat share and the BN network's
    input distribution in `layer` at the end, and the mean |train − eval| difference `gap` measured on
    one batch. `activation` is the activation's display name ("Sigmoid")."""
    trained = result.config
    summary = result.summary("network").set_index("network")
    plain, norm = summary.loc[LABELS[False]], summary.loc[LABELS[True]]
    end = final_bands(result, layer).reindex([LABELS[False], LABELS[True]])
    return [
        f"Same weights, same batches, learning rate {trained.lr:g}: the plain network reached "
        f"**{plain['val. accuracy']:.1%}** validation accuracy, the BN network **{norm['val. accuracy']:.1%}**.",
        f"At the end of training, {end.loc['Without BN', 'flat']:.0%} of the plain network's inputs to the "
        f"{activation} in hidden layer {layer} sit {FLAT_PART[trained.activation]}, against "
        f"{end.loc['With BN', 'flat']:.0%} with BN.",
        f"BN's x̂ has mean 0 and variance 1 over each batch by construction; γ and β then place the "
        f"activation's input where the loss wants it: in layer {layer} its median ends at "
        f"{end.loc['With BN', 'p50']:.2f} (middle 70% in [{end.loc['With BN', 'p15']:.2f}, "
        f"{end.loc['With BN', 'p85']:.2f}]).",
        f"Train and eval mode normalise with different statistics (here they differ by {gap:.3f} on average): "
        "evaluate with `model.eval()`, or a single test example would be normalised by itself.",
    ]
