"""The CNN page, run through the real entrypoint by Streamlit's AppTest."""
from tests.app.conftest import frames, percents, unreadable
import dataclasses
import json

import pytest
import torch

import ui.page
from core.data import CLASSES

PAGE = "cnn.py"


def chart_count(at) -> int:
    """Charts a screen shows: a view's phone layout (ui.layout.show_chart's `phone`, hidden there) left out."""
    return sum(json.loads(c.proto.spec).get("usermeta", {}).get("layout") != "phone" for c in at.get("vega_lite_chart"))


def phone_layouts(at) -> list[str]:
    """The specs (JSON text) of the charts drawn in their phone layout."""
    return [c.proto.spec for c in at.get("vega_lite_chart") if json.loads(c.proto.spec).get("usermeta", {}).get("layout") == "phone"]


def chart_titles(at) -> list[str]:
    """Each chart's own title text (top-level `title`, a string or {text, subtitle})."""
    titles = []
    for chart in at.get("vega_lite_chart"):
        title = json.loads(chart.proto.spec).get("title", "")
        titles.append(title.get("text", "") if isinstance(title, dict) else title)
    return titles


def text_of(elements, contains: str) -> str:
    """The one element (caption, markdown, ...) whose text contains `contains`."""
    found = [e.value for e in elements if contains in e.value]
    assert len(found) == 1, (contains, found)
    return found[0]


def tables(at):
    """Read-only tables (st.dataframe and st.table), not the data editors."""
    return frames(at)


def latex(at) -> str:
    return " ".join(l.value for l in at.latex)


def test_defaults_show_the_explainer_and_the_untrained_network(app):
    at = app(PAGE).run()
    assert not at.exception and not at.error
    assert at.title[0].value == "Convolutional networks"
    assert at.selectbox(key="cnn.kernel").value == "sobel_x"
    # explainer, channels, kernels before training, image, probabilities, 4 feature-map grids
    assert chart_count(at) == 9
    assert len(phone_layouts(at)) == 1 and '"Output 26' in phone_layouts(at)[0]  # the explainer's, for a phone
    assert r"\left\lfloor \frac{28 + 2\cdot0 - 3}{1} \right\rfloor + 1 = 26" in latex(at)
    assert "= 13" in latex(at)  # 2x2 max-pool of 26
    assert any("Press **Train**" in i.value for i in at.info)
    assert len(at.data_editor) == 1  # the channel table (the custom kernel table is hidden)
    params = tables(at)[0].set_index("network")
    assert params.loc["CNN without BN", "parameters"] == "28,938"
    assert params.loc["MLP 784-256-128-10", "parameters"] == "235,146"
    # before Train the runs' columns say "—" (not "None", not empty)
    assert (params[["epochs", "val. accuracy", "seconds"]] == "—").all().all()
    assert at.query_params["kernel"] == "sobel_x" and at.query_params["channel_kernels"] == \
        "sobel_x,sobel_y,box_blur,box_blur"  # the view is a link


@pytest.mark.parametrize("widget, key, value, param, shown", [
    ("number_input", "index", 7, "index", "7"),
    ("selectbox", "kernel", "gaussian5", "kernel", "gaussian5"),
    ("number_input", "stride", 3, "stride", "3"),
    ("number_input", "padding", 2, "padding", "2"),
    ("selectbox", "pool", 1, "pool", "1"),
    ("number_input", "in_channels", 3, "in_channels", "3"),
    ("number_input", "out_channels", 1, "out_channels", "1"),
    ("number_input", "epochs", 3, "epochs", "3"),
    ("number_input", "lr", 0.05, "lr", "0.05"),
    ("number_input", "momentum", 0.5, "momentum", "0.5"),
    ("number_input", "batch_size", 128, "batch_size", "128"),
    ("radio", "network", "bn", "network", "bn"),
    ("number_input", "image", 12, "image", "12"),
])
def test_each_control_changes_the_view_without_error(app, widget, key, value, param, shown):
    at = app(PAGE).run()
    getattr(at, widget)(key=f"cnn.{key}").set_value(value).run()
    assert not at.exception and not at.error
    assert at.query_params[param] == shown
    assert chart_count(at) == 9  # every control keeps the whole untrained view


