"""Derive the book's ``data/`` files from the source copies in ``../shared/data``.

Run from the repository root: ``python scripts/make_data.py [--shared PATH]``. The script is the
only code that reads the source copies; the book and the tests read ``data/`` alone. Every output
is validated against its schema in memory, written to a temporary file and renamed into place, and
``data/datapackage.json`` records its provenance, columns and sha256.

Real files are copied byte for byte (their sha256 equals the one in the curator's PROVENANCE.md).
After all real files validate, the SIMULATED intervention registry is generated from them
(:mod:`analysis.data.simulate`, seed ``analysis.config.SEED``) into ``data/simulated/`` with its
truth file. Nothing is written until every output has passed its checks.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.data import (  # noqa: E402
    DataError,
    check_codes,
    read_csv_checked,
    simulate,  # noqa: E402
)
from analysis.data.schemas import SCHEMAS  # noqa: E402
from analysis.data.treatment import build_treatment_from_frames  # noqa: E402
from analysis.io import sha256_of, write_atomic  # noqa: E402
from analysis.results.segregation import segregation_indices  # noqa: E402

DATA_DIR = ROOT / "data"
CBS_LICENCE = "CC BY 4.0 (CBS open data; attribute 'Bron: CBS')"
GEMEENTE_LIST = "cbs_gemeente_2024_population_origin_households_income"
"""Resource whose ``gemeente_code`` column is the list of known municipality codes."""
KWB_SRC = (
    "GitHub Swienn/ScientificDataAnalysisProject, commit "
    "87339a8dfb4882cc5cee8a4ae5f598f3a0519791, StatLine CSV exports "
    "Data/Kerncijfers_wijken_en_buurten_2024_11122025_141648.csv and "
    "Data/Kerncijfers_wijken_en_buurten_2024_geslachten.csv (downloaded 11 Dec 2025), joined "
    "by row position; codes from 'Regioaanduiding/Codering'"
)

RESOURCES: dict[str, dict] = {
    "paluck2019_contact_studies": {
        "source_file": "paluck2019_contact_studies.csv",
        "title": "Contact-hypothesis randomised trials (Paluck, Green & Green 2019)",
        "description": (
            "27 randomised studies of intergroup contact with at least one day between treatment "
            "and outcome, 1969-2016; standardised effect d and its standard error."
        ),
        "citation": (
            "Paluck, E. L., Green, S. A., & Green, D. P. (2019). The contact hypothesis "
            "re-evaluated. Behavioural Public Policy, 3(2), 129-158. doi:10.1017/bpp.2018.25"
        ),
        "source": (
            "GitHub setgree/PaluckMetaSOP, data/contact_data.rda (R object contact_data), commit "
            "2de9de0fcd4d553e5754cc70bc3a1acc6af68a6b; converted to CSV with pyreadr, "
            "column Study renamed to study; values unchanged."
        ),
        "licence": (
            "MIT (Copyright 2024 Betsy Levy Paluck, Roni Porat, Seth Ariel Green, and "
            "John-Henry Pezzuto)"
        ),
        "kind": "real",
        "notes": (
            "Oddities kept as published: 'Meshel 04' has pub_date 1997, 'Dessel 10' 2008, "
            "'Yabon 12' is Yablon (2012). Only Finseraas 2017 targets 'foreigners' in the sense "
            "of ethnic or national out-groups."
        ),
        "transform": None,
        "code_checks": [],
    },
    "cbs_gemeente_2024_population_origin_households_income": {
        "source_file": "cbs_gemeente_2024_population_origin_households_income.csv",
        "title": "CBS municipalities 2024: population by origin, households, income",
        "description": (
            "One row per municipality (342, boundaries of 1 Jan 2024) plus the country row NL00: "
            "population by origin country (Netherlands / Europe excl. NL / outside Europe), sex "
            "and age (KWB 2024), households 1 Jan 2025 and household income 2024*."
        ),
        "citation": (
            "Centraal Bureau voor de Statistiek (CBS), StatLine: Kerncijfers wijken en buurten "
            "2024; Regionale kerncijfers Nederland (period 2025); Inkomen van huishoudens; "
            "huishoudenskenmerken, regio (period 2024*)."
        ),
        "source": (
            KWB_SRC + "; plus Data/Regionale_kerncijfers_Nederland_11122025_133649.csv and "
            "Data/Inkomen_van_huishoudens__regio_11122025_135329.csv joined by normalised "
            "municipality name (all 343 rows matched). pct_origin_* computed (2 decimals)."
        ),
        "licence": CBS_LICENCE,
        "kind": "real",
        "notes": (
            "Income missing for Ameland, Renswoude, Rozendaal, Schiermonnikoog and Vlieland. "
            "Origin uses the CBS herkomstland classification, not westers/niet-westers. "
            "'2024*' = preliminary. StatLine table ids not in the export."
        ),
        "transform": None,
        "code_checks": [],
    },
    "cbs_kwb2024_wijk_population_origin": {
        "source_file": "cbs_kwb2024_wijk_population_origin.csv",
        "title": "CBS KWB 2024: wijken (districts) by origin, sex and age",
        "description": "One row per wijk (3,393) with counts on 1 Jan 2024.",
        "citation": "CBS, StatLine: Kerncijfers wijken en buurten 2024.",
        "source": KWB_SRC + "; gemeente_code = GM + characters 3-6 of the wijk code.",
        "licence": CBS_LICENCE,
        "kind": "real",
        "notes": (
            "CBS rounds wijk counts to multiples of 5 (small cells set to 0), so origin counts "
            "can differ from population by up to 15; municipal totals are exact only in the "
            "gemeente file."
        ),
        "transform": None,
        "code_checks": [("gemeente_code", "municipality code")],
    },
    "cbs_kwb2024_buurt_population_origin": {
        "source_file": "cbs_kwb2024_buurt_population_origin.csv",
        "title": "CBS KWB 2024: buurten (neighbourhoods) by origin",
        "description": "One row per buurt (14,574) with origin counts on 1 Jan 2024.",
        "citation": "CBS, StatLine: Kerncijfers wijken en buurten 2024.",
        "source": KWB_SRC + "; wijk_code = WK + characters 3-8 of the buurt code.",
        "licence": CBS_LICENCE,
        "kind": "real",
        "notes": (
            "CBS rounds buurt counts to multiples of 5 (small cells set to 0); indices computed "
            "over small buurten are biased upward by this rounding."
        ),
        "transform": None,
        "code_checks": [("gemeente_code", "municipality code")],
    },
    "derived_gemeente_segregation_indices_kwb2024": {
        "source_file": "derived_gemeente_segregation_indices_kwb2024.csv",
        "title": "Segregation indices per municipality, KWB 2024 (computed independently)",
        "description": (
            "Duncan dissimilarity (outside-Europe vs Netherlands origin, and vs all others) and "
            "isolation of the outside-Europe-origin population, per municipality over wijken "
            "and over buurten (342 x 2 rows)."
        ),
        "citation": "Computed from CBS Kerncijfers wijken en buurten 2024 (files above).",
        "source": (
            "Computed by the data curator from the wijk and buurt files with Python 3.11 + "
            "pandas, independently of analysis/results/segregation.py; used as a reference in "
            "tests."
        ),
        "licence": "CC BY 4.0 (derived from CBS open data)",
        "kind": "derived",
        "notes": (
            "Sanity values (D vs NL, buurt level): 's-Gravenhage 0.388, Amsterdam 0.317, "
            "Utrecht 0.302, Rotterdam 0.282. D depends on unit size and is biased upward in "
            "small units because of rounding."
        ),
        "transform": None,
        "code_checks": [("gemeente_code", "municipality code")],
    },
    "cbs_kwb2019_amsterdam_wijk_buurt_housing_origin": {
        "source_file": "cbs_kwb2019_amsterdam_wijk_buurt_housing_origin.csv",
        "title": "CBS KWB 2019, Amsterdam: wijken and buurten, housing stock and origin",
        "description": (
            "Amsterdam only: 1 country row, 1 gemeente row, 99 wijken, 479 buurten; western / "
            "non-western migration background, tenure incl. housing-corporation share, WOZ, "
            "income, education, benefits."
        ),
        "citation": "CBS, StatLine: Kerncijfers wijken en buurten 2019 (table 84583NED).",
        "source": (
            "GitHub elakyc15/Group-7, data/Kerncijfers_wijken_en_buurten_2019.csv, commit "
            "ad83ce919af5b42ad0b8c76c8ce7718d0ca0b04e (source sha256 d20f16ac...); R write.csv "
            "copy of a StatLine download of 5 Jun 2025. Kept 58 variables + 5 identifiers of "
            "117 columns, '.'/NA to empty, decimal commas to points; pct_western, "
            "pct_nonwestern, pct_no_migration_background computed."
        ),
        "licence": CBS_LICENCE,
        "kind": "real",
        "notes": (
            "Old origin classification (westers / niet-westers). Population on 1 Jan 2019; WOZ "
            "and income refer to earlier years (check CBS metadata). Counts rounded to "
            "multiples of 5, so shares in tiny buurten are rough (one buurt of 5 inhabitants has "
            "pct_no_migration_background = -100)."
        ),
        "transform": None,
        "code_checks": [],
    },
    "cbs_kwb2012_2017_2019_gemeente_housing": {
        "source_file": "cbs_kwb2012_2017_2019_gemeente_housing.csv",
        "title": "CBS municipalities 2012, 2017, 2019: dwellings, tenure, income, WOZ",
        "description": (
            "All municipalities in the boundaries of each year (415, 388, 355 rows): "
            "population, dwelling stock, % owner-occupied, % rental, mean income per "
            "inhabitant, mean WOZ value."
        ),
        "citation": (
            "CBS, Wijk- en buurtkaart / Kerncijfers wijken en buurten 2012, 2017, 2019 (via "
            "PDOK WFS service.pdok.nl/cbs/wijkenbuurten/<year>)."
        ),
        "source": (
            "GitHub AnneVersion/geoinzicht-app, gemeenten_2012/2017/2019.geojson, commit "
            "167d2924cc99b8748885f0bda2f5152dbe2fd3ae; properties copied unchanged and renamed, "
            "geometry dropped, GM9999 and GM0998 'Buitenland' removed."
        ),
        "licence": CBS_LICENCE,
        "kind": "real",
        "notes": (
            "No corporation vs other rental split. Percentages whole numbers. Income lags the "
            "map edition by 2-3 years. Empty: income 6 rows, WOZ 11 rows. Codes are in the "
            "boundaries of each year, so not all are in the 2024 list."
        ),
        "transform": None,
        "code_checks": [],
    },
    "leefbaarometer_3.0_2020_buurt_utrecht_province": {
        "source_file": "leefbaarometer_3.0_2020_buurt_utrecht_province.csv",
        "title": "Leefbaarometer 3.0 (2020) by buurt, province of Utrecht",
        "description": (
            "969 buurten of the 26 municipalities of the province of Utrecht: Leefbaarometer "
            "score and four dimension deviations, KWB 2022 population, dwellings, % "
            "owner-occupied, CBS SES-WOA score."
        ),
        "citation": (
            "Ministerie van BZK, Leefbaarometer 3.0, meting 2020; CBS Kerncijfers wijken en "
            "buurten 2022; CBS 85163NED (SES-WOA)."
        ),
        "source": (
            "GitHub Nelleke20/notebook.buurtenrecommender, demo/demodata/buurten.csv, commit "
            "df26125b230f9300e5fd4688b781b8beae6e6ee2; columns renamed, values unchanged; "
            "zeros that were CBS-suppressed values set to empty."
        ),
        "licence": (
            "Leefbaarometer: licence not stated in the source repository (check "
            "leefbaarometer.nl before redistribution); CBS parts CC BY 4.0"
        ),
        "kind": "real",
        "notes": (
            "One province only; mixes years (LBM 2020, KWB 2022 buurt codes). Leefbaarometer "
            "empty for 255 buurten. The housing-stock dimension was dropped by the source."
        ),
        "transform": None,
        "code_checks": [],
    },
    "vogelaar_krachtwijken_2007": {
        "source_file": "vogelaar_krachtwijken_2007.csv",
        "title": "Vogelaar krachtwijken (2007) as listed on Dutch Wikipedia",
        "description": (
            "The priority areas announced on 22 March 2007, one row per area item (41 items in "
            "18 municipalities), with the 2024 CBS municipality code."
        ),
        "citation": "Wikipedia (nl), 'Vogelaarwijk', https://nl.wikipedia.org/wiki/Vogelaarwijk",
        "source": (
            "Table 'Gemeente - Wijk(en)' of the Wikipedia article, each listed item one row; "
            "gemeente_code_2024 looked up by name in the CBS 2024 municipality file."
        ),
        "licence": "CC BY-SA 4.0 (Wikipedia)",
        "kind": "real",
        "notes": (
            "Splitting the source cells gives 41 items, not the official 40; not checked "
            "against the official ministry list. Areas are names, not CBS wijk codes."
        ),
        "transform": None,
        "code_checks": [("gemeente_code_2024", "municipality code")],
    },
    "rotterdamwet_municipalities": {
        "source_file": "rotterdamwet_municipalities.csv",
        "title": "Municipalities that applied the Rotterdamwet (Wbmgp)",
        "description": (
            "Nine municipalities that at least one cited source says apply or applied housing "
            "measures of the Wet bijzondere maatregelen grootstedelijke problematiek."
        ),
        "citation": (
            "nl.wikipedia 'Wet bijzondere maatregelen grootstedelijke problematiek'; scobe.nl "
            "(8 Jan 2024); huurderskoepelgrave.nl (19 Sep 2020); nhnieuws.nl (March 2022); "
            "cortendegeer.nl Huisvestingsjournaal #14; Kamerstuk 33 797 nr. 3."
        ),
        "source": "Compiled by hand from the cited pages; URLs per row in source_urls.",
        "licence": "Facts with citations; Wikipedia parts CC BY-SA 4.0",
        "kind": "real",
        "notes": (
            "Sources disagree on the number of municipalities (6, 9 or 10). First year verified "
            "only for Rotterdam (2006); Rotterdam stopped applying article 8 in spring 2022."
        ),
        "transform": None,
        "code_checks": [("gemeente_code_2024", "municipality code")],
    },
    "published_effects_dispersal": {
        "source_file": "published_effects_dispersal.csv",
        "title": "Published effect estimates of dispersal, mobility and area programmes",
        "description": (
            "30 estimates transcribed from cited sources (MTO, Chicago demolitions, refugee "
            "dispersal, krachtwijken, Rotterdamwet, contact), each with a verbatim quote."
        ),
        "citation": "See column citation (one source per row).",
        "source": (
            "Hand-built from retrieved public web pages and code files; a number was entered "
            "only if it appears in the retrieved text (see quote, source_location)."
        ),
        "licence": "Facts with citations and short quotations",
        "kind": "real",
        "notes": (
            "Many scales and designs, not comparable without rescaling. Rows 25-30 are "
            "second-hand SEs; row 25 repeats row 1. Several MTO rows are re-analyses of the "
            "same experiment, not independent."
        ),
        "transform": None,
        "code_checks": [],
    },
}

NL_POLICY = "nl_policy"
"""Subfolder of the source copies that holds the neighbourhood-policy and liveability files."""
LBM_LICENCE = (
    "Leefbaarometer open data of the Ministerie van BZK; a third-party source describes it as "
    "CC0. NOT VERIFIED here: attribute 'Leefbaarometer, Ministerie van BZK' and check "
    "leefbaarometer.nl before redistribution"
)
LAW_LICENCE = "Public domain (Dutch statutory text, art. 11 Auteurswet)"
MINORPROJECT = (
    "GitHub koenkoen1/minorproject (Unlicense), commit "
    "93d94d3d673576da582b1999aa6ddf5824d789b1"
)
LAWS_MARKDOWN = "GitHub statengeneraal/laws-markdown"


def _blank_cbs_suppressed(raw: pd.DataFrame) -> pd.DataFrame:
    """Replace CBS's suppression code -99999999 by an empty cell (missing)."""
    return raw.replace(to_replace=r"^-99999999(\.0+)?$", value="", regex=True)


