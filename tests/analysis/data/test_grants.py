"""Grant annexes to CBS 2016 codes: name harmonisation, money balance, allocation, outcome."""

from __future__ import annotations

import inspect
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.data import grants as gr
from analysis.data import (
    load_grant_programmes,
    load_lbm3_pc4,
    load_municipalities_2016,
    load_pc4_2023,
    load_pc4_wijk_addresses,
    load_vogelaar_investment,
)

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def gemeenten():
    return load_municipalities_2016()


@pytest.fixture(scope="module")
def programmes():
    return load_grant_programmes()


@pytest.fixture(scope="module")
def grants(programmes, gemeenten):
    return gr.prepare_grants(programmes, gemeenten)


# --- names ---------------------------------------------------------------------------------

def test_normalise_name_strips_accents_apostrophes_and_punctuation():
    assert gr.normalise_name("’s-Gravenhage") == gr.normalise_name("'s-Gravenhage")
    assert gr.normalise_name("Bergen (NH.)") == gr.normalise_name("Bergen NH") == "bergen nh"
    assert gr.normalise_name("Súdwest-Fryslân") == gr.normalise_name("Sudwest Fryslan")
    assert gr.normalise_name("Haarlemmerliede\xa0Spaarnw") == "haarlemmerliede spaarnw"


@pytest.mark.parametrize(("printed", "code"), [
    ("Den Haag", "GM0518"), ("’s-Gravenhage", "GM0518"), ("'s-Gravenhage", "GM0518"),
    ("Den Bosch", "GM0796"), ("’s-Hertogenbosch", "GM0796"),
    ("Hengelo O", "GM0164"), ("Hengelo", "GM0164"),
    ("Bergen NH", "GM0373"), ("Bergen L", "GM0893"),
    ("Capelle a/d IJssel", "GM0502"), ("Nuenen c.a.", "GM0820"),
    ("Sudwest Fryslan", "GM1900"), ("Midden Drenthe", "GM1731"), ("Sint-Anthonis", "GM1702"),
])
def test_known_spellings_match_their_cbs_2016_code(printed, code, gemeenten):
    table = gr.harmonise_names([printed], gemeenten)
    assert table.loc[printed, "GM_CODE"] == code
    assert gemeenten.set_index("GM_CODE").loc[code, "GM_NAAM"] == table.loc[printed, "GM_NAAM"]


@pytest.mark.parametrize("merged", ["Spijkenisse", "Bussum", "Sneek", "Rozenburg", "Groesbeek",
                                    "Bodegraven", "Nieuwerkerk a/d IJssel", "Skarsterlân"])
def test_municipalities_merged_before_2016_are_listed_as_unmatched(merged, gemeenten, grants):
    table = gr.harmonise_names([merged], gemeenten)
    assert table.loc[merged, "match"] == "not a 2016 municipality"
    assert pd.isna(table.loc[merged, "GM_CODE"])
    assert merged in gr.unmatched_table(grants).index


def test_provinces_totals_and_lists_are_not_municipalities(gemeenten):
    table = gr.harmonise_names(["Zuid-Holland", "Fryslân", "Totaal", "LIST:Alkmaar Almelo"],
                               gemeenten)
    assert list(table["match"]) == ["province", "province", "total", "list"]
    assert table["GM_CODE"].isna().all()


def test_every_alias_points_to_a_2016_municipality_and_is_not_a_merger(gemeenten):
    names = set(gemeenten["GM_NAAM"])
    assert set(gr.NAME_ALIASES.values()) <= names
    # an alias is never a pre-2016 municipality that merged into a differently named successor
    assert not {"spijkenisse", "bussum", "bodegraven", "rozenburg"} & set(gr.NAME_ALIASES)


def test_harmonise_refuses_an_alias_to_an_unknown_municipality(gemeenten, monkeypatch):
    monkeypatch.setitem(gr.NAME_ALIASES, "atlantis", "Atlantis")
    with pytest.raises(ValueError, match=r"NAME_ALIASES\['atlantis'\] = 'Atlantis' is not a 2016"):
        gr.harmonise_names(["Amsterdam"], gemeenten)


