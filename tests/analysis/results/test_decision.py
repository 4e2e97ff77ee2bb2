"""The decision: predictive effect for a new municipality and the update with own evaluations.

The update is checked against closed forms (one draw: conjugate normal; many draws of a normal
hyper-posterior: the exact normal-normal posterior) and brute-force numerical integration, and
the importance weights are shown to matter (leaving them out gives the wrong answer).
"""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from scipy import integrate, stats

from analysis.config import DATA_DIR
from analysis.data import DataError
from analysis.data.evaluations import read_evaluations
from analysis.results.decision import (
    log_marginal_likelihood,
    new_municipality_moments,
    predict,
    update_own_effect,
)
from analysis.results.decision_inputs import DoseScale, check_dose, check_thresholds

EXAMPLE = DATA_DIR / "examples" / "own_evaluations_example.csv"

Y = np.array([0.021, 0.008, 0.015, -0.004])
SE = np.array([0.011, 0.014, 0.012, 0.016])


def test_one_draw_update_matches_numerical_integration():
    m, tau = 0.005, 0.02
    u = update_own_effect(np.array([m]), np.array([tau]), Y, SE, smooth=False)

    def unnormalised(theta):
        return stats.norm.pdf(theta, m, tau) * np.prod(stats.norm.pdf(Y, theta, SE))

    lo, hi = m - 12 * tau, m + 12 * tau
    z = integrate.quad(unnormalised, lo, hi, points=[0.01], limit=200)[0]
    mean = integrate.quad(lambda t: t * unnormalised(t), lo, hi, points=[0.01], limit=200)[0] / z
    var = integrate.quad(lambda t: (t - mean) ** 2 * unnormalised(t), lo, hi, points=[0.01],
                         limit=200)[0] / z
    assert u.mean[0] == pytest.approx(mean, rel=1e-7)
    assert u.sd[0] == pytest.approx(np.sqrt(var), rel=1e-7)
    # the marginal likelihood is the normaliser z itself ...
    assert log_marginal_likelihood(m, tau, Y, SE) == pytest.approx(np.log(z), rel=1e-8)
    # ... and equals the multivariate normal density with compound-symmetric covariance
    cov = tau**2 * np.ones((4, 4)) + np.diag(SE**2)
    assert log_marginal_likelihood(m, tau, Y, SE) == pytest.approx(
        stats.multivariate_normal(np.full(4, m), cov).logpdf(Y), rel=1e-10)
    # the conditional tail probability is the normal tail at these moments
    t = 0.01
    p_quad = integrate.quad(unnormalised, t, hi, limit=200)[0] / z
    assert u.prob_above(t) == pytest.approx(p_quad, rel=1e-6)


def test_no_spread_means_evaluations_cannot_move_the_effect():
    u = update_own_effect(np.array([0.003]), np.array([0.0]), Y, SE, smooth=False)
    assert u.mean[0] == pytest.approx(0.003)
    assert u.sd[0] == 0.0


def test_weighted_draws_match_the_exact_normal_posterior():
    # hyper-posterior m ~ N(a, b^2), tau fixed: theta_m ~ N(a, b^2 + tau^2) a priori, so the
    # exact posterior after the evaluations is normal-normal with prior variance b^2 + tau^2
    rng = np.random.default_rng(7)
    a, b, tau = 0.0, 0.01, 0.008
    m = rng.normal(a, b, size=(4, 50_000))
    u = update_own_effect(m, np.full(m.shape, tau), Y, SE)
    w = 1 / SE**2
    prior_var = b**2 + tau**2
    post_var = 1 / (1 / prior_var + w.sum())
    post_mean = post_var * (a / prior_var + (w * Y).sum())
    exact = stats.norm(post_mean, np.sqrt(post_var))
    assert u.pareto_k < 0.7
    assert u.prob_above(0.0) == pytest.approx(exact.sf(0.0), abs=0.005)
    assert u.prob_above(0.01) == pytest.approx(exact.sf(0.01), abs=0.005)
    draws = u.draws(rng, per_draw=2)
    assert draws.mean() == pytest.approx(post_mean, abs=3e-4)
    assert draws.std() == pytest.approx(np.sqrt(post_var), rel=0.02)
    # planted error: the per-draw update without reweighting the draws is visibly wrong
    unweighted = float(np.mean(u.per_draw_prob_above(0.01)))
    assert abs(unweighted - exact.sf(0.01)) > 0.05


