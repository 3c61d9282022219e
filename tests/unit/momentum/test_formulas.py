"""The formula box: the student's own loss as a surface, the course lab's polynomials, and the refusals."""
import math

import numpy as np
import pytest
import torch

from core.expressions import FormulaError
from core.lessons.momentum import experiment, formulas
from core.lessons.momentum.config import MomentumConfig
from core.lessons.momentum.formulas import CUSTOM, LAB, critical_points, custom_surface


@pytest.mark.parametrize("text", ["__import__('os')", "().__class__", "x" * 10_000, "1/0", "x**x**x**x",
                                  "open('/etc/passwd')", "x.real", "[x for x in y]", "lambda: 1", "x if y else 1"])
def test_hostile_formulas_are_refused_with_a_message_and_never_run(text, monkeypatch):
    import builtins

    def no_eval(*args, **kwargs):  # Python's eval and exec must never be reached
        raise AssertionError("eval/exec was called")

    monkeypatch.setattr(builtins, "eval", no_eval)
    monkeypatch.setattr(builtins, "exec", no_eval)
    with pytest.raises(FormulaError) as refused:
        formulas.custom_surface.__wrapped__(text)
    assert len(str(refused.value)) > 20  # a sentence for the page
    with pytest.raises(ValueError):  # and a config never holds it (from a link, say)
        MomentumConfig(surface=CUSTOM, formula=text)
    with pytest.raises(ValueError):
        MomentumConfig(formula=text)  # not even while another surface is on screen


def test_a_hostile_formula_in_the_url_is_ignored_with_a_message():
    config, messages = MomentumConfig.from_query({"surface": "custom", "formula": "__import__('os').system('x')"})
    assert config.formula == formulas.CUSTOM_DEFAULT and any("formula=" in m for m in messages)


@pytest.mark.parametrize("text, where", [("log(x)", "(-5"), ("sqrt(x) + y", "(-5"), ("1/x + y**2", "")])
def test_a_formula_not_finite_on_the_view_is_refused(text, where):
    with pytest.raises(FormulaError, match="not finite everywhere on the view") as refused:
        custom_surface.__wrapped__(text)
    assert where in str(refused.value)


def test_views_are_checked():
    with pytest.raises(ValueError, match="x view"):
        MomentumConfig(surface=CUSTOM, x_view=(2.0, 1.0))
    with pytest.raises(ValueError, match="between -10 and 10"):
        MomentumConfig(surface=CUSTOM, y_view=(-11.0, 1.0))
    log = MomentumConfig(surface=CUSTOM, formula="log(x)", x_view=(0.5, 5.0), x0=2.0)  # fine where it is finite
    assert log.the_surface.dim == 1 and not log.the_surface.minima