# --- money ---------------------------------------------------------------------------------

def test_money_totals_are_preserved_matched_plus_unmatched_equals_total(programmes, grants):
    balance = gr.money_balance(grants)
    parts = balance.loc[list(gr.STATUS_ORDER), "eur"].sum()
    assert parts == pytest.approx(balance.loc["total", "eur"], rel=1e-12)
    allocations = programmes[~programmes["eenheid"].str.startswith("LIST:")
                             & (programmes["eenheid"] != "Totaal")]
    assert balance.loc["total", "eur"] == pytest.approx(allocations["bedrag_eur"].sum(),
                                                        rel=1e-12)
    assert balance.loc["total", "cells"] == len(allocations)
    unmatched = gr.unmatched_table(grants)["eur"].sum()
    assert balance.loc["matched", "eur"] + unmatched == pytest.approx(
        balance.loc["total", "eur"], rel=1e-12)


def test_wijkactieplannen_go_to_exactly_the_18_vogelaar_municipalities(grants, gemeenten):
    vogelaar = gr.harmonise_names(load_vogelaar_investment()["gemeente"], gemeenten)
    assert vogelaar["GM_CODE"].notna().all() and vogelaar["GM_CODE"].nunique() == 18
    table = gr.allocation_table(grants, gemeenten, vogelaar["GM_CODE"].tolist())
    row = table.loc["Wijkactieplannen"]
    assert row["recipients"] == 18 and row["share_vogelaar"] == 1.0
    assert row["allocation"] == "Vogelaar municipalities only"
    assert row["eur"] == pytest.approx(157_000_000)  # 40 + 58.5 + 58.5 mln (the law's totals)
    assert table.loc["Aanvullende armoedebestrijding", "allocation"] == "broad"


def test_programme_types_cover_the_three_types(grants):
    assert set(grants["type"]) == set(gr.TYPES)
    assert gr.programme_type("Wijkactieplannen") == "neighbourhood"
    assert gr.programme_type("Taalcoaches") == "integration"
    assert gr.programme_type("Pilot gemengde scholen") == "cohesion"


# --- outcome -------------------------------------------------------------------------------

def test_population_weighted_mean_on_a_toy_split_postcode():
    lbm = pd.DataFrame({"PC4": [1, 1, 2, 2], "jaar": [2008, 2016] * 2,
                        "lbm": [4.0, 4.1, 5.0, 5.3]})
    pop = pd.DataFrame({"pc4": [1, 2], "aantal_inwoners": [100.0, 300.0]})
    addr = pd.DataFrame({"pc4": [1, 2, 2], "gemeente_code": ["GM1", "GM1", "GM2"],
                         "addresses": [10, 5, 15]})
    gem = pd.DataFrame({"GM_CODE": ["GM1", "GM2"]})
    out = gr.municipal_liveability(lbm, pop, addr, gem)
    # GM1: postcode 1 (100 residents) and a quarter of postcode 2 (75 residents)
    assert out.loc["GM1", "lbm_2008"] == pytest.approx((100 * 4.0 + 75 * 5.0) / 175)
    assert out.loc["GM1", "weight"] == pytest.approx(175)
    assert out.loc["GM2", "lbm_2016"] == pytest.approx(5.3)


def test_real_liveability_covers_2016_map_except_named_2017_mergers(gemeenten):
    out = gr.municipal_liveability(load_lbm3_pc4(), load_pc4_2023(), load_pc4_wijk_addresses(),
                                   gemeenten)
    assert set(out.index) <= set(gemeenten["GM_CODE"])
    assert len(out) + len(out.attrs["missing_municipalities"]) == len(gemeenten)
    assert out.attrs["dropped_codes"] == ["GM1948"]
    assert out["lbm_2008"].between(3.5, 5.0).all()