def _nl_policy(file: str, **spec: object) -> dict:
    """Resource spec of one file of ``nl_policy/`` (copied byte for byte unless transformed)."""
    return {"source_file": f"{NL_POLICY}/{file}", "kind": "real", "transform": None,
            "code_checks": [], **spec}


RESOURCES.update({
    "leefbaarometer2_wijk_classes_2002-2016": _nl_policy(
        "leefbaarometer2_wijk_classes_2002-2016.csv",
        title="Leefbaarometer 2.0 liveability classes by CBS wijk (2016 boundaries), 2002-2016",
        description=(
            "2,981 wijken; class 1 (very poor) ... 9 (excellent) in 2002, 2008, 2012, 2014 "
            "and 2016, and the classes of the changes between those years. Ordinal."
        ),
        citation="Ministerie van BZK, Leefbaarometer 2.0, meting 2016 (open data).",
        source=MINORPROJECT + ", data/Wijk/wijk.xlsx converted to CSV unchanged.",
        licence=LBM_LICENCE,
        notes=(
            "Ordinal classes, not scores; classes 1-3 are under 1 % of wijk-years. LBM 2.0 "
            "and 3.0 are different models: never splice them into one series."
        ),
    ),
    "leefbaarometer2_gemeente_classes_2002-2016": _nl_policy(
        "leefbaarometer2_gemeente_classes_2002-2016.csv",
        title="Leefbaarometer 2.0 liveability classes by municipality (2016), 2002-2016",
        description="The same classes as the wijk file for 390 municipalities (2016 codes).",
        citation="Ministerie van BZK, Leefbaarometer 2.0, meting 2016 (open data).",
        source=MINORPROJECT + ", converted to CSV unchanged.",
        licence=LBM_LICENCE,
        notes="Ordinal classes.",
    ),
    "leefbaarometer2_wijk_scores_2012-2016": _nl_policy(
        "leefbaarometer2_wijk_scores_2012-2016.csv",
        title="Leefbaarometer 2.0 scores by CBS wijk, 2012, 2014, 2016",
        description=(
            "8,886 rows = 2,962 wijken x 3 years: total score and five dimensions "
            "(housing, residents, amenities, safety, physical environment). Continuous."
        ),
        citation="Ministerie van BZK, Leefbaarometer 2.0, meting 2016 (open data).",
        source=MINORPROJECT + ", data/Wijk/dimensiescore_wijk (stand).xlsx sheet data(1).",
        licence=LBM_LICENCE,
        notes="Post-2008 only: no pre-period for the wijkenaanpak; 403 rows without scores.",
    ),
    "cbs_wijk_2016_attributes": _nl_policy(
        "cbs_wijk_2016_attributes.csv",
        title="CBS Wijk- en buurtkaart 2016: wijk attributes",
        description=(
            "2,981 wijken (2016 boundaries): codes, names, population, households, age, "
            "marital status, migration background (western / non-western and four origins), "
            "density, area."
        ),
        citation="CBS, Wijk- en buurtkaart 2016.",
        source=MINORPROJECT + " (.dbf converted to CSV); CBS suppression code -99999999 "
        "replaced by an empty cell (the only change).",
        licence=CBS_LICENCE,
        notes=(
            "Old origin classification (westers / niet-westers). Population 1 Jan 2016 is "
            "post-treatment for the wijkenaanpak (2007-2012). No housing or income columns."
        ),
        transform=_blank_cbs_suppressed,
    ),
    "cbs_gemeente_2016_attributes": _nl_policy(
        "cbs_gemeente_2016_attributes.csv",
        title="CBS Wijk- en buurtkaart 2016: municipality attributes",
        description="390 municipalities (2016): the same attributes as the wijk file.",
        citation="CBS, Wijk- en buurtkaart 2016.",
        source=MINORPROJECT + " (.dbf converted to CSV).",
        licence=CBS_LICENCE,
        notes="Populations sum to 16,979,120 = CBS 1 Jan 2016.",
    ),
    "leefbaarometer3_pc4_2002-2022": _nl_policy(
        "leefbaarometer3_pc4_2002-2022.csv",
        title="Leefbaarometer 3.0 scores by 4-digit postcode, 2002-2022",
        description=(
            "32,300 rows = 4,058 PC4 x 8 measurement years (2002, 2008, 2012, 2014, 2016, "
            "2018, 2020, 2022) on one scale and one (2022) postcode geography; dimension "
            "contributions only in 2014 and 2018-2022."
        ),
        citation="Ministerie van BZK, Leefbaarometer 3.0, meting 2022, 'Leefbaarometer-scores "
        "PC4' (open data).",
        source=(
            "GitHub semen-tarasov/funda-collector, data/scores.csv, commit "
            "aa2f9acce3990788e3d75b01df68b9baf1a0141b (copy of the official open-data file)."
        ),
        licence=LBM_LICENCE,
        notes=(
            "lbm - afw = 4.102265 in every row (fixed reference). A modelled index: predicted "
            "from register and housing data, so demolition and selective migration move it."
        ),
    ),
    "cbs_pc4_2023": _nl_policy(
        "cbs_pc4_2023.csv",
        title="CBS statistics per 4-digit postcode, 1 Jan 2023",
        description=(
            "4,070 PC4: population by age and origin, households, dwellings by age and "
            "tenure, corporation dwellings, WOZ value, benefits, urbanity."
        ),
        citation="CBS, Statistische gegevens per vierkant en postcode (PC4, 2023).",
        source=(
            "GitHub sof1a03/DSS_groupproject, Data/Cleaned/CBS_PC4.csv, commit "
            "82bbea08ed032159ef6d8aaa1af6c57448ad562b; CBS code -99997 set to empty."
        ),
        licence=CBS_LICENCE,
        notes="Post-treatment cross-section for every policy of 2007-2017. Counts rounded.",
    ),
    "pc4_to_gemeente_2023": _nl_policy(
        "pc4_to_gemeente_2023.csv",
        title="Dominant municipality (2023) of each 4-digit postcode",
        description="4,071 PC4 with the municipality holding most addresses and its share.",
        citation="CBS, Buurt, wijk en gemeente voor postcode-huisnummer (2023).",
        source=(
            "Counted by the data curator from the address-level conversion table in GitHub "
            "sof1a03/DSS_groupproject (Data/Final/conversion.zip, commit "
            "b071fe891400acbc14822e75a8b3233d2fcfbb81; 7,936,433 addresses)."
        ),
        licence=CBS_LICENCE,
        notes="Only 2 PC4 have a share below 0.9. gm_code2023 is the number without 'GM'.",
    ),
    "pc4_wijk_addresses_2017": _nl_policy(
        "pc4_wijk_addresses_2017.csv",
        title="Addresses per 4-digit postcode and CBS wijk (2017 geography)",
        description=(
            "7,029 (pc4, wijk) cells with addresses > 0: which postcodes lie in which CBS "
            "wijk, with the share of each postcode's addresses inside the wijk."
        ),
        citation="CBS, Buurt, wijk en gemeente voor postcode-huisnummer, via the R package "
        "grenswijzigen (VNG Realisatie).",
        source=(
            "GitHub reidhin/grenswijzigen, commit 62ddad82a92013de2ed5f4d9b8491d4cce6b62e0, "
            "data/grenswijziging_wijk_van_2016_naar_2017_voor_postcode.rda (dense matrix), "
            "converted to long form (cells > 0)."
        ),
        licence=(
            "CC BY-NC-SA 4.0 (the grenswijzigen package); underlying CBS data CC BY 4.0. A "
            "release for commercial reuse should rebuild it from the CBS table itself"
        ),
        notes="2,939 of the 2,981 wijk codes of 2016 appear. No buurt-level table available.",
    ),
    "impulsgebieden_pc4_2013-2017": _nl_policy(
        "impulsgebieden_pc4_2013-2017.csv",
        title="Impulsgebieden 2013-2017: postcodes with extra primary-school funding",
        description="967 PC4 designated for school years 2013-2014 to 2016-2017.",
        citation=(
            "Regeling vaststelling impulsgebieden schooljaar 2013-2014 tot en met 2016-2017 "
            "(BWBR0031549), annex."
        ),
        source=LAWS_MARKDOWN + ", commit 520d225aa02c299e7d3f22996adf703e70cc6fed.",
        licence=LAW_LICENCE,
        notes=(
            "A 2009-2013 list existed only as an image in the law: many PC4 may have been "
            "designated before 2013."
        ),
    ),
    "vogelaar_40wijken_bcf_investment": _nl_policy(
        "vogelaar_40wijken_bcf_investment.csv",
        title="The 40 wijken of the wijkenaanpak and the extra corporation investment",
        description=(
            "40 wijken in 18 municipalities with the additional housing-corporation "
            "investment (EUR mln) and the maximum yearly subsidy fixed in the law."
        ),
        citation=(
            "Besluit Centraal Fonds voor de Volkshuisvesting (BWBR0004418), annex, version "
            "2011-07-20."
        ),
        source=LAWS_MARKDOWN + ", commit 17524b52bd2acf1d5d674c764d69832b0c13b73e.",
        licence=LAW_LICENCE,
        notes=(
            "Names as printed, no geography; the official 83-PC4 definition (Kamerstuk "
            "30995 nr. 66) is not available here. Columns sum to EUR 250 mln and 50 mln."
        ),
    ),
    "vogelaar_pc4_evidence": _nl_policy(
        "vogelaar_pc4_evidence.csv",
        title="Quoted evidence on the postcodes of the 40 wijken (partial)",
        description="21 distinct PC4 for 8 of the 40 wijken, each with a verbatim quote.",
        citation="See columns source and quote (one source per row).",
        source="Compiled by the data curator from public web pages; nothing from memory.",
        licence="Facts with citations and short quotations",
        notes="Only 1813 = Alkmaar Overdie has confidence 'high' (CBS 71718ned).",
    ),
    "wijkenaanpak_published_estimates": _nl_policy(
        "wijkenaanpak_published_estimates.csv",
        title="Published difference-in-differences estimates of the wijkenaanpak",
        description=(
            "8 estimates from Jongeneel-Grimen et al. (2016), Table 4: DiD of half-yearly "
            "logit slopes of self-rated (mental) health, by programme intensity and control."
        ),
        citation=(
            "Jongeneel-Grimen, B. et al. (2016). J Epidemiol Community Health 70:967-973."
        ),
        source="Transcribed by the data curator from the article's Table 4.",
        licence="Facts from a published article (not CC-licensed): cited, not redistributed "
        "as a dataset",
        notes="Health, not liveability: compare with, never pool blindly. SE = (hi-lo)/3.92.",
    ),
    "bdiu_integration_neighbourhood_programmes": _nl_policy(
        "bdiu_integration_neighbourhood_programmes.csv",
        title="Grants to municipalities for 23 integration and neighbourhood programmes, "
        "2006-2015",
        description=(
            "2,411 municipality x programme x year cells from the annexes of the Besluit "
            "decentralisatie- en integratie-uitkeringen, de-duplicated across four versions "
            "(latest value kept)."
        ),
        citation="Besluit decentralisatie- en integratie-uitkeringen (BWBR0027383), annexes.",
        source=LAWS_MARKDOWN + ", versions 2010-03-17, 2013-12-12, 2014-09-08, 2015-04-02 "
        "(commits 085e2f64..., 0df4b77b..., a16b17dd..., 7c18cb3a...), parsed Markdown tables.",
        licence=LAW_LICENCE,
        notes=(
            "Municipality names as printed (both 'Den Haag' and 's-Gravenhage; names of "
            "municipalities merged before 2016). Allocations, not spending."
        ),
    ),
    "bdiu_municipal_grants_2006-2015_long": _nl_policy(
        "bdiu_municipal_grants_2006-2015_long.csv",
        title="All annex tables of the Besluit decentralisatie- en integratie-uitkeringen",
        description="28,546 rows: every annex cell of four consolidated versions.",
        citation="Besluit decentralisatie- en integratie-uitkeringen (BWBR0027383), annexes.",
        source=LAWS_MARKDOWN + ", four consolidated versions (see the programme subset).",
        licence=LAW_LICENCE,
        notes="Rows whose eenheid starts with 'LIST:' only list municipalities.",
    ),
})

