"""Tests of the treatment definition of the 40 wijken (analysis.data.treatment)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis import data
from analysis.config import DATA_DIR
from analysis.data import DataError, treatment
from analysis.io import sha256_of


@pytest.fixture(scope="module")
def inputs() -> dict[str, pd.DataFrame]:
    return {
        "wijken": data.load_wijken_2016(),
        "investment": data.load_vogelaar_investment(),
        "items": data.load_vogelaar(),
        "evidence": data.load_vogelaar_pc4_evidence(),
        "addresses": data.load_pc4_wijk_addresses(),
    }


@pytest.fixture(scope="module")
def summary(inputs) -> pd.DataFrame:
    return treatment.vogelaar_summary(
        inputs["wijken"], inputs["investment"], inputs["evidence"], inputs["addresses"]
    ).set_index(["gemeente", "vogelaar_wijk"])


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return treatment.load_wijkenaanpak_treatment()


DISTRICTS = ["Noord", "West", "Oost", "Zuid-West", "Nieuw-West", "Noordoost",
             "Zuidelijke Tuinsteden", "Oud Zuid", "Zuidwest (Bouwlust, Vrederust, Morgenstond "
             "en Moerwijk)", "Westelijke Tuinsteden"]


@pytest.mark.parametrize("name", DISTRICTS)
def test_district_names_never_match_automatically(name, inputs):
    """Not in any CBS wijk of the 2,981, with each wijk's own municipality as context."""
    assert treatment.is_district_name(treatment.normalise(name))
    for wk in inputs["wijken"].itertuples(index=False):
        assert treatment.match_name(name, wk.WK_NAAM, float(wk.AANT_INW), wk.GM_NAAM) is None


def test_amsterdam_parts_of_districts_never_match(inputs):
    amsterdam = inputs["wijken"][inputs["wijken"]["GM_NAAM"] == "Amsterdam"]
    for name in ["delen van Amsterdam-Oost", "delen van Amsterdam-Noord"]:
        assert treatment.is_district_name(treatment.normalise(name, "Amsterdam"))
        for wk in amsterdam.itertuples(index=False):
            assert treatment.match_name(name, wk.WK_NAAM, float(wk.AANT_INW), "Amsterdam") is None


def test_district_list_is_explicit():
    for name in ["Noord", "West", "Oost", "Zuid-West", "Nieuw-West", "Noordoost",
                 "Zuidelijke Tuinsteden", "Oud Zuid"]:
        assert treatment.normalise(name).replace(" / ", " ") in treatment.DISTRICT_NAMES


def test_district_wijken_of_the_law_are_unmatched_unless_sourced(summary):
    manual = {(m.gemeente, m.vogelaar_wijk) for m in treatment.MANUAL_MATCHES}
    districts = [("Amsterdam", "Noord"), ("Amsterdam", "Oost"), ("Amsterdam", "Nieuw-West"),
                 ("Maastricht", "Noordoost"), ("Rotterdam", "Noord"), ("Rotterdam", "West"),
                 ("Rotterdam", "Oud Zuid"), ("Rotterdam", "Zuidelijke Tuinsteden"),
                 ("Den Haag", "Zuid-West")]
    for key in districts:
        row = summary.loc[key]
        if key in manual:
            assert row["tier"] in {"manual", "contains"}
            assert row["match_source"].startswith("manual: ")
        else:
            assert row["tier"] == "unmatched"
    assert summary.loc[("Den Haag", "Zuid-West"), "tier"] == "manual"  # quoted 2007 item


@pytest.mark.parametrize(("gemeente", "wijk", "code"), [
    ("Alkmaar", "Overdie", "WK036103"),
    ("Utrecht", "Overvecht", "WK034403"),
    ("Arnhem", "Klarendal", "WK020207"),
    ("Arnhem", "Het Arnhemse Broek", "WK020203"),
    ("Zaanstad", "Poelenburg", "WK047912"),
    ("Amersfoort", "De Kruiskamp", "WK030707"),
    ("Den Haag", "Stationsbuurt", "WK051827"),
    ("Schiedam", "Nieuwland", "WK060606"),
])
def test_expected_exact_matches(summary, gemeente, wijk, code):
    row = summary.loc[(gemeente, wijk)]
    assert row["tier"] == "exact"
    assert row["wijk_codes"] == code


