"""Both confusion matrices name every class on both axes: Vega drops labels it finds overlapping (every
other row at presenter mode's font) unless told not to."""
import pandas as pd
import pytest

from core.charts import presenter
from core.lessons.basics import charts as basics
from core.lessons.transfer import charts as transfer

COUNTS = pd.DataFrame([{"true": t, "predicted": p, "count": 9 * (t == p), "share": float(t == p)}
                       for t in range(10) for p in range(10)])
FASHION = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")


@pytest.mark.parametrize("chart", [transfer.confusion_chart(COUNTS), basics.confusion_chart(COUNTS, FASHION)],
                         ids=["transfer", "basics"])
@pytest.mark.parametrize("big", [False, True])
def test_every_class_is_labelled_on_both_axes(chart, big):
    spec = presenter(chart, big).to_dict()
    axes = [layer["encoding"][c] for layer in spec["layer"] for c in ("x", "y") if c in layer.get("encoding", {})]
    assert len(axes) >= 2
    for axis in axes:  # no label may be dropped, and none is filtered out of the domain
        assert axis["axis"]["labelOverlap"] is False and "values" not in axis["axis"], axis