def test_without_evaluations_the_prediction_is_the_normal_mixture():
    rng = np.random.default_rng(3)
    posterior = xr.Dataset({
        "effect_post": (("chain", "draw"), rng.normal(0.01, 0.004, (2, 4000))),
        "effect_sd": (("chain", "draw"), np.abs(rng.normal(0.0, 0.01, (2, 4000)))),
        "theta": (("chain", "draw"), rng.normal(0.002, 0.001, (2, 4000))),
    })
    scale = DoseScale(mean=300.0, sd=150.0, low=130.0, high=640.0)
    pred = predict(posterior, 600.0, scale, thresholds=[0.0, 0.02], seed=rng)
    mean, tau = new_municipality_moments(posterior, 2.0)
    assert pred.dose_std == pytest.approx(2.0)
    assert pred.draws.shape == (2, 4000)
    exact = np.mean(stats.norm.sf(0.0, mean, tau))
    table = pred.table()
    assert table.loc[0, "p_above"] == pytest.approx(exact, rel=1e-12)
    assert table.loc[0, "expected_effect"] == pytest.approx(mean.mean(), abs=5e-4)
    assert list(table["threshold"]) == [0.0, 0.02]
    assert table.loc[1, "p_above"] < table.loc[0, "p_above"]
    assert bool(table.loc[0, "dose_inside_fitted_range"])
    assert not predict(posterior, 900.0, scale, seed=1).inside_range


def test_own_evaluations_pull_the_prediction_towards_them():
    rng = np.random.default_rng(5)
    posterior = xr.Dataset({
        "effect_post": (("chain", "draw"), rng.normal(0.0, 0.005, (2, 2000))),
        "effect_sd": (("chain", "draw"), np.abs(rng.normal(0.0, 0.02, (2, 2000)))),
    })
    scale = DoseScale(mean=300.0, sd=150.0, low=130.0, high=640.0)
    ev = read_evaluations(EXAMPLE)
    before = predict(posterior, 300.0, scale, seed=1).table().iloc[0]
    after = predict(posterior, 300.0, scale, evaluations=ev, seed=1).table().iloc[0]
    ybar = np.sum(Y / SE**2) / np.sum(1 / SE**2)
    assert before["expected_effect"] < after["expected_effect"] < ybar
    assert after["sd"] < before["sd"]
    assert after["own_evaluations"] == 4


def test_a_fit_without_dose_slope_refuses_another_dose():
    posterior = xr.Dataset({"effect_post": (("chain", "draw"), np.zeros((1, 10)))})
    with pytest.raises(ValueError, match="no dose slope"):
        new_municipality_moments(posterior, 1.0)


@pytest.mark.parametrize("dose", ["abc", float("nan"), -5.0, float("inf"), 50_000.0])
def test_bad_doses_are_data_errors(dose):
    with pytest.raises(DataError, match="--dose-eur-per-resident"):
        check_dose(dose)


def test_thresholds_default_to_zero_and_refuse_implausible_values():
    assert check_thresholds(None) == [0.0]
    assert check_thresholds([0.02, 0.0, 0.02]) == [0.0, 0.02]
    with pytest.raises(DataError, match="--threshold"):
        check_thresholds([5.0])