@pytest.mark.parametrize(("gemeente", "wijk", "codes"), [
    ("Arnhem", "Presikhaaf", "WK020204;WK020205"),
    ("Amsterdam", "Bijlmer", "WK036393;WK036394"),
    ("Den Haag", "Schilderswijk", "WK051829"),
    ("Den Haag", "Transvaal", "WK051830"),
    ("Dordrecht", "Wielwijk/Crabbehof", "WK050507;WK050508"),
    ("Leeuwarden", "Heechterp/Schieringen", "WK008034;WK008035"),
    ("Deventer", "Rivierenwijk", "WK015007"),
])
def test_expected_partial_matches(summary, gemeente, wijk, codes):
    row = summary.loc[(gemeente, wijk)]
    assert row["tier"] == "partial"
    assert row["wijk_codes"] == codes


@pytest.mark.parametrize(("gemeente", "wijk"), [
    ("Eindhoven", "Woensel West"), ("Groningen", "Korrewegwijk"), ("Groningen", "De Hoogte"),
    ("Rotterdam", "Bergpolder"),
])
def test_known_non_matches_stay_unmatched(summary, gemeente, wijk):
    assert summary.loc[(gemeente, wijk), "tier"] == "unmatched"
    assert summary.loc[(gemeente, wijk), "wijk_codes"] == ""


@pytest.mark.parametrize(("gemeente", "wijk"), [
    ("Eindhoven", "Woensel West"), ("Utrecht", "Kanaleneiland"), ("Utrecht", "Zuilen Oost"),
    ("Utrecht", "Ondiep"), ("Groningen", "Korrewegwijk"), ("Rotterdam", "Bergpolder"),
    ("Eindhoven", "Bennekel"), ("Nijmegen", "Hatert"),
])
def test_name_rule_finds_no_cbs_wijk(inputs, gemeente, wijk):
    wijken = inputs["wijken"]
    local = wijken[wijken["GM_NAAM"] == treatment.cbs_municipality_name(gemeente)]
    assert len(local)
    for wk in local.itertuples(index=False):
        assert treatment.match_name(wijk, wk.WK_NAAM, float(wk.AANT_INW), wk.GM_NAAM) is None


def test_woensel_west_is_not_woensel_zuid():
    assert treatment.match_name("Woensel West", "Wijk 14 Stadsdeel Woensel-Zuid", 38285) is None
    assert treatment.match_name("Zuilen Oost", "Wijk 05 Oost", 32930) is None


def test_name_rule_examples():
    assert treatment.normalise("Wijk 07 De Kruiskamp") == "kruiskamp"
    assert treatment.normalise("Velve-Lindenhof") == "velve / lindenhof"
    assert treatment.normalise("Bos en Lommer") == "bos en lommer"
    assert treatment.match_name("Crooswijk", "Kralingen-Crooswijk", 53165) == "contains"
    assert treatment.match_name("Zuilen Oost", "Zuilen", 20000) == "contains"


def _words(text: str) -> set[str]:
    return set(treatment.normalise(text.replace("(", " ").replace(")", " "))
               .replace("/", " ").split()) - {"en"}


def test_every_manual_row_quotes_a_source(inputs):
    items = inputs["items"]
    evidence = inputs["evidence"]
    law = set(zip(inputs["investment"]["gemeente"], inputs["investment"]["wijk"], strict=True))
    for row in treatment.MANUAL_MATCHES:
        assert (row.gemeente, row.vogelaar_wijk) in law
        assert row.quote.strip() and row.source.strip() and row.reasoning.strip()
        assert row.wijk_codes and row.tier in {"manual", "contains"}
        quotes, sources = row.quote.split(" | "), row.source.split(" | ")
        assert len(quotes) == len(sources)
        assert all(src.startswith(("http://", "https://")) for src in sources)
        for quote, source in zip(quotes, sources, strict=True):
            if "vogelaar_krachtwijken_2007.csv" in source:  # quoted from the committed file
                assert items["wijk_as_listed"].str.contains(quote, regex=False).any()
            if "vogelaar_pc4_evidence.csv" in source:
                quoted = evidence[(evidence["gemeente"] == row.gemeente)
                                  & (evidence["wijk"] == row.vogelaar_wijk)
                                  & evidence["pc4"].isin(row.pc4)]
                assert set(quoted["confidence"]) <= {"high", "medium"}
                assert set(quoted["pc4"]) == set(row.pc4)
                assert quote in set(quoted["quote"])


def test_name_based_manual_rows_name_the_area_and_the_cbs_wijken(inputs):
    names = inputs["wijken"].set_index("WK_CODE")["WK_NAAM"]
    for row in treatment.MANUAL_MATCHES:
        if row.pc4:
            continue
        quoted = _words(row.quote)
        for code in row.wijk_codes:
            assert _words(names[code]) <= quoted, (row.vogelaar_wijk, names[code])
        core = _words(row.vogelaar_wijk) - treatment.DIRECTION_WORDS
        assert core <= quoted, row.vogelaar_wijk