def test_himmelblau_critical_points_match_the_known_ones():
    """The default formula, Himmelblau's function: four minima (all 0), four saddle points, one maximum."""
    s = custom_surface(formulas.CUSTOM_DEFAULT)
    kinds = [p.kind for p in s.points]
    assert kinds.count("global minimum") == 4 and kinds.count("saddle point") == 4
    assert kinds.count("local maximum") == 1
    known = [(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)]
    for x, y in known:
        assert min(np.hypot(p.at[0] - x, p.at[1] - y) for p in s.minima) < 1e-5
    for p in s.minima:
        assert s.loss_at(p.at) == pytest.approx(0.0, abs=1e-12)
    top = next(p for p in s.points if p.kind == "local maximum")
    assert top.at == pytest.approx((-0.270845, -0.923039), abs=1e-5)
    # gradients through torch autograd, not finite differences
    w = torch.tensor([1.0, 1.0], dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(s(w), w)
    x, y = 1.0, 1.0
    expected = [4 * x * (x * x + y - 11) + 2 * (x + y * y - 7), 2 * (x * x + y - 11) + 4 * y * (x + y * y - 7)]
    assert g.tolist() == pytest.approx(expected)


@pytest.mark.parametrize("text, expected", [
    ("x**2 - y**2", [("saddle point", (0.0, 0.0))]),
    ("x**4 - 2*x**2", [("global minimum", (-1.0,)), ("global minimum", (1.0,)), ("local maximum", (0.0,))]),
    ("w**3", [("saddle point", (0.0,))]),  # a singular Hessian: classified by the loss around it
    ("x**4 + y**4", [("global minimum", (0.0, 0.0))]),  # singular too, but a minimum
    ("x + y", []),
])
def test_critical_points_are_found_and_classified(text, expected):
    s = custom_surface(text)
    got = [(p.kind, p.at) for p in s.points]
    assert [k for k, _ in got] == [k for k, _ in expected]
    for (_, at), (_, want) in zip(got, expected):
        assert at == pytest.approx(want, abs=1e-4)


def test_the_formula_is_a_surface_the_runs_and_charts_use():
    config = MomentumConfig.for_surface(CUSTOM, formula="x**2 + 10*y**2", lr=0.05, steps=100, x0=2.0, y0=1.0)
    surface = config.the_surface
    assert surface.formula == "L(x, y) = x^{2} + 10 y^{2}" and surface.axes == ("x", "y")
    runs = experiment.trajectories(config)
    found = experiment.outcomes(runs, surface)
    assert [o.ended_in for o in found] == ["global minimum"] * 3
    assert config.to_query()["formula"] == "x**2 + 10*y**2"
    assert MomentumConfig.from_query(config.to_query()) == (config, [])


# ---------------------------------------------------------------- the course lab

def test_lab_polynomials_are_the_labs_and_bring_their_settings():
    cubic, quartic = LAB["lab_cubic"], LAB["lab_quartic"]
    w = torch.tensor([[1.5], [-2.0], [4.0]], dtype=torch.float64)
    assert cubic(w).tolist() == pytest.approx((w[:, 0] ** 3).tolist())
    assert quartic(w).tolist() == pytest.approx((2 * w[:, 0] ** 4 - 9 * w[:, 0] ** 3 - 21 * w[:, 0] ** 2
                                                 + 88 * w[:, 0] + 48).tolist())
    assert [(p.kind, p.at) for p in quartic.points] == [
        ("global minimum", (-2.0,)), ("local minimum", (4.0,)), ("local maximum", (1.375,))]
    assert [p.kind for p in cubic.points] == ["saddle point"] and not cubic.minima and math.isnan(cubic.global_loss)
    c = MomentumConfig.for_surface("lab_quartic")
    assert (c.x0, c.lr, c.steps, c.momenta) == (6.0, 0.001, 100, (0.0, 0.5, 0.9, 0.99))
    config, messages = MomentumConfig.from_query({"surface": "lab_cubic"})
    assert not messages and (config.x0, config.lr, config.steps, config.momenta) == (4.0, 0.01, 10, (0.0, 0.9))


def test_lab_positions_are_the_issues_reference_values():
    """w³ from 4 (lr 0.01, 10 updates): 1.74 plain, −4.1 with β = 0.9. The quartic from 6 (lr 0.001, 100
    updates): β = 0 and 0.5 stop at 4 (0.5 swinging to 3.83 first), 0.9 reaches −2, 0.99 swings to −3.96 and
    back past 3.8, Nesterov 0.9 stays at 4."""
    ours = experiment.lab_positions()
    assert ours["cubic β = 0"] == pytest.approx(1.74, abs=0.005)
    assert ours["cubic β = 0.9"] == pytest.approx(-4.10, abs=0.005)
    assert ours["quartic β = 0"] == pytest.approx(4.0, abs=1e-4)
    assert ours["quartic β = 0.5 lowest"] == pytest.approx(3.83, abs=0.005)
    assert ours["quartic β = 0.5"] == pytest.approx(4.0, abs=1e-4)
    assert ours["quartic β = 0.9"] == pytest.approx(-2.0, abs=0.02)
    assert ours["quartic β = 0.99 lowest"] == pytest.approx(-3.96, abs=0.005)
    assert ours["quartic β = 0.99 back"] > 3.8
    assert ours["quartic Nesterov β = 0.9"] == pytest.approx(4.0, abs=1e-3)
    assert all(experiment.lab_agrees(name, value) for name, value in ours.items())


def test_lab_runs_on_the_page_end_where_the_lab_says():
    config = MomentumConfig.for_surface("lab_quartic")
    found = {o.label: o for o in experiment.outcomes(experiment.trajectories(config), config.the_surface)}
    assert found["β = 0"].ended_in == found["β = 0.5"].ended_in == "local minimum"
    assert found["β = 0.9"].ended_in == "global minimum"
    assert found["β = 0.99"].ended_in == "no minimum yet"  # swinging back and forth still
    cubic = MomentumConfig.for_surface("lab_cubic")
    runs = experiment.trajectories(cubic)
    assert [r.positions[-1, 0] for r in runs] == pytest.approx([1.7355, -4.0995], abs=1e-3)


# ---------------------------------------------------------------- gradient noise

def test_gradient_noise_changes_the_path_and_the_same_seed_repeats_it():
    base = MomentumConfig.for_surface("two_minima")
    noisy = base.replace(noise=2.0)
    plain = experiment.trajectories(base, seed=0)
    a, b = experiment.trajectories(noisy, seed=0), experiment.trajectories(noisy, seed=0)
    c = experiment.trajectories(noisy, seed=1)
    for p, x, y, z in zip(plain, a, b, c):
        assert np.array_equal(x.positions, y.positions)  # same seed, same path
        assert not np.allclose(x.positions, p.positions)  # noise changes it
        assert not np.allclose(x.positions, z.positions)  # another seed, another path
    # without noise the seed does not matter
    assert np.array_equal(experiment.trajectories(base, seed=5)[1].positions, plain[1].positions)


def test_noise_is_added_to_the_gradient_before_the_step():
    """One step from w0 with lr η: w1 = w0 − η(∇L(w0) + σ ε), ε the generator's first draw."""
    s = LAB["lab_quartic"]
    run = experiment.trajectory(s, (6.0, 0.0), 0.001, 0.0, 1, noise=3.0, seed=7)
    eps = torch.randn((1,), generator=torch.Generator().manual_seed(7), dtype=torch.float64).item()
    slope = 8 * 216 - 27 * 36 - 42 * 6 + 88
    assert run.positions[1, 0] == pytest.approx(6.0 - 0.001 * (slope + 3.0 * eps), abs=1e-12)


def test_the_labs_loss_noise_changes_nothing():
    s = LAB["lab_quartic"]
    assert experiment.loss_noise_gap(s, s.start, s.lr, 0.9, s.steps, sigma=10.0, seed=3) == 0.0


def test_noise_is_checked():
    with pytest.raises(ValueError, match="Gradient noise"):
        MomentumConfig(noise=-1.0)
    with pytest.raises(ValueError, match="finite"):
        MomentumConfig(noise=math.nan)