DERIVED: dict[str, dict] = {
    "derived_wijkenaanpak_treatment_wijk2016": {
        "build": build_treatment_from_frames,
        "title": "Treatment definition of the 40 wijken of the wijkenaanpak on CBS wijken (2016)",
        "description": (
            "One row per CBS 2016 wijk of the 18 Vogelaar municipalities (407): the Vogelaar "
            "wijk of the law placed on it, the tier (exact, partial, manual, contains, unmatched), "
            "strict and broad treatment indicators and the wijk's share of the extra "
            "corporation investment (split by 2016 population)."
        ),
        "citation": (
            "Derived from the Besluit Centraal Fonds voor de Volkshuisvesting annex, CBS "
            "Wijk- en buurtkaart 2016, the 2007 Wikipedia list, quoted postcode evidence and "
            "the postcode x wijk address table (files above)."
        ),
        "source": (
            "Computed by analysis.data.treatment.build_treatment from the validated files "
            "cbs_wijk_2016_attributes, vogelaar_40wijken_bcf_investment, "
            "vogelaar_krachtwijken_2007, vogelaar_pc4_evidence and pc4_wijk_addresses_2017; "
            "the rule and the sourced manual rows are documented in that module."
        ),
        "licence": (
            "CC BY 4.0 (derived from CBS open data and public-domain statutory text); the "
            "address table used for two rows is CC BY-NC-SA 4.0"
        ),
        "kind": "derived",
        "notes": (
            "District-sized names (Noord, West, Oost, Zuid-West, ...) are never matched "
            "automatically. Population weights are post-treatment (2016). Wijken of a "
            "municipality with an unmatched Vogelaar wijk, and 'contains' wijken, are not "
            "clean controls."
        ),
        "code_checks": [("gemeente_code", "municipality code")],
    },
}
"""Resources computed from the validated real files (not copied from ``../shared``)."""