def test_postcode_manual_rows_follow_the_address_share_rule(inputs):
    for row in treatment.MANUAL_MATCHES:
        if not row.pc4:
            continue
        matched, containing, _ = treatment.pc4_placement(row.pc4, inputs["addresses"])
        assert tuple(matched if row.tier == "manual" else containing) == row.wijk_codes


def test_zuid_west_names_equal_the_cbs_wijken(inputs):
    row = next(m for m in treatment.MANUAL_MATCHES if m.vogelaar_wijk == "Zuid-West")
    names = inputs["wijken"].set_index("WK_CODE").loc[list(row.wijk_codes), "WK_NAAM"]
    named = {"bouwlust en vrederust", "morgenstond", "moerwijk"}
    assert {treatment.normalise(n) for n in names} == named


def test_strict_is_a_subset_of_broad(table):
    assert (table["treated_strict"] <= table["treated_broad"]).all()
    assert set(table.loc[table["treated_strict"] == 1, "tier"]) == {"exact"}
    assert set(table.loc[table["treated_broad"] == 1, "tier"]) <= {"exact", "partial", "manual"}
    assert (table.loc[table["treated_broad"] == 1, "vogelaar_wijk"].notna()).all()


def test_one_row_per_wijk_of_the_18_municipalities(table, inputs):
    assert table["wijk_code"].is_unique
    assert table["gemeente_code"].nunique() == 18
    wijken = inputs["wijken"]
    assert len(table) == wijken["GM_CODE"].isin(table["gemeente_code"]).sum() == 407


def test_money_of_matched_wijken_sums_to_the_matched_vogelaar_money(table, summary):
    matched = summary[summary["tier"] != "unmatched"]
    assert table["investment_mln_eur"].sum() == pytest.approx(
        matched["investment_mln_eur"].sum(), abs=1e-5)
    codes = matched["wijk_codes"].str.split(";")
    shared = {c for c in codes.explode() if (codes.explode() == c).sum() > 1}
    assert shared == {"WK034402"}  # Ondiep and Zuilen Oost both lie in Utrecht Noordwest
    for (_, wijk), row in matched.iterrows():
        rows = table[table["wijk_code"].isin(row["wijk_codes"].split(";"))]
        if set(rows["wijk_code"]) & shared:
            continue
        assert rows["investment_mln_eur"].sum() == pytest.approx(row["investment_mln_eur"],
                                                                 abs=1e-5), wijk
    noordwest = table.set_index("wijk_code").loc["WK034402"]
    assert noordwest["vogelaar_wijk"] == "Ondiep; Zuilen Oost"
    assert noordwest["investment_mln_eur"] == pytest.approx(3.3 + 2.8)
    # a population split: every CBS wijk of one Vogelaar wijk has the same money per resident
    bijlmer = table[table["vogelaar_wijk"] == "Bijlmer"]["investment_eur_per_resident"]
    assert bijlmer.nunique() == 1
    assert (table.loc[table["vogelaar_wijk"].isna(), "investment_mln_eur"] == 0).all()


def test_tier_table_counts_all_40(summary):
    tiers = treatment.tier_table(summary.reset_index())
    assert tiers["wijken"].sum() == 40
    assert tiers["investment_mln_eur"].sum() == pytest.approx(250.0)
    assert tiers.loc["exact", "wijken"] == 9
    assert tiers.loc["partial", "wijken"] == 10
    assert tiers.loc["manual", "wijken"] == 2
    assert tiers.loc["contains", "wijken"] == 8
    assert tiers.loc["unmatched", "wijken"] == 11


def test_summary_from_data_equals_summary(summary):
    from_data = treatment.vogelaar_summary_from_data().set_index(["gemeente", "vogelaar_wijk"])
    pd.testing.assert_frame_equal(from_data, summary)


def test_committed_file_equals_what_the_rule_produces():
    rebuilt = treatment.treatment_csv_bytes(treatment.build_treatment_from_data())
    assert rebuilt == (DATA_DIR / f"{treatment.RESOURCE}.csv").read_bytes()


def test_bad_cell_gives_one_line_error_naming_file_row_and_column(tmp_path: Path):
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    path = target / f"{treatment.RESOURCE}.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[3] = lines[3].replace(",unmatched,", ",maybe,", 1)
    path.write_text("".join(lines), encoding="utf-8")
    package = json.loads((target / "datapackage.json").read_text(encoding="utf-8"))
    for res in package["resources"]:
        if res["name"] == treatment.RESOURCE:
            res["sha256"] = sha256_of(path)
    (target / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    with pytest.raises(DataError) as err:
        treatment.load_wijkenaanpak_treatment(target)
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith(f"{treatment.RESOURCE}.csv: row 3 (line 4), column 'tier'")
