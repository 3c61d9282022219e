"""core.palette: fixed colours stay fixed, and no two runs in one chart share a colour."""
from core.palette import COLORS, color_of, color_scale


def test_fixed_colours_and_no_repeats_in_one_chart():
    order = [f"β = {b:g}" for b in (0, 0.3, 0.5, 0.8, 0.9, 0.99)]
    scale = color_scale(order)
    assert scale.domain == order and len(set(scale.range)) == len(order)
    for label, color in zip(order, scale.range):
        if label in COLORS:
            assert color == COLORS[label]
    # the spare colour of β = 0.8 is β = 0.9's blue: it is never borrowed, even when β = 0.9 is absent
    assert color_of("β = 0.8") == COLORS["β = 0.9"]
    alone = color_scale(["β = 0.8"]).range[0]
    assert alone not in {c for name, c in COLORS.items() if name.startswith("β =")}
    assert color_scale(["β = 0.8", "β = 0.9"]).range[0] == alone == scale.range[order.index("β = 0.8")]


def test_duplicates_collapse_and_other_families_are_untouched():
    scale = color_scale(["ReLU", "Tanh", "ReLU"])
    assert scale.domain == ["ReLU", "Tanh"] and scale.range == [COLORS["ReLU"], COLORS["Tanh"]]
