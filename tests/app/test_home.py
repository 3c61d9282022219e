from ui.course import available_lessons, course_groups


def test_home_runs_with_defaults(app):
    at = app().run()
    assert not at.exception
    assert at.title[0].value == "Deep Learning Visual Lab"
    device = at.sidebar.selectbox(key="g.device")
    assert device.value == "auto" and "CPU" in device.options
    assert "CUDA (NVIDIA GPU) — not present" in device.options  # this machine has no GPU
    assert at.sidebar.selectbox(key="g.dataset").value == "mnist"
    # which data is in use is said on screen
    assert any("bundled MNIST sample" in i.value for i in at.sidebar.info)


def test_sidebar_edits_keep_working(app):
    at = app().run()
    at.sidebar.number_input(key="g.seed").set_value(42).run()
    at.sidebar.toggle(key="g.presenter").set_value(True).run()
    assert not at.exception
    assert at.query_params["seed"] == "42"  # the address bar is a link to this view
    assert at.session_state["settings"].presenter is True


def test_absent_device_falls_back_with_a_notice(app):
    at = app().run()
    at.sidebar.selectbox(key="g.device").set_value("mps").run()
    assert not at.exception
    assert any("not available" in w.value for w in at.sidebar.warning)
    assert "CPU" in " ".join(c.value for c in at.sidebar.caption)


def test_hostile_url_parameters_are_reported_not_fatal(app):
    at = app(seed="minus one", device="quantum", presenter="yes").run()
    assert not at.exception
    warnings = " ".join(w.value for w in at.sidebar.warning)
    assert "seed=" in warnings and "device=" in warnings
    assert at.session_state["settings"].seed == 0 and at.session_state["settings"].presenter is True


def test_home_presents_the_lessons_as_a_course_in_groups(app):
    """One subheader per group in reading order, a card per lesson whose page exists, nothing 'coming soon'."""
    at = app().run()
    assert not at.exception
    groups = course_groups()
    assert [s.value for s in at.main.subheader] == [*groups, "How to use it"]
    lessons = [lesson for members in groups.values() for lesson in members]
    assert lessons == available_lessons() and len(lessons) >= 5
    assert [link.value for link in at.main.get("page_link")] == [f"**{lesson.title}**" for lesson in lessons]
    assert [c.value for c in at.main.caption] == [lesson.teaches for lesson in lessons]
    assert "coming soon" not in " ".join(m.value for m in at.main.markdown)