SIMULATED: dict[str, dict] = {
    "simulated_registry": {
        "path": "simulated/registry.csv",
        "truth_path": "simulated/registry_truth.json",
        "title": "SIMULATED municipal intervention registry (known truth; not evidence)",
        "description": (
            "SIMULATED: 400 interventions in 45 real municipalities (all Vogelaar and "
            "Rotterdamwet municipalities plus the largest others) over the six SCP intervention "
            "types, with effect sizes (standardised mean differences on an integration / "
            "liveability measure) and known standard errors drawn from a documented "
            "hierarchical model. Municipal codes, names and covariates are real (CBS 2024)."
        ),
        "citation": (
            "Generated by analysis.data.simulate.simulate_registry (seed analysis.config.SEED); "
            "intervention types after Gijsberts & Dagevos (2007), SCP, Interventies voor "
            "integratie."
        ),
        "source": (
            "Simulated from the CBS 2024 municipality and buurt files, the Vogelaar list and "
            "the Rotterdamwet list in this folder; truth in simulated/registry_truth.json."
        ),
        "licence": "CC BY 4.0 (municipal covariates from CBS); simulated values: MIT",
        "kind": "simulated",
        "notes": (
            "SIMULATED data for design, power and calibration only. Never evidence about Dutch "
            "municipalities or interventions."
        ),
        "code_checks": [("municipality_code", "municipality code")],
    },
}


