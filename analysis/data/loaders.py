"""Load the book's data files: checksum first, then schema, then typed columns.

Every loader goes through :func:`read_csv_checked`, so a malformed file fails with one
:class:`DataError` that names the file, the row and the column, before any analysis runs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from analysis.config import DATA_DIR
from analysis.data.schemas import REGISTRY_CORE, REGISTRY_OPTIONAL, SCHEMAS
from analysis.data.validate import DataError, check_codes, read_csv_checked
from analysis.io import sha256_of


def load_datapackage(data_dir: Path = DATA_DIR) -> dict:
    """Return the parsed ``datapackage.json`` (provenance, schema and sha256 of every file)."""
    with (Path(data_dir) / "datapackage.json").open(encoding="utf-8") as handle:
        return json.load(handle)


def load_resource(name: str, data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """Load one data file named in ``datapackage.json``, verifying its checksum and schema.

    Parameters
    ----------
    name : str
        Resource name, e.g. ``"paluck2019_contact_studies"``.
    data_dir : Path, optional
        Folder holding ``datapackage.json`` and the files.

    Returns
    -------
    pandas.DataFrame
        The validated, typed table.

    Raises
    ------
    DataError
        If the resource is unknown or its file fails any check.
    """
    package = load_datapackage(data_dir)
    resources = {res["name"]: res for res in package["resources"]}
    if name not in resources or name not in SCHEMAS:
        raise DataError(f"unknown data resource {name!r}; known: {sorted(resources)}")
    resource = resources[name]
    return read_csv_checked(
        Path(data_dir) / resource["path"], SCHEMAS[name], expected_sha256=resource["sha256"]
    )


def provenance_table(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """List every data file of ``datapackage.json`` with its row count and sha256 computed now.

    Parameters
    ----------
    data_dir : Path, optional
        Folder holding ``datapackage.json`` and the files.

    Returns
    -------
    pandas.DataFrame
        One row per resource (index: file path) with ``kind``, ``title``, ``rows`` (counted in
        the file), ``columns``, ``sha256`` (of the file as it is now), ``checksum_ok`` (equal to
        the recorded one), ``source``, ``citation`` and ``licence``.
    """
    rows = []
    for res in load_datapackage(data_dir)["resources"]:
        path = Path(data_dir) / res["path"]
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        digest = sha256_of(path)
        rows.append(
            {
                "file": res["path"],
                "kind": res["kind"],
                "title": res["title"],
                "rows": len(frame),
                "columns": frame.shape[1],
                "sha256": digest,
                "checksum_ok": digest == res["sha256"] and len(frame) == res["rows"],
                "source": res["source"],
                "citation": res["citation"],
                "licence": res["licence"],
            }
        )
    return pd.DataFrame(rows).set_index("file")


def load_contact_studies(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """Return the 27 contact-hypothesis RCTs of Paluck, Green & Green (2019).

    One row per study with the standardised effect ``d`` and its standard error ``se_d``.
    """
    return load_resource("paluck2019_contact_studies", data_dir)


def load_municipalities(
    data_dir: Path = DATA_DIR, *, include_country: bool = False
) -> pd.DataFrame:
    """Return the CBS municipalities of 2024 with origin, households and income.

    Parameters
    ----------
    data_dir : Path, optional
        Folder holding ``datapackage.json`` and the files.
    include_country : bool, default False
        Keep the country row ``NL00``.

    Returns
    -------
    pandas.DataFrame
        342 rows (343 with the country), one per municipality (boundaries of 1 Jan 2024).

    Examples
    --------
    >>> load_municipalities().set_index("gemeente_code").loc["GM0363", "gemeente_naam"]
    'Amsterdam'
    """
    frame = load_resource("cbs_gemeente_2024_population_origin_households_income", data_dir)
    if not include_country:
        frame = frame[frame["level"] == "gemeente"].reset_index(drop=True)
    return frame


def municipality_codes(data_dir: Path = DATA_DIR) -> set[str]:
    """Return the set of the 342 CBS municipality codes (``GMxxxx``) of 2024."""
    return set(load_municipalities(data_dir)["gemeente_code"])


def load_wijken(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """Return the 3,393 CBS wijken (districts) of 2024 with origin, sex and age counts.

    Counts are rounded by CBS to multiples of 5; ``gemeente_code`` is checked against the 2024
    municipality list.
    """
    frame = load_resource("cbs_kwb2024_wijk_population_origin", data_dir)
    check_codes(frame["gemeente_code"], municipality_codes(data_dir),
                source="cbs_kwb2024_wijk_population_origin.csv", column="gemeente_code",
                what="municipality code")
    return frame


def load_buurten(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """Return the 14,574 CBS buurten (neighbourhoods) of 2024 with origin counts."""
    frame = load_resource("cbs_kwb2024_buurt_population_origin", data_dir)
    check_codes(frame["gemeente_code"], municipality_codes(data_dir),
                source="cbs_kwb2024_buurt_population_origin.csv", column="gemeente_code",
                what="municipality code")
    return frame


def load_segregation_reference(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """Return the independently computed segregation indices per municipality (KWB 2024).

    One row per municipality and unit (``wijk`` / ``buurt``); used to check
    :mod:`analysis.results.segregation` against a computation made outside this package.
    """
    return load_resource("derived_gemeente_segregation_indices_kwb2024", data_dir)


def load_amsterdam_2019(data_dir: Path = DATA_DIR, *, level: str | None = None) -> pd.DataFrame:
    """Return KWB 2019 for Amsterdam: housing stock, tenure, income and migration background.

    Parameters
    ----------
    data_dir : Path, optional
        Folder holding the data.
    level : {"country", "gemeente", "wijk", "buurt"}, optional
        Keep only rows of this level (all 580 rows if None).
    """
    frame = load_resource("cbs_kwb2019_amsterdam_wijk_buurt_housing_origin", data_dir)
    if level is not None:
        frame = frame[frame["level"] == level].reset_index(drop=True)
    return frame


def load_municipal_housing(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """Return dwellings, tenure, income and WOZ per municipality for 2012, 2017 and 2019.

    Codes are in the boundaries of each year (not all are in the 2024 list).
    """
    return load_resource("cbs_kwb2012_2017_2019_gemeente_housing", data_dir)


def load_leefbaarometer_utrecht(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """Return Leefbaarometer 3.0 (2020) scores by buurt for the province of Utrecht."""
    return load_resource("leefbaarometer_3.0_2020_buurt_utrecht_province", data_dir)


def load_vogelaar(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """Return the Vogelaar krachtwijken of 2007 (41 items in 18 municipalities).

    Raises
    ------
    DataError
        If a ``gemeente_code_2024`` is not a CBS 2024 municipality code.
    """
    return _load_with_2024_codes("vogelaar_krachtwijken_2007", data_dir)


def load_rotterdamwet(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """Return the municipalities that cited sources say applied the Rotterdamwet.

    Raises
    ------
    DataError
        If a ``gemeente_code_2024`` is not a CBS 2024 municipality code.
    """
    return _load_with_2024_codes("rotterdamwet_municipalities", data_dir)


def _load_with_2024_codes(name: str, data_dir: Path) -> pd.DataFrame:
    """Load a policy-facts file whose ``gemeente_code_2024`` must be CBS 2024 codes."""
    frame = load_resource(name, data_dir)
    check_codes(frame["gemeente_code_2024"], municipality_codes(data_dir),
                source=f"{name}.csv", column="gemeente_code_2024", what="municipality code")
    return frame


def load_published_effects(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """Return 30 published effect estimates on dispersal, mobility and area programmes.

    Estimates are on many scales (see ``unit``) and are not comparable without rescaling.
    """
    return load_resource("published_effects_dispersal", data_dir)


def load_lbm2_wijk_classes(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """Return Leefbaarometer 2.0 classes (1-9, ordinal) of 2,981 CBS wijken (2016), 2002-2016.

    One row per wijk (``WK_CODE``); ``KL02`` ... ``KL16`` are the classes in 2002, 2008, 2012, 2014
    and 2016 (missing where the wijk had too few addresses).
    """
    return load_resource("leefbaarometer2_wijk_classes_2002-2016", data_dir)


def load_lbm2_municipality_classes(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """Return Leefbaarometer 2.0 classes of the 390 municipalities of 2016, 2002-2016."""
    return load_resource("leefbaarometer2_gemeente_classes_2002-2016", data_dir)


def load_lbm2_wijk_scores(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """Return Leefbaarometer 2.0 continuous scores by wijk, 2012-2016 (long: ``GBD``, ``JAAR``).

    Post-2008 only: these scores have no pre-period for the wijkenaanpak.
    """
    return load_resource("leefbaarometer2_wijk_scores_2012-2016", data_dir)


def load_wijken_2016(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """Return CBS attributes of the 2,981 wijken of 2016 (names, population, % non-western, ...).

    CBS-suppressed cells are missing. The population of 1 Jan 2016 is post-treatment for the
    wijkenaanpak (2007-2012).
    """
    return load_resource("cbs_wijk_2016_attributes", data_dir)


def load_municipalities_2016(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """Return CBS attributes of the 390 municipalities of 2016 (``GM_CODE``, ``GM_NAAM``, ...)."""
    return load_resource("cbs_gemeente_2016_attributes", data_dir)


def load_lbm3_pc4(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """Return Leefbaarometer 3.0 scores of 4,058 postcodes in 8 years, 2002-2022 (long format).

    One scale and one (2022) postcode geography in every year; the dimension columns are
    filled only in 2014 and 2018-2022.
    """
    return load_resource("leefbaarometer3_pc4_2002-2022", data_dir)


def load_pc4_2023(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """Return CBS statistics of 4,070 postcodes on 1 Jan 2023 (a post-treatment cross-section)."""
    return load_resource("cbs_pc4_2023", data_dir)


def load_pc4_municipality_2023(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """Return dominant municipality (2023) of each postcode, with its share of the addresses.

    ``gm_code2023`` is the CBS number without the ``GM`` prefix.
    """
    return load_resource("pc4_to_gemeente_2023", data_dir)


def load_pc4_wijk_addresses(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """Return addresses per (postcode, CBS wijk) cell in the 2017 geography.

    ``share_of_pc4`` is the share of a postcode's addresses inside the wijk: the exposure of a
    postcode to a wijk-level treatment.
    """
    return load_resource("pc4_wijk_addresses_2017", data_dir)


def load_impulsgebieden(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """Return the 967 postcodes designated as impulsgebied for the school years 2013-2017."""
    return load_resource("impulsgebieden_pc4_2013-2017", data_dir)


def load_vogelaar_investment(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """Return the 40 wijken of the wijkenaanpak with the extra corporation investment (EUR mln).

    Names as printed in the law (municipality 'Den Haag', not 's-Gravenhage); no geography.
    """
    return load_resource("vogelaar_40wijken_bcf_investment", data_dir)


def load_vogelaar_pc4_evidence(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """Return quoted, sourced postcodes of 8 of the 40 wijken (partial; see ``confidence``)."""
    return load_resource("vogelaar_pc4_evidence", data_dir)


def load_wijkenaanpak_published(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """Return published difference-in-differences estimates of the wijkenaanpak (health)."""
    return load_resource("wijkenaanpak_published_estimates", data_dir)


def load_grant_programmes(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """Return municipality x programme x year grants of 23 integration/neighbourhood programmes.

    Municipality names as printed in the law (``eenheid``); harmonise them to CBS codes before
    any join (:mod:`analysis.data.grants`).
    """
    return load_resource("bdiu_integration_neighbourhood_programmes", data_dir)


def load_grants_long(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """Return every annex cell of four versions of the Besluit decentralisatie-uitkeringen."""
    return load_resource("bdiu_municipal_grants_2006-2015_long", data_dir)


def load_registry(path: Path | str | None = None, data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """Load and validate an intervention registry: the SIMULATED one, or a municipality's own.

    Parameters
    ----------
    path : Path or str, optional
        A registry CSV. If None, the simulated registry ``data/simulated/registry.csv`` is
        loaded and its sha256 checked against ``datapackage.json``.
    data_dir : Path, optional
        Folder holding ``datapackage.json`` and the CBS municipality list.

    Returns
    -------
    pandas.DataFrame
        One row per intervention with at least ``municipality_code``, ``municipality``,
        ``intervention_type``, ``effect_size`` and ``standard_error`` (see
        :data:`analysis.data.schemas.REGISTRY_CORE`); optional known columns (``year``,
        ``n_participants``, ...) are validated and typed when present.

    Raises
    ------
    DataError
        On a missing column, a wrong type, a missing value, a standard error <= 0, an unknown
        intervention type or a municipality code not in the CBS 2024 list, naming the file, the
        row and the column.

    Examples
    --------
    >>> registry = load_registry()
    >>> registry["intervention_type"].nunique()
    6
    """
    if path is None:
        frame = load_resource("simulated_registry", data_dir)
        source = "registry.csv"
    else:
        path = Path(path)
        if not path.is_file():
            raise DataError(f"{path}: file not found")
        header = pd.read_csv(path, nrows=0, dtype=str).columns
        schema = REGISTRY_CORE + tuple(c for c in REGISTRY_OPTIONAL if c.name in header)
        frame = read_csv_checked(path, schema)
        source = path.name
    if frame.empty:
        raise DataError(f"{source}: no data rows (only a header)")
    check_codes(frame["municipality_code"], municipality_codes(data_dir), source=source,
                column="municipality_code", what="municipality code (CBS 2024)")
    return frame


def load_registry_truth(data_dir: Path = DATA_DIR) -> dict:
    """Return the true parameters of the SIMULATED registry, checking the file's sha256.

    Returns
    -------
    dict
        Parameters, covariate scaling, realised municipality and municipality x type effects,
        and every intervention's true effect (see :func:`analysis.data.simulate.simulate_registry`).
    """
    package = load_datapackage(data_dir)
    resource = next(res for res in package["resources"] if res["name"] == "simulated_registry")
    truth = resource["truth"]
    path = Path(data_dir) / truth["path"]
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    actual = sha256_of(path)
    if actual != truth["sha256"]:
        raise DataError(
            f"{path.name}: checksum mismatch: expected sha256 {truth['sha256']}, got {actual}; "
            "regenerate it with `python scripts/make_data.py`."
        )
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


