"""Tests of the curated data files, their loaders, schema errors and atomic writing."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis import data
from analysis.config import DATA_DIR, ROOT
from analysis.data import DataError, load_registry
from analysis.io import sha256_of

LOADERS = {
    "load_municipalities": (data.load_municipalities, 342, "gemeente_code"),
    "load_wijken": (data.load_wijken, 3393, "wijk_code"),
    "load_buurten": (data.load_buurten, 14574, "buurt_code"),
    "load_segregation_reference": (data.load_segregation_reference, 684, "gemeente_code"),
    "load_amsterdam_2019": (data.load_amsterdam_2019, 580, "region_code"),
    "load_municipal_housing": (data.load_municipal_housing, 1158, "gm_code"),
    "load_leefbaarometer_utrecht": (data.load_leefbaarometer_utrecht, 969, "bu_code"),
    "load_vogelaar": (data.load_vogelaar, 41, "gemeente_code_2024"),
    "load_rotterdamwet": (data.load_rotterdamwet, 9, "gemeente_code_2024"),
    "load_published_effects": (data.load_published_effects, 30, "id"),
    "load_contact_studies": (data.load_contact_studies, 27, "study"),
    "load_registry": (data.load_registry, 400, "intervention_id"),
    "load_lbm2_wijk_classes": (data.load_lbm2_wijk_classes, 2981, "WK_CODE"),
    "load_lbm2_municipality_classes": (data.load_lbm2_municipality_classes, 390, "GM_CODE"),
    "load_wijken_2016": (data.load_wijken_2016, 2981, "WK_CODE"),
    "load_municipalities_2016": (data.load_municipalities_2016, 390, "GM_CODE"),
    "load_pc4_2023": (data.load_pc4_2023, 4070, "pc4"),
    "load_pc4_municipality_2023": (data.load_pc4_municipality_2023, 4071, "pc4"),
    "load_impulsgebieden": (data.load_impulsgebieden, 967, "pc4"),
}

# sha256 of the nl_policy source copies (../shared/data/nl_policy/SHA256SUMS): copied unchanged.
NL_POLICY_SHA256 = {
    "leefbaarometer2_wijk_classes_2002-2016.csv":
        "249f874b6a02962636486e2526ee450e05b6089a04264c66492c994ad06120c9",
    "leefbaarometer3_pc4_2002-2022.csv":
        "741f2e2a744de88f27bd10f3210c861efb2024d9799bcc4c85ca272190c5b3c8",
    "pc4_wijk_addresses_2017.csv":
        "6d0a6c36d35f9b1e3b45c719ca4ea11d072710cf503698a969a1bf61c7978186",
    "vogelaar_40wijken_bcf_investment.csv":
        "f03d8e48b01b105bf994cb1d19aa93f8d3fd51d1786dfa3be323974963071450",
    "impulsgebieden_pc4_2013-2017.csv":
        "b677498fbaa3a49e324595fbeec7b7e50d147c9b7b2fe708d0124b4227b2fa0c",
    "bdiu_integration_neighbourhood_programmes.csv":
        "6303f392795ad1cead89b7df8991555eb8d816b774f2fa604250590361141bcc",
}

# sha256 of the source copies as recorded in the curator's PROVENANCE.md: the files in data/
# are byte-identical copies, so these must still match.
PROVENANCE_SHA256 = {
    "cbs_gemeente_2024_population_origin_households_income.csv":
        "36a9a14b1f326c8fae92096fcc5a67bc2510ffa99ec94b05288f970dce535012",
    "cbs_kwb2024_wijk_population_origin.csv":
        "0daf0258ee396996e78e676c8aaffdc4ad6148adcbb8176c95d4a7147449680a",
    "cbs_kwb2024_buurt_population_origin.csv":
        "2385c7319c6e65da3d50371a44d9dd274b168dbe81785edb40c6338c33564c44",
    "cbs_kwb2019_amsterdam_wijk_buurt_housing_origin.csv":
        "3b109985d72235b1ac47de41dc6ca9a6b7e0b4be0749c3d364752c605d29ea24",
    "cbs_kwb2012_2017_2019_gemeente_housing.csv":
        "1f8ea96f5d6429aeab5e43b42bcc52ff2a238678cac34ba20967ea5693cfc436",
    "leefbaarometer_3.0_2020_buurt_utrecht_province.csv":
        "a453b7be3405f3f4e5e756d5ca04fbef258878cf17876fba743c3ee5f400f7f7",
    "vogelaar_krachtwijken_2007.csv":
        "13edf02280b3ccf157a63944123e8dc902c22c7c31ed6057d4edca85e858fa93",
    "rotterdamwet_municipalities.csv":
        "e29df0267fd2840b505484d037ee26a9c7d4ea1b4955ab01101cdb9f9be9c59d",
    "published_effects_dispersal.csv":
        "4de942e7448cbee538dfc092b85e5e331323602e54367f2edc29280433cacf36",
    "derived_gemeente_segregation_indices_kwb2024.csv":
        "c31686292ab48be2af731b935a5b1fc4e864ad12de5cf89e779149bb3e79a421",
}

GOOD_REGISTRY = (
    "municipality_code,municipality,intervention_type,effect_size,standard_error\n"
    "GM0363,Amsterdam,shared_activity,0.21,0.10\n"
    "GM0599,Rotterdam,dispersal,-0.05,0.12\n"
    "GM0344,Utrecht,one_off_meeting,0.02,0.20\n"
)


@pytest.fixture()
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of data/ (so a test can alter one file and its recorded sha256)."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def _replace_file(data_dir: Path, name: str, text: str, *, update_sha: bool) -> None:
    """Overwrite a resource file; optionally record its new sha256 in the datapackage."""
    path = data_dir / f"{name}.csv"
    path.write_text(text, encoding="utf-8")
    if update_sha:
        package = json.loads((data_dir / "datapackage.json").read_text(encoding="utf-8"))
        for res in package["resources"]:
            if res["name"] == name:
                res["sha256"] = sha256_of(path)
        (data_dir / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")


def _registry_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", list(LOADERS))
def test_every_loader_returns_its_rows_with_unique_keys(name):
    loader, rows, key = LOADERS[name]
    frame = loader()
    assert len(frame) == rows
    if key not in {"gemeente_code", "gemeente_code_2024", "gm_code"}:
        assert frame[key].is_unique


def test_numeric_columns_are_typed():
    gemeenten = data.load_municipalities()
    assert str(gemeenten["population_2024"].dtype) == "Int64"
    assert gemeenten["pct_origin_outside_europe"].dtype == float
    assert gemeenten["income_mean_disposable_k_eur"].isna().sum() == 5


def test_amsterdam_2019_level_filter_and_totals():
    buurten = data.load_amsterdam_2019(level="buurt")
    assert len(buurten) == 479
    assert int(buurten["population"].sum()) == 862_635  # PROVENANCE.md check value
    gemeente = data.load_amsterdam_2019(level="gemeente").iloc[0]
    assert gemeente["pct_nonwestern"] == pytest.approx(35.72)


def test_country_row_is_optional():
    assert len(data.load_municipalities(include_country=True)) == 343


def test_policy_lists_use_2024_municipality_codes():
    known = data.municipality_codes()
    assert set(data.load_vogelaar()["gemeente_code_2024"]) <= known
    assert data.load_vogelaar()["gemeente_code_2024"].nunique() == 18
    rotterdam = data.load_rotterdamwet().set_index("gemeente_code_2024").loc["GM0599"]
    assert rotterdam["first_year_applied"] == 2006


@pytest.mark.parametrize("filename", list(PROVENANCE_SHA256) + list(NL_POLICY_SHA256))
def test_real_files_are_byte_identical_to_the_provenance_record(filename):
    expected = {**PROVENANCE_SHA256, **NL_POLICY_SHA256}[filename]
    assert sha256_of(DATA_DIR / filename) == expected


def test_lbm3_panel_has_one_scale_and_the_published_national_trend():
    panel = data.load_lbm3_pc4()
    assert panel["PC4"].nunique() == 4058
    assert (panel["lbm"] - panel["afw"]).round(6).eq(4.102265).all()  # PROVENANCE.md check
    means = panel.groupby("jaar")["lbm"].mean()
    assert means.is_monotonic_increasing
    assert means.loc[2002] == pytest.approx(4.098, abs=5e-4)
    assert means.loc[2022] == pytest.approx(4.155, abs=5e-4)


def test_cbs_suppression_code_becomes_missing_in_the_2016_wijk_file():
    wijken = data.load_wijken_2016()
    assert wijken["P_N_W_AL"].isna().sum() == 78
    assert (wijken.select_dtypes("number").fillna(0) >= 0).all().all()
    assert int(data.load_municipalities_2016()["AANT_INW"].sum()) == 16_979_120  # CBS 1 Jan 2016


def test_vogelaar_investment_sums_to_the_law_totals():
    money = data.load_vogelaar_investment()
    assert money["additionele_inzet_mln_eur"].sum() == pytest.approx(250.0)
    assert money["max_subsidie_per_jaar_eur"].sum() == pytest.approx(50_000_000)
    assert money["gemeente"].nunique() == 18
    assert not money.duplicated(["gemeente", "wijk"]).any()


def test_datapackage_lists_every_file_with_true_rows_and_sha256():
    package = data.load_datapackage()
    listed = {res["path"] for res in package["resources"]}
    # data/examples/ holds CLI example inputs made by scripts/make_examples.py, not resources
    on_disk = {p.relative_to(DATA_DIR).as_posix() for p in DATA_DIR.rglob("*.csv")
               if p.relative_to(DATA_DIR).parts[0] != "examples"}
    assert listed == on_disk
    for res in package["resources"]:
        path = DATA_DIR / res["path"]
        assert sha256_of(path) == res["sha256"], res["name"]
        assert len(pd.read_csv(path, dtype=str)) == res["rows"], res["name"]
        assert res["kind"] in {"real", "derived", "simulated"}
        assert all(res[key] for key in ("source", "citation", "licence", "title"))
        assert all(field["description"] for field in res["schema"]["fields"])


def test_checksum_mismatch_names_file(data_copy):
    path = data_copy / "vogelaar_krachtwijken_2007.csv"
    path.write_bytes(path.read_bytes() + b"\n")
    with pytest.raises(DataError, match=r"vogelaar_krachtwijken_2007\.csv: checksum mismatch"):
        data.load_vogelaar(data_copy)


def test_unknown_municipality_code_in_vogelaar_names_row_and_column(data_copy):
    text = (data_copy / "vogelaar_krachtwijken_2007.csv").read_text(encoding="utf-8")
    _replace_file(data_copy, "vogelaar_krachtwijken_2007", text.replace("GM0307", "GM9998"),
                  update_sha=True)
    with pytest.raises(
        DataError,
        match=r"vogelaar_krachtwijken_2007\.csv: row 2 \(line 3\), column 'gemeente_code_2024': "
        r"unknown municipality code 'GM9998'",
    ):
        data.load_vogelaar(data_copy)


def test_malformed_cbs_code_is_rejected_by_pattern(data_copy):
    text = (data_copy / "rotterdamwet_municipalities.csv").read_text(encoding="utf-8")
    _replace_file(data_copy, "rotterdamwet_municipalities", text.replace("GM0855", "0855"),
                  update_sha=True)
    with pytest.raises(DataError, match=r"row 2 \(line 3\), column 'gemeente_code_2024': '0855' "
                       r"does not match"):
        data.load_rotterdamwet(data_copy)


def test_good_municipal_registry_loads(tmp_path):
    frame = load_registry(_registry_file(tmp_path, GOOD_REGISTRY))
    assert frame["standard_error"].dtype == float
    assert list(frame["municipality_code"]) == ["GM0363", "GM0599", "GM0344"]


@pytest.mark.parametrize(
    ("old", "new", "pattern"),
    [
        ("0.12\n", "-0.12\n",
         r"bad\.csv: row 2 \(line 3\), column 'standard_error': standard error of effect_size "
         r"must be > 0, got -0.12"),
        ("0.20\n", "0\n", r"row 3 \(line 4\), column 'standard_error': .* must be > 0, got 0"),
        ("-0.05", "minus", r"bad\.csv: row 2 \(line 3\), column 'effect_size': expected a "
                           r"number, got 'minus'"),
        ("0.21", "NaN", r"bad\.csv: row 1 \(line 2\), column 'effect_size': missing value"),
        ("0.21", "", r"row 1 \(line 2\), column 'effect_size': missing value"),
        ("GM0344", "GM0000", r"bad\.csv: row 3 \(line 4\), column 'municipality_code': unknown "
                             r"municipality code"),
        ("GM0344", "Utrecht", r"row 3 \(line 4\), column 'municipality_code': 'Utrecht' does "
                              r"not match"),
        ("dispersal", "leaflets", r"row 2 \(line 3\), column 'intervention_type': 'leaflets' "
                                  r"does not match"),
    ],
)
def test_bad_registry_cell_names_file_row_and_column(tmp_path, old, new, pattern):
    with pytest.raises(DataError, match=pattern):
        load_registry(_registry_file(tmp_path, GOOD_REGISTRY.replace(old, new, 1)))


def test_registry_missing_column_is_named(tmp_path):
    text = "\n".join(",".join(line.split(",")[:4]) for line in GOOD_REGISTRY.splitlines())
    with pytest.raises(DataError, match=r"bad\.csv: missing column\(s\) \['standard_error'\]"):
        load_registry(_registry_file(tmp_path, text + "\n"))


def test_registry_optional_column_is_validated_when_present(tmp_path):
    lines = GOOD_REGISTRY.splitlines()
    text = "\n".join([lines[0] + ",year", lines[1] + ",2012", lines[2] + ",twenty",
                      lines[3] + ",2015"]) + "\n"
    with pytest.raises(DataError, match=r"row 2 \(line 3\), column 'year': expected an integer"):
        load_registry(_registry_file(tmp_path, text))


def test_registry_without_rows_or_file_is_an_error(tmp_path):
    with pytest.raises(DataError, match="no data rows"):
        load_registry(_registry_file(tmp_path, GOOD_REGISTRY.splitlines()[0] + "\n"))
    with pytest.raises(DataError, match="file not found"):
        load_registry(tmp_path / "absent.csv")


def test_simulated_registry_checksum_is_verified(data_copy):
    path = data_copy / "simulated" / "registry.csv"
    path.write_bytes(path.read_bytes().replace(b"SIM-0001", b"SIM-9999"))
    with pytest.raises(DataError, match=r"registry\.csv: checksum mismatch"):
        load_registry(data_dir=data_copy)


def test_truth_checksum_is_verified(data_copy):
    path = data_copy / "simulated" / "registry_truth.json"
    path.write_text(path.read_text(encoding="utf-8").replace('"mu": 0.1', '"mu": 0.3'),
                    encoding="utf-8")
    with pytest.raises(DataError, match=r"registry_truth\.json: checksum mismatch"):
        data.load_registry_truth(data_copy)


def _make_data_module():
    spec = importlib.util.spec_from_file_location("make_data", ROOT / "scripts" / "make_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture()
def fake_shared(tmp_path: Path) -> Path:
    """Source copies rebuilt from data/ (the real files in data/ are byte-identical copies)."""
    shared = tmp_path / "shared"
    (shared / "nl_policy").mkdir(parents=True)
    resources = _make_data_module().RESOURCES
    for path in DATA_DIR.glob("*.csv"):
        spec = resources.get(path.stem)
        shutil.copy(path, shared / (spec["source_file"] if spec else path.name))
    return shared


def test_make_data_reproduces_data_folder_byte_for_byte(fake_shared, tmp_path):
    out = tmp_path / "out"
    assert _make_data_module().main(["--shared", str(fake_shared), "--out", str(out)]) == 0
    for path in DATA_DIR.rglob("*"):
        if path.is_file() and path.relative_to(DATA_DIR).parts[0] != "examples":
            rel = path.relative_to(DATA_DIR)
            assert (out / rel).read_bytes() == path.read_bytes(), rel


def test_make_data_writes_nothing_when_one_file_is_bad(fake_shared, tmp_path):
    bad = fake_shared / "rotterdamwet_municipalities.csv"
    bad.write_text(bad.read_text(encoding="utf-8").replace("GM0505", "GM9997"), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "datapackage.json").write_text("{}", encoding="utf-8")
    with pytest.raises(
        DataError, match=r"rotterdamwet_municipalities\.csv: row 8 \(line 9\), column "
        r"'gemeente_code_2024': unknown municipality code 'GM9997'"
    ):
        _make_data_module().main(["--shared", str(fake_shared), "--out", str(out)])
    assert [p.name for p in out.iterdir()] == ["datapackage.json"]
    assert (out / "datapackage.json").read_text(encoding="utf-8") == "{}"