def derive(name: str, spec: dict, shared: Path) -> bytes:
    """Return the bytes of the derived CSV for one resource (validated, not yet written).

    Without a ``transform`` the source bytes are kept as they are, so the sha256 recorded in
    ``PROVENANCE.md`` still matches the copy in ``data/``.
    """
    source = shared / spec["source_file"]
    if spec["transform"] is None:  # the bytes are validated by validate() before any write
        if not source.is_file():
            raise DataError(f"{source}: file not found")
        return source.read_bytes()
    if not source.is_file():
        raise DataError(f"{source}: file not found")
    raw = pd.read_csv(source, dtype=str, keep_default_na=False)
    raw = spec["transform"](raw)
    buffer = io.StringIO()
    raw.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue().encode("utf-8")


def validate(
    outputs: dict[str, bytes], tmp: Path, known_frames: dict | None = None
) -> dict[str, tuple[pd.DataFrame, Path]]:
    """Validate the exact bytes of every output (schema + municipality codes) in ``tmp``.

    Municipality codes are checked against the gemeente list in ``outputs`` (or in
    ``known_frames``, the already validated real files, when checking the simulated ones).
    """
    checked: dict[str, tuple[pd.DataFrame, Path]] = {}
    for name, payload in outputs.items():
        check = tmp / f"{name}.csv"
        check.write_bytes(payload)
        checked[name] = (read_csv_checked(check, SCHEMAS[name]), check)
    gemeenten = (known_frames or checked)[GEMEENTE_LIST][0]
    known = set(gemeenten.loc[gemeenten["level"] == "gemeente", "gemeente_code"])
    for name, (frame, _) in checked.items():
        for column, what in {**RESOURCES, **DERIVED, **SIMULATED}[name].get("code_checks", []):
            check_codes(frame[column], known, source=f"{name}.csv", column=column, what=what)
    return checked