def test_formula_uses_the_current_numbers(app):
    at = app(PAGE, stride="2", padding="1", pool="3", kernel="gaussian5").run()
    assert not at.exception
    text = latex(at)
    assert r"\frac{28 + 2\cdot1 - 5}{2}" in text and r"+ 1 = 13" in text  # floor(25/2)+1
    assert r"\frac{13}{3}" in text and "= 4" in text
    assert any("output 13×13 → max-pool 3×3 → 4×4" in c.value for c in at.caption)


def test_channel_counts_resize_the_kernel_table(app):
    at = app(PAGE, in_channels="3", out_channels="3").run()
    assert not at.exception and not at.error
    table = at.data_editor[0].value
    assert table.shape == (3, 3) and list(table.columns) == ["in 1", "in 2", "in 3"]
    assert any("3·3·3² + 3 = 84 weights" in c.value for c in at.caption)
    # the input channels are one digit and its edge maps, not three different digits
    assert "test image #0: its pixels, then left edges (Sobel x, ReLU) and top edges" in \
        text_of(at.caption, "input channels are")
    assert len(at.query_params["channel_kernels"].split(",")) == 9
    at.number_input(key="cnn.in_channels").set_value(1).run()
    at.number_input(key="cnn.out_channels").set_value(1).run()
    assert not at.exception and not at.error
    assert at.data_editor[0].value.shape == (1, 1) and at.query_params["channel_kernels"] == "sobel_x"
    assert any("1·1·3² + 1 = 10 weights" in c.value for c in at.caption)


def test_custom_kernel_from_a_link_and_its_table(app):
    at = app(PAGE, kernel="custom", custom="0,0,0,1,1,1,0,0,0").run()
    assert not at.exception and not at.error
    editor = at.data_editor[0].value
    assert editor.shape == (3, 3) and list(editor.iloc[1]) == [1.0, 1.0, 1.0]
    assert at.radio(key="cnn.custom_size").value == 3
    at.radio(key="cnn.custom_size").set_value(5).run()
    assert not at.exception and at.data_editor[0].value.shape == (5, 5)
    assert len(at.query_params["custom"].split(",")) == 25


def test_custom_kernel_starts_from_the_preset_being_shown(app):
    at = app(PAGE).run()
    at.selectbox(key="cnn.kernel").set_value("custom").run()
    assert not at.exception
    assert list(at.data_editor[0].value.iloc[1]) == [-2.0, 0.0, 2.0]  # Sobel x, ready to modify
    assert at.query_params["custom"] == "-1.0,0.0,1.0,-2.0,0.0,2.0,-1.0,0.0,1.0"


def test_custom_kernel_of_a_link_is_kept_when_custom_is_picked(app):
    at = app(PAGE, custom="0,0,0,1,1,1,0,0,0").run()  # kernel: the default preset, Sobel x
    at.selectbox(key="cnn.kernel").set_value("custom").run()
    assert not at.exception and not at.error
    assert list(at.data_editor[0].value.iloc[1]) == [1.0, 1.0, 1.0]
    assert at.query_params["custom"] == "0.0,0.0,0.0,1.0,1.0,1.0,0.0,0.0,0.0"
    # a link's unusable custom values (beside a preset, where the config does not check them) are replaced
    at = app(PAGE, custom="200,0,0,0,1,0,0,0,0").run()
    assert any("link's custom kernel cannot be used" in w.value for w in at.warning)
    at.selectbox(key="cnn.kernel").set_value("custom").run()
    assert not at.exception and not at.error
    assert list(at.data_editor[0].value.iloc[1]) == [-2.0, 0.0, 2.0]  # started from Sobel x
    assert chart_count(at) == 9


