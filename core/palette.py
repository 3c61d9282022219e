"""One colour per category, the same in every chart of every page.

Colours come from the Okabe-Ito and Paul Tol palettes, both designed to stay distinguishable
with the common forms of colour blindness.
"""
from __future__ import annotations

import altair as alt

OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#000000", "#F0E442"]
TOL_EXTRA = ["#882255", "#44AA99", "#999933", "#AA4499", "#332288", "#888888"]

COLORS: dict[str, str] = {
    # activations
    "Step": "#888888", "Sigmoid": "#E69F00", "Tanh": "#56B4E9", "ReLU": "#009E73",
    "Leaky ReLU": "#CC79A7", "ELU": "#0072B2", "GELU": "#D55E00", "SiLU": "#000000", "Softplus": "#882255",
    # weight initializations
    "PyTorch default": "#0072B2", "All equal (1)": "#888888", "Uniform [-1, 1]": "#D55E00",
    "Uniform / n_in": "#CC79A7", "Xavier uniform": "#E69F00", "Xavier normal": "#999933",
    "He uniform": "#009E73", "He normal": "#44AA99",
    # batch norm
    "Without BN": "#D55E00", "With BN": "#0072B2",
    # momentum (by label)
    "β = 0": "#D55E00", "β = 0.5": "#E69F00", "β = 0.9": "#0072B2", "β = 0.99": "#CC79A7",
}


def color_of(label: str) -> str:
    """A category's colour; unknown labels get a stable colour from the spare palette."""
    if label in COLORS:
        return COLORS[label]
    spare = OKABE_ITO + TOL_EXTRA
    return spare[sum(map(ord, label)) % len(spare)]


def color_scale(labels: list[str]) -> alt.Scale:
    """An Altair colour scale pinning each label to its colour, in the given order."""
    labels = list(dict.fromkeys(labels))
    return alt.Scale(domain=labels, range=[color_of(l) for l in labels])
