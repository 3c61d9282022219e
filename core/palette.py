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
    # weight initializations: compared pairs far apart in hue and lightness (CIELAB ΔE > 90 for Uniform
    # [-1, 1] vs Xavier uniform, PyTorch default vs Xavier uniform, Xavier normal vs He normal)
    "PyTorch default": "#0072B2", "All equal (1)": "#888888", "Uniform [-1, 1]": "#661100",
    "Uniform / n_in": "#CC79A7", "Xavier uniform": "#E69F00", "Xavier normal": "#999933",
    "He uniform": "#009E73", "He normal": "#332288",
    # batch norm: vermillion and blue, opposite in hue (ΔE 115); the app's other without/with pairs
    # (residual connections, the quadratic cost) take the same two colours
    "Without BN": "#D55E00", "With BN": "#0072B2",
    # momentum (by label): β = 0 light orange, β = 0.5 dark wine, β = 0.9 blue, β = 0.99 green,
    # each pair far apart in hue, and 0 / 0.5 also in lightness (CIELAB L* 71 against 32)
    "β = 0": "#E69F00", "β = 0.5": "#882255", "β = 0.9": "#0072B2", "β = 0.99": "#009E73",
    # residual connections: a without/with pair, coloured as Without BN / With BN (vermillion / blue)
    "Plain": "#D55E00", "Residual": "#0072B2",
    # cost functions (core.losses labels): the quadratic cost is vermillion wherever it appears, the
    # cross-entropy blue; the two bugs take Tol's wine and olive
    "Cross-entropy": "#0072B2", "Quadratic cost": "#D55E00", "MSE on softmax, summed over outputs": "#D55E00",
    "MSE on softmax, nn.MSELoss()": "#CC79A7", "MSE on sigmoid outputs": "#332288",
    "Cross-entropy per output (sigmoid)": "#009E73", "Bug: softmax before CrossEntropyLoss": "#882255",
    "Bug: NLLLoss on probabilities": "#999933",
    # how a network learns (basics): a gate's two outputs, and its networks' runs
    "y = 1": "#0072B2", "y = 0": "#D55E00", "Sum of three": "#009E73", "784-512-512-10 MLP": "#0072B2",
    # regularization: the regularizers (the plain network and L2, compared in pairs, far apart in hue and
    # lightness), and Bishop's curve fitting (his colours: red fit, green truth; training and test sets)
    "No regularization": "#E69F00", "L2 weight decay": "#0072B2", "Dropout": "#009E73", "Input noise": "#882255",
    "Max-norm": "#CC79A7", "Activity penalty": "#56B4E9", "Early stopping": "#000000",
    "fitted polynomial": "#D55E00", "sin(2πx)": "#009E73", "Training set": "#332288", "Test set": "#44AA99",
    # what a loss is measured on: training data indigo, held-out data teal (as Training set / Test set)
    "training batches": "#332288", "validation set": "#44AA99",
    # a highlighted category against the rest (the softmax's true class)
    "true class": "#000000", "other classes": "#BBBBBB",
    # transfer learning: the four ways of training on the new task (from scratch vs frozen: far apart)
    "From scratch": "#D55E00", "Frozen + new head": "#0072B2", "Fine-tune all": "#009E73",
    "Fine-tune, smaller feature lr": "#CC79A7",
    # a dropout mask: kept units dark, dropped ones pale (greys, so no run's colour means a second thing)
    "kept": "#333333", "dropped": "#E3E3E3",
}

# marks that belong to no category (one run's own points or counts): a dark grey no category uses
NEUTRAL = "#6B6B6B"


# Labels that name one thing in different sections of a page, and so share its colour there
SYNONYMS: list[set[str]] = [{"Quadratic cost", "MSE on softmax, summed over outputs"},
                             {"y = 1", "predicts 1"}, {"y = 0", "predicts 0"}]

SPARE = OKABE_ITO + TOL_EXTRA


def color_of(label: str) -> str:
    """A category's colour; unknown labels get a stable colour from the spare palette."""
    if label in COLORS:
        return COLORS[label]
    return SPARE[sum(map(ord, label)) % len(SPARE)]


def _family(label: str) -> str | None:
    """'β = 0.8' -> 'β': labels of one family ('name = value') share a set of reserved colours."""
    return label.split(" = ")[0] if " = " in label else None


def color_scale(labels: list[str]) -> alt.Scale:
    """An Altair colour scale pinning each label to its colour, in the given order.

    A label without a colour of its own never borrows one already in this chart or kept for another
    label of its family (the spare colour of "β = 0.8" would otherwise be β = 0.9's blue)."""
    labels = list(dict.fromkeys(labels))
    families = {_family(l) for l in labels} - {None}
    taken = {COLORS[l] for l in labels if l in COLORS}
    taken |= {c for name, c in COLORS.items() if _family(name) in families}
    colors = []
    for label in labels:
        color = color_of(label)
        if label not in COLORS:
            start = SPARE.index(color)
            free = [c for c in SPARE[start:] + SPARE[:start] if c not in taken]
            color = free[0] if free else color
            taken.add(color)
        colors.append(color)
    return alt.Scale(domain=labels, range=colors)