def test_event_study_inputs_standardise_the_dose_over_exposed_postcodes():
    import pandas as pd

    from analysis.results.decision_inputs import event_study_inputs, exposed_doses

    rows = []
    for pc4, gm, x, dose in [(1000, "GM1", 0.0, 0.0), (1001, "GM1", 1.0, 100.0),
                             (1002, "GM2", 0.5, 300.0), (1003, "GM2", 0.0, 0.0)]:
        for year in (2002, 2012, 2016):
            rows.append({"pc4": pc4, "gm_code": gm, "year": year, "change": 0.01 * pc4 % 3,
                         "exposure_broad": x, "dose_broad": dose, "baseline_c": 0.1})
    changes = pd.DataFrame(rows)
    data, scale, notes = event_study_inputs(changes)
    assert (scale.mean, scale.low, scale.high) == (200.0, 100.0, 300.0)
    assert scale.sd == pytest.approx(np.std([100.0, 300.0], ddof=1))
    q = data["dose"].reshape(4, 3)[:, 0]
    assert q == pytest.approx([0.0, -100 / scale.sd, 100 / scale.sd, 0.0])
    assert data["reference_year"] == 2008
    assert "4 postcodes of 2 municipalities, 2 exposed" in notes["sample"]
    assert list(exposed_doses(changes)) == [100.0, 300.0]
    assert scale.inside(250) and not scale.inside(350)
    assert scale.standardise(200.0) == 0.0

@pytest.mark.slow
def test_command_end_to_end_on_a_small_real_subset(tmp_path, capsys, monkeypatch):
    """``decide`` on the example file with the real postcode data of four municipalities.

    The full fit takes minutes on a loaded 2-core machine; the command's code path (validate,
    fit through the workflow, predict, update, report) is the same on a subset. Size: the
    postcodes of 4 municipalities (about 130 postcodes x 7 years), nutpie, 4 chains x 500 draws.
    """
    import pandas as pd

    from analysis.cli import main
    from analysis.results import decision, decision_inputs

    changes = decision_inputs.load_changes()
    keep = ["GM0518", "GM0599", "GM0344", "GM0202"]  # Den Haag, Rotterdam, Utrecht, Arnhem
    subset = changes[changes["gm_code"].isin(keep)].reset_index(drop=True)

    def small_inputs():
        data, scale, notes = decision_inputs.event_study_inputs(subset)
        return data, scale, {"backend": "nutpie", "draws": 500, "tune": 500}, notes

    monkeypatch.setattr(decision, "headline_inputs", small_inputs)
    out = tmp_path / "report"
    status = main(["decide", str(EXAMPLE), "--dose-eur-per-resident", "300", "--threshold",
                   "0", "--threshold", "0.01", "--out", str(out)])
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert "comma-separated, decimal point, UTF-8, LF" in captured.err
    summary = pd.read_csv(out / "summary.csv")
    assert list(summary["prediction"].unique()) == ["book posterior", "with own evaluations"]
    assert list(summary["threshold"]) == [0.0, 0.01, 0.0, 0.01]
    assert (summary["hdi_low"] < summary["expected_effect"]).all()
    assert (summary["expected_effect"] < summary["hdi_high"]).all()
    p = summary.set_index(["prediction", "threshold"])["p_above"]
    assert p[("book posterior", 0.01)] < p[("book posterior", 0.0)]
    checks = pd.read_csv(out / "checks.csv", index_col="check")
    assert {"prior predictive", "convergence gate", "PSIS-LOO"} <= set(checks.index)
    report = (out / "report.md").read_text()
    assert "Own evaluations" in report and "predicted_effect.png" in report
    assert (out / "predicted_effect.png").stat().st_size > 10_000


# --- extrapolation: distance of a municipality from the 18 ----------------------------------

import pandas as pd  # noqa: E402

from analysis.results.decision_inputs import (  # noqa: E402
    MUNICIPAL_COVARIATES,
    check_extrapolation,
    find_municipality,
    municipal_covariates,
)

SCALE = DoseScale(mean=300.0, sd=100.0, low=100.0, high=600.0)


def _gemeenten() -> pd.DataFrame:
    """Six made-up municipalities (codes, names, the three CBS columns)."""
    return pd.DataFrame({
        "GM_CODE": [f"GM00{i:02d}" for i in range(1, 7)],
        "GM_NAAM": ["Aa", "Bee", "Cee", "Dee", "Ee", "'s-Ef"],
        "AANT_INW": [100_000, 200_000, 400_000, 800_000, 150_000, 300_000],
        "OAD": [2000.0, 2500.0, 4000.0, 6000.0, 3000.0, 2200.0],
        "P_N_W_AL": [10.0, 15.0, 25.0, 35.0, 12.0, 30.0],
    })