def test_out_of_range_custom_cell_is_an_error_and_a_preset_recovers(app):
    at = app(PAGE, kernel="custom").run()
    at.session_state["cnn.custom3"] = {"edited_rows": {0: {"1": 200.0}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == ["Kernel cell in row 1, column 1 is 200: enter a number between -100 "
                                           "and 100."]
    assert chart_count(at) == 8  # only the explainer is withheld; training, kernels and feature maps remain
    assert at.query_params["custom"] == "0.0,0.0,0.0,0.0,1.0,0.0,0.0,0.0,0.0"  # the last usable kernel
    at.selectbox(key="cnn.kernel").set_value("sobel_x").run()
    assert not at.exception and not at.error
    assert chart_count(at) == 9 and at.query_params["kernel"] == "sobel_x"


def test_edited_custom_kernel_is_used_and_an_empty_cell_is_an_error(app):
    at = app(PAGE, kernel="custom").run()
    at.session_state["cnn.custom3"] = {"edited_rows": {0: {"1": 5.0}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception and not at.error
    assert at.query_params["custom"].startswith("5.0,")
    at.session_state["cnn.custom3"] = {"edited_rows": {1: {"2": None}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception
    assert any("row 2, column 2 is empty" in e.value for e in at.error)
    assert chart_count(at) == 8  # only the explainer is withheld


def test_empty_channel_kernel_is_an_error(app):
    at = app(PAGE).run()
    at.session_state["cnn.channels"] = {"edited_rows": {1: {"in 2": None}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception
    assert any("output channel 2, input channel 2" in e.value for e in at.error)


def test_impossible_pooling_is_explained(app):
    at = app(PAGE, stride="8", pool="8", kernel="gaussian5").run()
    assert not at.exception
    assert any("max-pool window is larger than the 3×3" in e.value for e in at.error)
    assert chart_count(at) == 8  # the rest of the lesson is still there


def test_hostile_url_is_reported_and_defaults_used(app):
    at = app(PAGE, stride="0", kernel="wavelet", custom="1,nan", index="abc", pool="-3", lr="inf",
             channel_kernels="gaussian5", in_channels="9", network="resnet").run()
    assert not at.exception and not at.error
    warned = " ".join(w.value for w in at.warning)
    for name in ("stride", "kernel", "custom", "index", "pool", "lr", "channel_kernels", "in_channels", "network"):
        assert f"{name}=" in warned
    assert at.selectbox(key="cnn.kernel").value == "sobel_x"
    assert chart_count(at) == 9


def test_link_past_the_bundled_sample_is_clamped(app):
    at = app(PAGE, index="9000", image="5000").run()
    assert not at.exception and not at.error
    assert any("does not exist in this 2,000-image validation set" in w.value for w in at.warning)
    assert at.number_input(key="cnn.index").value == 1999 and at.query_params["image"] == "1999"


def test_train_shows_both_networks_learned_kernels_and_mistakes(app):
    at = app(PAGE, epochs="1").run()
    at.button[0].click().run()
    assert not at.exception and not at.error
    summary = tables(at)[0]
    assert list(summary["network"]) == ["Without BN", "With BN"]
    assert (summary["status"] == "finished").all() and (percents(summary["val. accuracy"]) > 0.9).all()
    # + loss, accuracy, kernels after and change, misclassified strip
    assert chart_count(at) == 9 + 5
    notes = " ".join(m.value for m in at.markdown)
    assert "with batch norm** and" in notes and "the MLP, with 8.1× as many" in notes
    assert "The CNN without batch norm reached" in notes
    # LeCun et al. 1998 beside ours, and the two budgets stated
    assert "LeCun, Bottou, Bengio & Haffner 1998" in notes
    # the verdict reads the run: after one epoch the CNN may still trail the MLP's ten
    behind = "here the MLP is ahead" in notes
    assert ("· **not reproduced here**" in notes) == behind and ("· **reproduced here**" in notes) != behind
    assert "The two were not trained on equal budgets: the MLP made 10 passes" in notes
    # the drawing canvas waits for a digit, and says which network will read it
    assert "the network without batch norm trained above reads it" in notes
    assert any("Draw a digit on the white square" in i.value for i in at.info)
    params = tables(at)[1].set_index("network")
    assert percents(params["val. accuracy"]).loc["MLP 784-256-128-10"] > 0.9
    assert any("misclassified by the network without batch norm" in c.value for c in at.caption)
    # jumping to a misclassified digit shows its feature maps
    jump = at.selectbox(key="cnn.jump")
    assert jump.options[0] == "choose" and " read as " in jump.options[1]
    target = int(jump.options[1].split(":")[0].lstrip("#"))
    jump.set_value(target).run()
    assert not at.exception
    assert at.number_input(key="cnn.image").value == target and at.query_params["image"] == str(target)
    assert at.selectbox(key="cnn.jump").value is None  # ready for the next pick
    predicted = jump.options[1].split(" read as ")[1].split(" (")[0]
    assert any(t.startswith(f"Prediction: {predicted} (") and t.endswith("), wrong") for t in chart_titles(at))
    # the takeaway follows the network inspected
    at.radio(key="cnn.network").set_value("bn").run()
    notes = " ".join(m.value for m in at.markdown)
    assert "The CNN with batch norm reached" in notes and "The CNN without batch norm reached" not in notes


def test_the_run_on_screen_keeps_its_start_and_its_data_when_settings_change(app, monkeypatch):
    """Changing the seed or the dataset without Train keeps showing the last run: its "before"
    kernels must be that run's start, and its mistakes the images it was tested on."""
    at = app(PAGE, epochs="1").run()
    at.button[0].click().run()
    moved = text_of(at.caption, "Training moved conv1")
    before = text_of(at.markdown, "their correlation is")
    at.number_input(key="g.seed").set_value(7).run()
    assert not at.exception and not at.error
    assert any("Showing the last run" in c.value for c in at.caption)
    assert text_of(at.caption, "Training moved conv1") == moved
    assert text_of(at.markdown, "their correlation is") == before

    real = ui.page.get_dataset

    def other_data(name, device):  # a second dataset with other images, as the full download would be
        data = real(name, device)
        if name != "fashion_mnist":
            return data
        return dataclasses.replace(data, name="fashion_mnist", x_val=torch.flip(data.x_val, dims=[-1]),
                                   classes=CLASSES["fashion_mnist"])

    monkeypatch.setattr(ui.page, "get_dataset", other_data)
    at.selectbox(key="g.dataset").set_value("fashion_mnist").run()
    assert not at.exception and not at.error
    assert "trained on other data (MNIST, bundled sample)" in text_of(at.info, "other data")
    assert "cnn.jump" not in [s.key for s in at.selectbox]  # its mistakes are not images of this page
    assert "validation images it was trained with" in text_of(at.caption, "misclassified by the network")
    assert any("the untrained network without batch norm" in c.proto.spec for c in at.get("vega_lite_chart"))


def test_diverging_learning_rate_is_reported(app):
    at = app(PAGE, lr="50", momentum="0.99", epochs="1").run()
    at.button[0].click().run()
    assert not at.exception
    assert any("diverged at step" in w.value for w in at.warning)
    assert any("no kernels or feature maps to show" in w.value for w in at.warning)
    # every sentence copes with a run that diverged before its first validation
    words = " ".join(e.value for e in [*at.markdown, *at.caption, *at.info, *at.warning])
    words = words.lower().replace("nance", "").replace("became nan or infinite", "")  # the outcome's own words
    assert "nan" not in words and "none" not in words.replace("none of", "")
    assert "not measured yet" in words or "not reproduced here" in words
    assert not unreadable(at), unreadable(at)


def test_the_drawing_waits_for_a_digit_and_says_the_untrained_guess_is_random(app):
    at = app(PAGE).run()
    notes = " ".join(m.value for m in at.markdown)
    assert "6. Draw a digit" in [h.value for h in at.header]
    assert "**not trained yet**: its guess is random" in notes
    assert any("Draw a digit on the white square" in i.value for i in at.info)
    assert any(b.label == "Clear and draw again" for b in at.button)
    assert "· **not measured yet**" in notes  # LeCun 1998 needs a run
