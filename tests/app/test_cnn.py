"""The CNN page, run through the real entrypoint by Streamlit's AppTest."""
import pytest

PAGE = "cnn.py"


def chart_count(at) -> int:
    return len(at.get("vega_lite_chart"))


def tables(at):
    """Read-only tables (st.dataframe), not the data editors."""
    return [d.value for d in at.dataframe if d.editing_mode == "read_only"]


def latex(at) -> str:
    return " ".join(l.value for l in at.latex)


def test_defaults_show_the_explainer_and_the_untrained_network(app):
    at = app(PAGE).run()
    assert not at.exception and not at.error
    assert at.title[0].value == "Convolutional networks"
    assert at.selectbox(key="cnn.kernel").value == "sobel_x"
    # explainer, channels, kernels before training, image, probabilities, 4 feature-map grids
    assert chart_count(at) == 9
    assert r"\left\lfloor \frac{28 + 2\cdot0 - 3}{1} \right\rfloor + 1 = 26" in latex(at)
    assert "= 13" in latex(at)  # 2x2 max-pool of 26
    assert any("Press **Train**" in i.value for i in at.info)
    assert len(at.data_editor) == 1  # the channel table (the custom kernel table is hidden)
    params = tables(at)[0].set_index("network")["parameters"]
    assert params["CNN without BN"] == 28_938 and params["MLP 784-256-128-10"] == 235_146
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
    assert chart_count(at) >= 8


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
    assert (summary["status"] == "finished").all() and (summary["val. accuracy"] > 0.9).all()
    # + loss, accuracy, kernels after and change, misclassified strip
    assert chart_count(at) == 9 + 5
    notes = " ".join(m.value for m in at.markdown)
    assert "with batch norm** and" in notes and "the MLP, with 8.1× as many" in notes
    params = tables(at)[1].set_index("network")
    assert params.loc["MLP 784-256-128-10", "val. accuracy"] > 0.9
    assert any("misclassified by the network without batch norm" in c.value for c in at.caption)
    # jumping to a misclassified digit shows its feature maps
    jump = at.selectbox(key="cnn.jump")
    assert jump.options[0] == "choose" and " read as " in jump.options[1]
    target = int(jump.options[1].split(":")[0].lstrip("#"))
    jump.set_value(target).run()
    assert not at.exception
    assert at.number_input(key="cnn.image").value == target and at.query_params["image"] == str(target)
    assert at.selectbox(key="cnn.jump").value is None  # ready for the next pick
    assert any("wrong" in c.proto.spec for c in at.get("vega_lite_chart"))


def test_diverging_learning_rate_is_reported(app):
    at = app(PAGE, lr="50", momentum="0.99", epochs="1").run()
    at.button[0].click().run()
    assert not at.exception
    assert any("diverged at step" in w.value for w in at.warning)
    assert any("no kernels or feature maps to show" in w.value for w in at.warning)
