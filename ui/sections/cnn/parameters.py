"""The CNN lesson, section 5: why convolutions. The parameter count of both CNNs against the MLP baseline,
with their accuracy once trained, and the inspected CNN's layers."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from core.format import MISSING, number, percent, seconds
from core.lessons.cnn import experiment, inspection, story
from core.lessons.cnn.config import IN_WORDS, NETWORKS
from core.lessons.cnn.experiment import CNNTraining
from ui.layout import data_table, run_table
from ui.reproduced import reproduced
from ui.sections.cnn.kernels import Inspected


def render(result: CNNTraining | None, net: Inspected, seed: int) -> tuple[pd.Series, pd.Series]:
    """Section 5; returns the table's rows of the inspected CNN and of the MLP (for the takeaways).
    `seed` builds the networks counted when nothing is trained yet."""
    network = net.network
    st.header("5. Why convolutions: the parameter count")
    params = inspection.parameter_comparison(result, seed)
    cnn_row, mlp_row = params.iloc[list(NETWORKS).index(network)], params.iloc[2]  # the network inspected
    mlp = experiment.MLP_SETTINGS
    st.markdown(
        f"The CNN shares each 5×5 kernel across all positions of the image. An MLP must learn a separate "
        f"weight for every pixel of every unit: the MLP {'-'.join(map(str, experiment.MLP_SIZES))} has "
        f"**{mlp_row['parameters'] / cnn_row['parameters']:.1f}×** the parameters of the CNN "
        f"{IN_WORDS[network]}. It is trained with its own, well-tuned "
        f"settings ({mlp.epochs} epochs, learning rate {number(mlp.lr)}, momentum {mlp.momentum:g}) when you press "
        "**Train**.")
    left, right = st.columns([3, 2])
    with left:
        # through the app's formatter: before Train the runs' columns say "—", never "None"
        shown = params.assign(parameters=params["parameters"].map("{:,}".format),
                              epochs=params["epochs"].map(lambda e: MISSING if pd.isna(e) else f"{int(e)}"),
                              **{"val. accuracy": params["val. accuracy"].map(percent),
                                 "seconds": params["seconds"].map(seconds)})
        run_table(shown)
    with right:
        data_table(inspection.layer_table(net.untrained), hide_index=True, width="stretch",
                     column_config={"parameters": st.column_config.NumberColumn(format="localized")})
        st.caption(f"Layers of the CNN {IN_WORDS[network]}, output shapes measured on a forward pass.")
    budget = story.budget_sentence(cnn_row, mlp_row)
    if budget:
        st.markdown(budget)
    reproduced([story.lecun_reproduction(cnn_row, mlp_row, network)])
    return cnn_row, mlp_row