def test_find_municipality_by_code_or_name_and_one_line_otherwise():
    g = _gemeenten()
    assert find_municipality(g, "GM0003") == "GM0003"
    assert find_municipality(g, "3") == "GM0003"
    assert find_municipality(g, "'S-EF") == "GM0006"
    with pytest.raises(DataError, match=r"^--municipality: 'Zed' is not a municipality"):
        find_municipality(g, "Zed")


def test_extrapolation_inside_outside_and_distances_by_hand():
    table = municipal_covariates(_gemeenten())
    reference = table.iloc[:5]
    own = check_extrapolation(300.0, SCALE, reference, table.iloc[2])
    assert own.in_reference and own.nearest == "Cee" and own.nearest_distance == 0.0
    assert own.outside == [] and own.warning() is None
    # the nearest-neighbour reference, by hand on the standardised (log) covariates
    z = np.column_stack([np.log(reference["population"]), np.log(reference["address_density"]),
                         reference["non_western_pct"]])
    z = (z - z.mean(0)) / z.std(0, ddof=1)
    d = np.sqrt(((z[:, None] - z[None]) ** 2).sum(-1)) + np.diag(np.full(5, np.inf))
    assert own.nearest_reference == pytest.approx(d.min(1).max(), rel=1e-12)
    # 's-Ef: non-western share 30 is inside 10-35, density 2200 inside, population inside
    ef = check_extrapolation(700.0, SCALE, reference, table.iloc[5])
    assert not ef.in_reference and ef.outside == ["dose"]
    assert ef.mahalanobis > 0 and ef.mahalanobis_reference > 0
    small = table.iloc[0].copy()
    small[["population", "address_density"]] = [5_000.0, 500.0]
    far = check_extrapolation(300.0, SCALE, reference, small)
    assert far.outside == ["population", "address_density"]
    assert far.nearest_distance > far.nearest_reference  # further out than any of the 18
    line = far.warning()
    assert line.count("\n") == 0 and line.startswith("warning: extrapolation: Aa: ")
    assert f"{MUNICIPAL_COVARIATES['population'][1]} 5,000 is below" in line


def test_extrapolation_of_the_dose_alone():
    check = check_extrapolation(50.0, SCALE, municipal_covariates(_gemeenten()))
    assert check.outside == ["dose"] and check.dose_z == pytest.approx(-2.5)
    assert "dose 50 EUR per resident is below the fitted range 100 to 600" in check.warning()
    assert check_extrapolation(300.0, SCALE, municipal_covariates(_gemeenten())).warning() is None


def test_the_report_states_the_extrapolation_check(tmp_path):
    from types import SimpleNamespace

    from analysis.results.decision import Decision, write_report

    rng = np.random.default_rng(7)
    posterior = xr.Dataset({
        "effect_post": (("chain", "draw"), rng.normal(0.01, 0.004, (2, 500))),
        "effect_sd": (("chain", "draw"), np.abs(rng.normal(0.0, 0.01, (2, 500)))),
        "theta": (("chain", "draw"), rng.normal(0.002, 0.001, (2, 500))),
    })
    table = municipal_covariates(_gemeenten())
    small = table.iloc[0].copy()
    small[["population", "address_density"]] = [5_000.0, 500.0]
    check = check_extrapolation(300.0, SCALE, table.iloc[:5], small)
    workflow = SimpleNamespace(summary=lambda: pd.DataFrame({"result": ["passed"]},
                                                            index=pd.Index(["gate"], name="check")))
    decision = Decision(workflow=workflow, scale=SCALE,
                        prior=predict(posterior, 300.0, SCALE, seed=1), extrapolation=check)
    write_report(decision, tmp_path)
    text = (tmp_path / "report.md").read_text()
    assert "Municipality: **Aa**" in text and "**outside** their range" in text
    assert "The prediction is an extrapolation." in text and "Mahalanobis" in text