def test_municipality_frame_per_resident_and_log(grants, gemeenten):
    live = pd.DataFrame({"lbm_2008": [4.0], "lbm_2016": [4.1]}, index=pd.Index(["GM0599"],
                                                                               name="GM_CODE"))
    frame = gr.municipality_frame(grants, live, gemeenten)
    row = frame.loc["GM0599"]
    eur = grants[(grants["GM_CODE"] == "GM0599") & (grants["type"] == "neighbourhood")]
    assert row["eur_neighbourhood"] == pytest.approx(eur["bedrag_eur"].sum())
    assert row["x_neighbourhood"] == pytest.approx(np.log1p(row["eur_neighbourhood"]
                                                            / row["population"]))
    assert row["change"] == pytest.approx(0.1)
    assert len(frame) == 1


def test_no_source_folder_is_read_by_module_or_chapter():
    sources = [inspect.getsource(gr)]
    chapter = ROOT / "chapters" / "municipal_grants.md"
    if chapter.exists():
        sources.append(chapter.read_text(encoding="utf-8"))
    for text in sources:
        assert "../shared" not in text and "nl_policy" not in text
        assert "read_csv" not in text


# --- chapter helpers -----------------------------------------------------------------------

def test_model_inputs_standardise_covariates_and_scale_outcome():
    frame = pd.DataFrame({
        "GM_NAAM": ["a", "b", "c"], "change": [0.01, 0.02, 0.03], "urbanity": [1, 3, 3],
        "baseline": [4.0, 4.1, 4.2], "nonwestern": [1.0, 2.0, 6.0],
        "log_population": [9.0, 10.0, 11.0],
        **{f"x_{k}": [0.0, 1.0, 2.0] for k in gr.TYPES},
    })
    inputs = gr.model_inputs(frame)
    np.testing.assert_allclose(inputs["y"], [1.0, 2.0, 3.0])
    np.testing.assert_allclose(inputs["covariates"].mean(), 0.0, atol=1e-12)
    np.testing.assert_allclose(inputs["covariates"].std(), 1.0)
    assert list(inputs["urbanity_idx"]) == [0, 1, 1] and inputs["urbanity_labels"] == ["1", "3"]
    assert list(inputs["grants"].columns) == list(gr.TYPES)


def test_ppc_by_group_flags_a_group_the_replicates_miss():
    rng = np.random.default_rng(0)
    observed = np.r_[np.zeros(20), np.full(20, 5.0)]
    replicated = rng.normal(0.0, 1.0, size=(400, 40))
    table = gr.ppc_by_group(observed, replicated, np.r_[np.zeros(20), np.ones(20)])
    assert table.loc[1.0, "flag"] == "misfit" and table.loc[1.0, "p_mean"] == 0.0
    assert 0.025 < table.loc[0.0, "p_mean"] < 0.975


def test_repeated_keys_table_finds_the_isv_subtables(programmes):
    from analysis.data import load_grants_long

    table = gr.repeated_keys_table(programmes, load_grants_long())
    isv = table.loc["Investeringsbudget stedelijke vernieuwing (ISV)"]
    # Groningen, Utrecht, Amsterdam ... appear in more than one ISV table of the 2015 text
    assert isv["repeated_keys"] >= 3
    assert isv["eur_latest_version"] > isv["eur_programme_file"]
    assert "Wijkactieplannen" not in table.index


def test_least_squares_check_recovers_a_planted_coefficient():
    rng = np.random.default_rng(1)
    n = 300
    frame = pd.DataFrame({
        "GM_NAAM": [f"g{i}" for i in range(n)], "urbanity": rng.integers(1, 6, n),
        "baseline": rng.normal(4.0, 0.1, n), "nonwestern": rng.uniform(1, 30, n),
        "log_population": rng.normal(10, 1, n),
        **{f"x_{k}": rng.exponential(1.0, n) for k in gr.TYPES},
    })
    frame["change"] = (0.02 * frame["x_neighbourhood"] - 0.5 * (frame["baseline"] - 4.0)
                       + rng.normal(0, 0.01, n))
    table = gr.least_squares_check(frame)
    assert table.loc["neighbourhood", "coef"] == pytest.approx(2.0, abs=4 * table.loc[
        "neighbourhood", "se"])
    assert abs(table.loc["cohesion", "coef"]) < 4 * table.loc["cohesion", "se"]