def generate_registry(
    checked: dict[str, tuple[pd.DataFrame, Path]],
) -> tuple[bytes, bytes]:
    """Simulate the registry from the validated real frames; return (CSV bytes, truth bytes)."""
    municipalities = simulate.select_municipalities(
        checked[GEMEENTE_LIST][0].query("level == 'gemeente'"),
        segregation_indices(checked["cbs_kwb2024_buurt_population_origin"][0]),
        set(checked["vogelaar_krachtwijken_2007"][0]["gemeente_code_2024"]),
        set(checked["rotterdamwet_municipalities"][0]["gemeente_code_2024"]),
        simulate.RegistryParameters().n_municipalities,
    )
    registry, truth = simulate.simulate_registry(municipalities)
    return simulate.registry_csv_bytes(registry), simulate.truth_json_bytes(truth)


def resource_entry(name: str, frame: pd.DataFrame, path: Path) -> dict:
    """Return the ``datapackage.json`` entry of one validated resource."""
    spec = {**RESOURCES, **DERIVED, **SIMULATED}[name]
    return {
        "name": name,
        "path": spec.get("path", f"{name}.csv"),
        "title": spec["title"],
        "description": spec["description"],
        "kind": spec["kind"],
        "citation": spec["citation"],
        "source": spec["source"],
        "licence": spec["licence"],
        "notes": spec["notes"],
        "rows": len(frame),
        "columns": len(SCHEMAS[name]),
        "sha256": sha256_of(path),
        "schema": {
            "fields": [
                {"name": c.name, "type": c.kind, "description": c.description,
                 "unit": c.unit, "nullable": c.nullable,
                 **({"pattern": c.pattern} if c.pattern else {})}
                for c in SCHEMAS[name]
            ]
        },
    }


def main(argv: list[str] | None = None) -> int:
    """Derive every resource, validate all of them, then write files and the datapackage."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=DATA_DIR, help="output folder")
    args = parser.parse_args(argv)
    outputs = {name: derive(name, spec, args.shared) for name, spec in RESOURCES.items()}

    with tempfile.TemporaryDirectory() as tmp:  # validate the exact bytes before writing
        checked = validate(outputs, Path(tmp))
        frames = {name: frame for name, (frame, _) in checked.items()}
        derived = {name: spec["build"](frames) for name, spec in DERIVED.items()}
        checked.update(validate(derived, Path(tmp), known_frames=checked))
        registry_csv, truth_json = generate_registry(checked)
        (Path(tmp) / "simulated").mkdir()
        checked.update(validate({"simulated_registry": registry_csv}, Path(tmp) / "simulated",
                                known_frames=checked))
        (Path(tmp) / "truth.json").write_bytes(truth_json)
        resources = [resource_entry(name, *checked[name]) for name in checked]
        spec = SIMULATED["simulated_registry"]
        resources[-1]["truth"] = {
            "path": spec["truth_path"],
            "sha256": sha256_of(Path(tmp) / "truth.json"),
            "description": "true parameters and realised effects of the SIMULATED registry",
        }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "simulated").mkdir(exist_ok=True)
    for name, payload in {**outputs, **derived}.items():
        write_atomic(args.out / f"{name}.csv", payload)
    write_atomic(args.out / spec["path"], registry_csv)
    write_atomic(args.out / spec["truth_path"], truth_json)
    package = {
        "name": "spreiding-en-integratie",
        "title": "Data of the research book Spreiding en integratie",
        "profile": "data-package",
        "generated_by": "scripts/make_data.py",
        "resources": resources,
    }
    write_atomic(
        args.out / "datapackage.json",
        (json.dumps(package, indent=2, ensure_ascii=False) + "\n").encode("utf-8"),
    )
    for res in resources:
        print(f"wrote {args.out.name}/{res['path']}: {res['rows']} rows, sha256 {res['sha256']}")
    print(f"wrote {args.out.name}/{spec['truth_path']}: sha256 {resources[-1]['truth']['sha256']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
