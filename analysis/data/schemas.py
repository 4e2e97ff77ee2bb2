"""Schemas of the book's data files: one tuple of :class:`~analysis.data.validate.Column` each."""

from __future__ import annotations

from analysis.data.validate import Column

CONTACT_STUDIES: tuple[Column, ...] = (
    Column("study", "str", "name of the study"),
    Column("name_short", "str", "short study label (author + year)"),
    Column("pub_date", "int", "publication year", "year", minimum=1900),
    Column("target", "int", "numeric code of the target out-group", minimum=0),
    Column("target_spelled_out", "str", "target out-group in words"),
    Column("pop", "int", "numeric code of the population studied", minimum=0),
    Column("pop_spelled_out", "str", "population studied in words"),
    Column("unstand", "float", "unstandardised effect as reported", nullable=True),
    Column("statistic", "str", "type of reported statistic"),
    Column("n_t", "int", "treatment-group sample size", "persons", minimum=1),
    Column("n_c", "int", "control-group sample size", "persons", minimum=1),
    Column("sd_c", "float", "control-group SD used for standardising", nullable=True),
    Column("what", "str", "where in the publication the statistic is reported", nullable=True),
    Column("d", "float", "standardised effect size (Glass's delta / Cohen's d)", "SD"),
    Column(
        "var_d", "float", "variance of d; sampling variance", "SD^2", minimum=0,
        exclusive_minimum=True,
    ),
    Column(
        "se_d", "float", "standard error of d; sampling SE", "SD", minimum=0,
        exclusive_minimum=True,
    ),
    Column("p_a_p", "int", "1 = pre-analysis plan, 0 = none", minimum=0),
    Column("publish", "int", "0 published, 1 dissertation, 2 preprint/working paper", minimum=0),
    Column("days_delay", "int", "days between treatment and outcome measurement", "days",
           minimum=0),
    Column("unique_study_id", "int", "unique study id (1-27)", minimum=1),
)

GM_CODE = r"GM\d{4}"
"""CBS municipality (gemeente) code, e.g. ``GM0363`` (Amsterdam)."""
WK_CODE = r"WK\d{4}[0-9A-Z]{2}"
"""CBS district (wijk) code: ``WK`` + 4-digit municipality + 2 characters (``WK036300``).

The district part is numeric except in Amsterdam since 2022 (``WK0363AA``)."""
BU_CODE = r"BU\d{4}[0-9A-Z]{4}"
"""CBS neighbourhood (buurt) code: ``BU`` + wijk part + 2 characters (``BU0363AA01``)."""


def _count(name: str, description: str, *, nullable: bool = False) -> Column:
    """Return a non-negative count column (persons, households or dwellings)."""
    return Column(name, "int", description, "count", nullable=nullable, minimum=0)


def _pct(name: str, description: str, *, nullable: bool = True) -> Column:
    """Return a percentage column (0-100, CBS-rounded)."""
    return Column(name, "float", description, "%", nullable=nullable, minimum=0)


_AGE_GROUPS: tuple[Column, ...] = (
    _count("men", "inhabitants who are men"),
    _count("women", "inhabitants who are women"),
    _count("age_0_14", "inhabitants aged 0-14"),
    _count("age_15_24", "inhabitants aged 15-24"),
    _count("age_25_44", "inhabitants aged 25-44"),
    _count("age_45_64", "inhabitants aged 45-64"),
    _count("age_65_plus", "inhabitants aged 65 or older"),
)

_ORIGIN_COUNTS: tuple[Column, ...] = (
    _count("origin_netherlands", "inhabitants with origin country (herkomstland) Netherlands"),
    _count("origin_europe_excl_nl", "inhabitants with origin country in Europe excluding NL"),
    _count("origin_outside_europe", "inhabitants with origin country outside Europe"),
)

CBS_GEMEENTE_2024: tuple[Column, ...] = (
    Column("gemeente_code", "str", "CBS municipality code (GMxxxx); NL00 for the country row",
           pattern=r"GM\d{4}|NL00"),
    Column("gemeente_naam", "str", "municipality name as in KWB 2024"),
    Column("level", "str", "'gemeente' or 'country'", pattern=r"gemeente|country"),
    _count("population_2024", "inhabitants on 1 Jan 2024 (KWB 2024)"),
    *_ORIGIN_COUNTS,
    _pct("pct_origin_netherlands", "origin Netherlands as % of population_2024", nullable=False),
    _pct("pct_origin_europe_excl_nl", "origin Europe excl. NL as % of population_2024",
         nullable=False),
    _pct("pct_origin_outside_europe", "origin outside Europe as % of population_2024",
         nullable=False),
    *_AGE_GROUPS,
    Column("n_wijken", "int", "number of wijken of the municipality in KWB 2024", "count",
           minimum=1),
    Column("n_buurten", "int", "number of buurten of the municipality in KWB 2024", "count",
           minimum=1),
    Column("population_2025", "float", "total population 1 Jan 2025 (Regionale kerncijfers)",
           "count", minimum=0),
    Column("households_2025", "float", "private households 1 Jan 2025", "count", minimum=0),
    Column("one_person_households_2025", "float", "one-person households 1 Jan 2025", "count",
           minimum=0),
    Column("multi_person_households_no_children_2025", "float",
           "multi-person households without children 1 Jan 2025", "count", minimum=0),
    Column("multi_person_households_with_children_2025", "float",
           "multi-person households with children 1 Jan 2025", "count", minimum=0),
    Column("avg_household_size_2025", "float", "persons per private household 1 Jan 2025",
           "persons", minimum=0, exclusive_minimum=True),
    Column("income_period", "str", "period label of the income export ('2024*' = preliminary)"),
    Column("private_households_x1000", "float",
           "private households incl. students, income table", "x 1,000 households", minimum=0),
    Column("income_mean_standardised_k_eur", "float",
           "mean standardised household income; empty for 5 small municipalities", "k EUR",
           nullable=True, minimum=0),
    Column("income_median_standardised_k_eur", "float",
           "median standardised household income", "k EUR", nullable=True, minimum=0),
    Column("income_mean_disposable_k_eur", "float", "mean disposable household income",
           "k EUR", nullable=True, minimum=0),
    Column("income_median_disposable_k_eur", "float", "median disposable household income",
           "k EUR", nullable=True, minimum=0),
)

_INDELING = Column(
    "indelingswijziging_code", "int",
    "CBS boundary-change code vs previous year (1 unchanged, 2 code/name only, 3 boundaries)",
    minimum=1,
)

CBS_WIJK_2024: tuple[Column, ...] = (
    Column("wijk_code", "str", "CBS wijk code (WKxxxxxx)", pattern=WK_CODE),
    Column("wijk_naam", "str", "wijk name"),
    Column("gemeente_code", "str", "CBS municipality code", pattern=GM_CODE),
    Column("gemeente_naam", "str", "municipality name"),
    _INDELING,
    _count("population", "inhabitants on 1 Jan 2024 (CBS-rounded to multiples of 5)"),
    *_ORIGIN_COUNTS,
    *_AGE_GROUPS,
)

CBS_BUURT_2024: tuple[Column, ...] = (
    Column("buurt_code", "str", "CBS buurt code (BUxxxxxxxx)", pattern=BU_CODE),
    Column("buurt_naam", "str", "buurt name"),
    Column("wijk_code", "str", "CBS wijk code of the buurt", pattern=WK_CODE),
    Column("gemeente_code", "str", "CBS municipality code", pattern=GM_CODE),
    Column("gemeente_naam", "str", "municipality name"),
    _INDELING,
    _count("population", "inhabitants on 1 Jan 2024 (CBS-rounded to multiples of 5)"),
    *_ORIGIN_COUNTS,
)

DERIVED_SEGREGATION_2024: tuple[Column, ...] = (
    Column("gemeente_code", "str", "CBS municipality code", pattern=GM_CODE),
    Column("gemeente_naam", "str", "municipality name"),
    Column("unit", "str", "spatial unit: 'wijk' or 'buurt'", pattern=r"wijk|buurt"),
    Column("n_units", "int", "number of units in the municipality", "count", minimum=1),
    Column("n_units_populated", "int", "units with population > 0", "count", minimum=0),
    _count("population", "sum of unit populations (rounded counts)"),
    _count("origin_outside_europe", "sum of unit counts with origin outside Europe"),
    _pct("pct_outside_europe", "origin_outside_europe / population x 100", nullable=False),
    Column("dissimilarity_outside_europe_vs_netherlands", "float",
           "Duncan D, outside-Europe vs Netherlands origin", "index 0-1", minimum=0),
    Column("dissimilarity_outside_europe_vs_rest", "float",
           "Duncan D, outside-Europe vs all other inhabitants", "index 0-1", minimum=0),
    Column("isolation_outside_europe", "float", "isolation index xPx of outside-Europe origin",
           "index 0-1", minimum=0),
)

AMSTERDAM_2019: tuple[Column, ...] = (
    Column("region_code", "str", "CBS code: NL00 / GMxxxx / WKxxxxxx / BUxxxxxxxx",
           pattern=r"NL00|GM\d{4}|WK\d{6}|BU\d{8}"),
    Column("region_name", "str", "name of the area"),
    Column("level", "str", "country / gemeente / wijk / buurt",
           pattern=r"country|gemeente|wijk|buurt"),
    Column("gemeente_code", "str", "municipality code; empty for the country row",
           nullable=True, pattern=GM_CODE),
    Column("gemeente_naam", "str", "municipality name; empty for the country row",
           nullable=True),
    Column("wijk_code", "str", "wijk of a buurt (own code for wijk rows)", nullable=True,
           pattern=WK_CODE),
    Column("indelingswijziging_code", "int", "CBS boundary-change code", nullable=True,
           minimum=1),
    _count("population", "inhabitants on 1 Jan 2019 (a_inw)"),
    *_AGE_GROUPS,
    _count("migr_western", "persons with a western migration background (a_w_all)"),
    _count("migr_nonwestern", "persons with a non-western migration background (a_nw_all)"),
    _count("migr_morocco", "migration background Morocco (a_marok)"),
    _count("migr_antilles_aruba", "migration background Antilles and Aruba (a_antaru)"),
    _count("migr_suriname", "migration background Suriname (a_sur)"),
    _count("migr_turkey", "migration background Turkey (a_tur)"),
    _count("migr_other_nonwestern", "other non-western migration background (a_ov_nw)"),
    _count("households", "private households (a_hh)"),
    _count("households_one_person", "one-person households (a_1p_hh)"),
    _count("households_with_children", "households with children (a_hh_m_k)"),
    Column("avg_household_size", "float", "persons per household (g_hhgro)", "persons",
           nullable=True, minimum=0),
    Column("population_density_km2", "int", "inhabitants per km2 land (bev_dich)",
           "persons/km2", nullable=True, minimum=0),
    _count("dwellings", "housing stock (a_woning)"),
    Column("woz_mean_k_eur", "float", "mean WOZ value of dwellings (g_woz)", "k EUR",
           nullable=True, minimum=0),
    _pct("pct_single_family", "% single-family dwellings (p_1gezw)"),
    _pct("pct_multi_family", "% multi-family dwellings (p_mgezw)"),
    _pct("pct_occupied", "% occupied dwellings (p_bewndw)"),
    _pct("pct_unoccupied", "% unoccupied dwellings (p_leegsw)"),
    _pct("pct_owner_occupied", "% owner-occupied dwellings (p_koopw)"),
    _pct("pct_rental_total", "% rental dwellings (p_huurw)"),
    _pct("pct_rental_housing_corporation",
         "% rental owned by housing corporations, social rent (p_wcorpw)"),
    _pct("pct_rental_other_landlord", "% rental owned by other landlords (p_ov_hw)"),
    _pct("pct_ownership_unknown", "% ownership unknown (p_e_o_w)"),
    _pct("pct_built_before_2000", "% dwellings built before 2000 (p_bjj2k)"),
    _pct("pct_built_2000_or_later", "% dwellings built 2000 or later (p_bjo2k)"),
    _count("education_low", "persons 15-75 with low education (a_opl_lg)", nullable=True),
    _count("education_middle", "persons 15-75 with middle education (a_opl_md)", nullable=True),
    _count("education_high", "persons 15-75 with high education (a_opl_hg)", nullable=True),
    _pct("pct_net_labour_participation", "net labour participation (p_arb_pp)"),
    _count("income_recipients", "number of income recipients (a_inkont)"),
    Column("income_mean_per_recipient_k_eur", "float", "mean income per recipient (g_ink_po)",
           "k EUR", nullable=True, minimum=0),
    Column("income_mean_per_inhabitant_k_eur", "float",
           "mean income per inhabitant (g_ink_pi)", "k EUR", nullable=True, minimum=0),
    _pct("pct_persons_national_lowest40_income",
         "% persons in the national bottom 40% of personal income (p_ink_li)"),
    _pct("pct_persons_national_highest20_income",
         "% persons in the national top 20% of personal income (p_ink_hi)"),
    Column("income_mean_standardised_household_k_eur", "float",
           "mean standardised household income (g_hh_sti)", "k EUR", nullable=True, minimum=0),
    _pct("pct_households_national_lowest40_income",
         "% households in the national bottom 40% (p_hh_li)"),
    _pct("pct_households_national_highest20_income",
         "% households in the national top 20% (p_hh_hi)"),
    _pct("pct_households_low_income", "% households with a low income (p_hh_lkk)"),
    _pct("pct_households_at_or_below_social_minimum",
         "% households at or below the social minimum (p_hh_osm)"),
    _pct("pct_households_up_to_110pct_social_minimum",
         "% households up to 110% of the social minimum (p_hh_110)"),
    _pct("pct_households_up_to_120pct_social_minimum",
         "% households up to 120% of the social minimum (p_hh_120)"),
    Column("wealth_median_household_k_eur", "float",
           "median household wealth (m_hh_ver); can be negative", "k EUR", nullable=True),
    _count("benefit_social_assistance", "persons receiving social assistance (a_soz_wb)",
           nullable=True),
    _count("benefit_disability", "persons receiving disability benefit (a_soz_ao)",
           nullable=True),
    _count("benefit_unemployment_ww", "persons receiving unemployment benefit WW (a_soz_ww)",
           nullable=True),
    _count("benefit_aow_pension", "persons receiving AOW state pension (a_soz_ow)",
           nullable=True),
    Column("area_total_ha", "int", "total area (a_opp_ha)", "ha", minimum=0),
    Column("area_land_ha", "int", "land area (a_lan_ha)", "ha", minimum=0),
    Column("urbanity_class", "int", "CBS urbanity class, 1 very strongly urban ... 5 not urban",
           nullable=True, minimum=1),
    Column("address_density_km2", "int", "surrounding address density (ste_oad)",
           "addresses/km2", nullable=True, minimum=0),
    _pct("pct_western", "western migration background as % of population (computed)"),
    _pct("pct_nonwestern", "non-western migration background as % of population (computed)"),
    Column("pct_no_migration_background", "float",
           "100 - western - non-western (computed); can fall below 0 in tiny buurten because "
           "CBS rounds counts to multiples of 5", "%", nullable=True),
)

GEMEENTE_HOUSING: tuple[Column, ...] = (
    Column("year", "int", "edition of the wijk- en buurtkaart (2012, 2017, 2019)", "year",
           minimum=2012),
    Column("gm_code", "str", "CBS municipality code, boundaries of that year", pattern=GM_CODE),
    Column("gm_naam", "str", "municipality name"),
    _count("population", "inhabitants"),
    _count("dwellings", "dwelling stock"),
    _pct("pct_owner_occupied", "% of dwellings owner-occupied (p_koopw, whole %)",
         nullable=False),
    _pct("pct_rental", "% of dwellings rented, corporation + other (p_huurw, whole %)",
         nullable=False),
    Column("income_mean_per_inhabitant_k_eur", "float",
           "mean personal income per inhabitant (g_ink_pi; income year lags 2-3 years)",
           "k EUR", nullable=True, minimum=0),
    Column("woz_mean_k_eur", "float", "mean WOZ value of dwellings", "k EUR", nullable=True,
           minimum=0),
)

LEEFBAAROMETER_UTRECHT: tuple[Column, ...] = (
    Column("bu_code", "str", "CBS buurt code (2022 indeling)", pattern=BU_CODE),
    Column("gm_naam", "str", "municipality name"),
    Column("bu_naam", "str", "buurt name"),
    _count("population", "KWB 2022 inhabitants"),
    _count("dwellings", "KWB 2022 dwelling stock"),
    _pct("pct_owner_occupied", "KWB 2022 % owner-occupied dwellings (p_koopw)"),
    Column("lbm_score", "float", "Leefbaarometer 3.0 total score 2020", "score",
           nullable=True, minimum=0),
    Column("lbm_fys", "float", "physical-environment deviation from national mean",
           "score deviation", nullable=True),
    Column("lbm_onv", "float", "nuisance & insecurity deviation from national mean",
           "score deviation", nullable=True),
    Column("lbm_soc", "float", "social-cohesion deviation from national mean",
           "score deviation", nullable=True),
    Column("lbm_vrz", "float", "amenities deviation from national mean", "score deviation",
           nullable=True),
    Column("ses_woa_score", "float", "CBS SES-WOA mean score (85163NED)", "score",
           nullable=True),
)

VOGELAAR_2007: tuple[Column, ...] = (
    Column("item_no", "int", "order in the source table", minimum=1),
    Column("gemeente_naam", "str", "municipality (CBS 2024 spelling)"),
    Column("gemeente_code_2024", "str", "CBS municipality code, 2024 boundaries",
           pattern=GM_CODE),
    Column("wijk_as_listed", "str", "area name as written in the source"),
    Column("announced_date", "str", "date the list was announced (ISO date)",
           pattern=r"\d{4}-\d{2}-\d{2}"),
    Column("note", "str", "remarks taken from the source", nullable=True),
    Column("source_url", "str", "source page", pattern=r"https?://\S+"),
)

ROTTERDAMWET: tuple[Column, ...] = (
    Column("gemeente_naam", "str", "municipality (CBS 2024 spelling)"),
    Column("gemeente_code_2024", "str", "CBS municipality code", pattern=GM_CODE),
    Column("applied_wbmgp_per_sources", "str",
           "'yes' if at least one source says the municipality applies(d) Wbmgp measures",
           pattern=r"yes|no"),
    Column("first_year_applied", "int", "year first applied, only where verified", "year",
           nullable=True, minimum=2005),
    Column("first_year_status", "str", "verified / conflicting / not found",
           pattern=r"verified|conflicting|not found"),
    Column("evidence", "str", "what the sources say"),
    Column("source_urls", "str", "pipe-separated source URLs"),
)

PUBLISHED_EFFECTS: tuple[Column, ...] = (
    Column("id", "int", "running row number", minimum=1),
    Column("programme", "str", "policy or programme (or natural experiment)"),
    Column("country", "str", "country of the programme"),
    Column("design", "str", "RCT / quasi-experiment / observational / meta-analysis",
           pattern=r"RCT|quasi-experiment|observational|meta-analysis"),
    Column("population", "str", "who was studied"),
    Column("outcome", "str", "outcome measured"),
    Column("estimate", "str",
           "point estimate as stated in the source (text, e.g. '4 to 5'; empty if qualitative)",
           "see column unit", nullable=True),
    Column("unit", "str", "unit/scale of estimate and se"),
    Column("se", "float", "standard error, only where stated", "see column unit",
           nullable=True, minimum=0, exclusive_minimum=True),
    Column("ci_low", "float", "lower confidence bound (none found)", "see column unit",
           nullable=True),
    Column("ci_high", "float", "upper confidence bound (none found)", "see column unit",
           nullable=True),
    Column("p_value", "float", "p-value or t-statistic (none found)", nullable=True),
    Column("n", "str", "sample size as stated (text)", nullable=True),
    Column("comparison", "str", "what is compared with what"),
    Column("citation", "str", "author(s), year, title, journal/report"),
    Column("source_location", "str", "web address or code file where the number was read"),
    Column("quote", "str", "verbatim short quote (<= 40 words) containing the number"),
)

_TYPES = (
    "one_off_meeting|shared_activity|housing_differentiation|physical_restructuring|"
    "allocation_rules|dispersal"
)

REGISTRY_CORE: tuple[Column, ...] = (
    Column("municipality_code", "str", "CBS municipality code (2024)", pattern=GM_CODE),
    Column("municipality", "str", "municipality name"),
    Column("intervention_type", "str",
           "SCP intervention type: one_off_meeting, shared_activity, housing_differentiation, "
           "physical_restructuring, allocation_rules or dispersal", pattern=_TYPES),
    Column("effect_size", "float",
           "estimated effect; standardised mean difference on an integration / liveability "
           "measure, positive = better", "SD"),
    Column("standard_error", "float", "standard error of effect_size; sampling SE", "SD",
           minimum=0, exclusive_minimum=True),
)
"""Columns every intervention registry must have (a municipality's own file included)."""

REGISTRY_OPTIONAL: tuple[Column, ...] = (
    Column("intervention_id", "str", "identifier of the intervention"),
    Column("activity", "str", "what was done within the type (e.g. street party, mentoring)"),
    Column("year", "int", "year the intervention started", "year", minimum=1990),
    Column("n_participants", "int", "participants or respondents in the evaluation", "persons",
           minimum=1),
    _count("population", "municipality population on 1 Jan 2024 (CBS)"),
    _pct("pct_outside_europe", "% of inhabitants with origin outside Europe, 2024 (CBS)",
         nullable=False),
    Column("segregation_d", "float",
           "dissimilarity D over buurten, origin outside Europe vs the rest (KWB 2024)",
           "index 0-1", minimum=0),
    Column("vogelaar", "int", "1 if the municipality had a Vogelaar krachtwijk (2007)",
           minimum=0),
    Column("rotterdamwet", "int", "1 if the municipality applied the Rotterdamwet", minimum=0),
)
"""Columns validated when present (all are present in the simulated registry)."""

SIMULATED_REGISTRY: tuple[Column, ...] = (
    REGISTRY_OPTIONAL[0], *REGISTRY_CORE[:3], *REGISTRY_OPTIONAL[1:4], *REGISTRY_CORE[3:],
    *REGISTRY_OPTIONAL[4:],
)
"""Schema of ``data/simulated/registry.csv`` (file order)."""

# --- nl_policy: Dutch neighbourhood policy and liveability (issue 14) --------------------------

PC4 = r"\d{4}"
"""Dutch 4-digit postcode area (PC4), e.g. ``1011``."""

LBM_YEARS_2 = ("02", "08", "12", "14", "16")
"""Measurement years of Leefbaarometer 2.0 (two-digit suffixes of the class columns)."""

_LBM2_CHANGE_PAIRS = ("0208", "0212", "0214", "0216", "0812", "0814", "0816", "1214", "1216",
                      "1416")

LBM2_WIJK_CLASSES: tuple[Column, ...] = (
    Column("WK_CODE", "str", "CBS wijk code, 2016 boundaries", pattern=WK_CODE),
    *(Column(f"KL{y}", "float", f"Leefbaarometer 2.0 class in 20{y}: 1 very poor ... 9 "
             "excellent (ordinal)", "class", nullable=True, minimum=1) for y in LBM_YEARS_2),
    *(Column(f"VKL{p}", "float", f"class of the change 20{p[:2]} -> 20{p[2:]} (1 large "
             "decline ... 7 large improvement; ordinal)", "class", nullable=True, minimum=1)
      for p in _LBM2_CHANGE_PAIRS),
)

LBM2_GEMEENTE_CLASSES: tuple[Column, ...] = (
    Column("GM_CODE", "str", "CBS municipality code, 2016 boundaries", pattern=GM_CODE),
    *LBM2_WIJK_CLASSES[1:],
)

LBM2_WIJK_SCORES: tuple[Column, ...] = (
    Column("GBD", "str", "CBS wijk code, 2016 boundaries", pattern=WK_CODE),
    Column("JAAR", "int", "measurement year (2012, 2014, 2016)", "year", minimum=2012),
    Column("RLBRMTR", "float", "Leefbaarometer 2.0 total score (deviation)", "score",
           nullable=True),
    Column("RLBWON", "float", "dimension: housing", "score", nullable=True),
    Column("RLBBEV", "float", "dimension: residents", "score", nullable=True),
    Column("RLBVRZ", "float", "dimension: amenities", "score", nullable=True),
    Column("RLBVEI", "float", "dimension: safety", "score", nullable=True),
    Column("RLBFYS", "float", "dimension: physical environment", "score", nullable=True),
)

_WIJK_2016_COUNTS = {
    "AANT_INW": "inhabitants 1 Jan 2016", "AANT_MAN": "men", "AANT_VROUW": "women",
    "AANTAL_HH": "households",
}
_WIJK_2016_PCT = {
    "P_00_14_JR": "% aged 0-14", "P_15_24_JR": "% aged 15-24", "P_25_44_JR": "% aged 25-44",
    "P_45_64_JR": "% aged 45-64", "P_65_EO_JR": "% aged 65+", "P_ONGEHUWD": "% unmarried",
    "P_GEHUWD": "% married", "P_GESCHEID": "% divorced", "P_VERWEDUW": "% widowed",
    "P_EENP_HH": "% one-person households", "P_HH_Z_K": "% households without children",
    "P_HH_M_K": "% households with children",
    "P_WEST_AL": "% with a western migration background",
    "P_N_W_AL": "% with a non-western migration background",
    "P_MAROKKO": "% Moroccan background", "P_ANT_ARU": "% Antillean/Aruban background",
    "P_SURINAM": "% Surinamese background", "P_TURKIJE": "% Turkish background",
    "P_OVER_NW": "% other non-western background",
}


def _area_2016_columns() -> tuple[Column, ...]:
    """Attribute columns shared by the CBS 2016 wijk and gemeente files (after the codes)."""
    return (
        Column("WATER", "str", "'JA' if the area is (mostly) water, else 'NEE'",
               pattern=r"JA|NEE"),
        Column("OAD", "float", "address density (omgevingsadressendichtheid)",
               "addresses/km2", nullable=True, minimum=0),
        Column("STED", "float", "urbanity class 1 (very strongly urban) ... 5 (not urban)",
               "class", nullable=True, minimum=1),
        *(Column(c, "int", d, "count", nullable=True, minimum=0)
          for c, d in list(_WIJK_2016_COUNTS.items())[:3]),
        *(Column(c, "float", d, "%", nullable=True, minimum=0)
          for c, d in list(_WIJK_2016_PCT.items())[:9]),
        Column("BEV_DICHTH", "float", "population density", "inhabitants/km2", nullable=True,
               minimum=0),
        Column("AANTAL_HH", "int", "households", "count", nullable=True, minimum=0),
        *(Column(c, "float", d, "%", nullable=True, minimum=0)
          for c, d in list(_WIJK_2016_PCT.items())[9:12]),
        Column("GEM_HH_GR", "float", "mean household size", "persons", nullable=True,
               minimum=0),
        *(Column(c, "float", d, "%", nullable=True, minimum=0)
          for c, d in list(_WIJK_2016_PCT.items())[12:]),
        Column("OPP_TOT", "float", "total area", "ha", minimum=0),
        Column("OPP_LAND", "float", "land area", "ha", minimum=0),
        Column("OPP_WATER", "float", "water area", "ha", minimum=0),
    )


CBS_WIJK_2016: tuple[Column, ...] = (
    Column("WK_CODE", "str", "CBS wijk code, 2016 boundaries", pattern=WK_CODE),
    Column("WK_NAAM", "str", "wijk name (CBS 2016)"),
    Column("GM_CODE", "str", "CBS municipality code, 2016 boundaries", pattern=GM_CODE),
    Column("GM_NAAM", "str", "municipality name (CBS 2016)"),
    Column("IND_WBI", "int", "CBS indicator: wijk/buurt-indeling present (1)", minimum=0),
    *_area_2016_columns(),
)

CBS_GEMEENTE_2016: tuple[Column, ...] = (
    Column("GM_CODE", "str", "CBS municipality code, 2016 boundaries", pattern=GM_CODE),
    Column("GM_NAAM", "str", "municipality name (CBS 2016)"),
    *_area_2016_columns(),
    Column("Doorz", "str", "field of the source map layer (kept as is)", nullable=True),
)

LBM3_PC4: tuple[Column, ...] = (
    Column("PC4", "int", "4-digit postcode (2022 geography)", minimum=1000),
    Column("jaar", "int", "measurement year (2002, 2008, 2012, 2014, 2016, 2018, 2020, 2022)",
           "year", minimum=2002),
    Column("lbm", "float", "Leefbaarometer 3.0 total score (higher = better)", "score"),
    Column("afw", "float", "deviation from the fixed national reference (lbm - afw = 4.102265)",
           "score"),
    Column("fys", "float", "dimension: physical environment (2014, 2018-2022 only)", "score",
           nullable=True),
    Column("onv", "float", "dimension: nuisance and insecurity", "score", nullable=True),
    Column("soc", "float", "dimension: social cohesion", "score", nullable=True),
    Column("vrz", "float", "dimension: amenities", "score", nullable=True),
    Column("won", "float", "dimension: housing stock", "score", nullable=True),
)

_PC4_2023_COUNTS = (
    "aantal_inwoners", "aantal_mannen", "aantal_vrouwen", "aantal_inwoners_0_tot_15_jaar",
    "aantal_inwoners_15_tot_25_jaar", "aantal_inwoners_25_tot_45_jaar",
    "aantal_inwoners_45_tot_65_jaar", "aantal_inwoners_65_jaar_en_ouder",
)
_PC4_2023_PCT = (
    "percentage_geb_nederland_herkomst_nederland",
    "percentage_geb_nederland_herkomst_overig_europa",
    "percentage_geb_nederland_herkomst_buiten_europa",
    "percentage_geb_buiten_nederland_herkomst_europa",
    "percentage_geb_buiten_nederland_herkmst_buiten_europa",
)
_PC4_2023_REST = (
    ("aantal_part_huishoudens", "count"), ("aantal_eenpersoonshuishoudens", "count"),
    ("aantal_meerpersoonshuishoudens_zonder_kind", "count"),
    ("aantal_eenouderhuishoudens", "count"), ("aantal_tweeouderhuishoudens", "count"),
    ("gemiddelde_huishoudensgrootte", "persons"), ("aantal_woningen", "count"),
    ("aantal_woningen_bouwjaar_voor_1945", "count"),
    ("aantal_woningen_bouwjaar_45_tot_65", "count"),
    ("aantal_woningen_bouwjaar_65_tot_75", "count"),
    ("aantal_woningen_bouwjaar_75_tot_85", "count"),
    ("aantal_woningen_bouwjaar_85_tot_95", "count"),
    ("aantal_woningen_bouwjaar_95_tot_05", "count"),
    ("aantal_woningen_bouwjaar_05_tot_15", "count"),
    ("aantal_woningen_bouwjaar_15_en_later", "count"),
    ("aantal_meergezins_woningen", "count"), ("percentage_koopwoningen", "%"),
    ("percentage_huurwoningen", "%"),
    ("aantal_huurwoningen_in_bezit_woningcorporaties", "count"),
    ("aantal_niet_bewoonde_woningen", "count"),
    ("gemiddelde_woz_waarde_woning", "k EUR"),
    ("aantal_personen_met_uitkering_onder_aowlft", "count"),
    ("omgevingsadressendichtheid", "addresses/km2"),
    ("stedelijkheid", "class 1-5"),
)

CBS_PC4_2023: tuple[Column, ...] = (
    Column("pc4", "int", "4-digit postcode", minimum=1000),
    *(Column(c, "float", c.replace("_", " ") + " on 1 Jan 2023 (CBS-rounded)", "count",
             nullable=True, minimum=0) for c in _PC4_2023_COUNTS),
    *(Column(c, "float", c.replace("_", " ") + " (CBS-rounded to multiples of 10)", "%",
             nullable=True, minimum=0) for c in _PC4_2023_PCT),
    *(Column(c, "float", c.replace("_", " "), unit, nullable=True, minimum=0)
      for c, unit in _PC4_2023_REST),
)

PC4_GEMEENTE_2023: tuple[Column, ...] = (
    Column("pc4", "int", "4-digit postcode", minimum=1000),
    Column("gm_code2023", "int", "dominant municipality of the pc4 (2023), CBS number without "
           "'GM'", minimum=1),
    Column("gm_naam2023", "str", "name of that municipality"),
    Column("n_addr", "int", "addresses of the pc4 in that municipality", "count", minimum=0),
    Column("share_addresses", "float", "share of the pc4's addresses in that municipality",
           "fraction", minimum=0),
)

PC4_WIJK_ADDRESSES: tuple[Column, ...] = (
    Column("pc4", "int", "4-digit postcode", minimum=1000),
    Column("wijk_code", "str", "CBS wijk code (2017 boundaries)", pattern=WK_CODE),
    Column("gemeente_code", "str", "CBS municipality code (2017)", pattern=GM_CODE),
    Column("addresses", "int", "addresses of the pc4 inside the wijk", "count", minimum=1),
    Column("share_of_pc4", "float", "share of the pc4's addresses inside the wijk",
           "fraction", minimum=0),
    Column("share_of_wijk", "float", "share of the wijk's addresses inside the pc4",
           "fraction", minimum=0),
)

IMPULSGEBIEDEN: tuple[Column, ...] = (
    Column("pc4", "int", "4-digit postcode designated as impulsgebied", minimum=1000),
    Column("impulsgebied_2013_2017", "int", "1 = designated for school years 2013-14 to "
           "2016-17", minimum=1),
)

VOGELAAR_INVESTMENT: tuple[Column, ...] = (
    Column("gemeente", "str", "municipality as printed in the law (e.g. 'Den Haag')"),
    Column("wijk", "str", "wijk name as printed in the law"),
    Column("additionele_inzet_mln_eur", "float", "additional housing-corporation investment "
           "in the wijk", "million EUR", minimum=0, exclusive_minimum=True),
    Column("max_subsidie_per_jaar_eur", "float", "maximum yearly subsidy (2011 annex)",
           "EUR/year", minimum=0, exclusive_minimum=True),
)

VOGELAAR_PC4_EVIDENCE: tuple[Column, ...] = (
    Column("gemeente", "str", "municipality"),
    Column("wijk", "str", "Vogelaar wijk as printed in the law"),
    Column("pc4", "int", "postcode named in the quoted source", minimum=1000),
    Column("evidence_kind", "str", "kind of source (cbs_table, wikipedia, ...)"),
    Column("quote", "str", "verbatim text of the source that names the postcode"),
    Column("source", "str", "where the quote was found (URL and remarks)"),
    Column("confidence", "str", "high: tied to the aandachtswijk itself; medium: the "
           "neighbourhood has that postcode; low: over-inclusive list",
           pattern=r"high|medium|low"),
)

WIJKENAANPAK_PUBLISHED: tuple[Column, ...] = (
    Column("study", "str", "study and table"),
    Column("source_url", "str", "article URL", pattern=r"https?://\S+"),
    Column("outcome", "str", "outcome of the estimate"),
    Column("subgroup", "str", "subgroup of target districts"),
    Column("comparison", "str", "control group"),
    Column("estimate", "float", "difference-in-differences estimate", "see scale"),
    Column("ci_low", "float", "lower 95 % confidence limit", "see scale"),
    Column("ci_high", "float", "upper 95 % confidence limit", "see scale"),
    Column("scale", "str", "scale of the estimate"),
    Column("n_target_pc4", "int", "number of target PC4 areas", "count", nullable=True,
           minimum=1),
    Column("notes", "str", "remarks", nullable=True),
    Column("se_from_ci", "float", "SE = (ci_high - ci_low) / 3.92", "see scale", minimum=0,
           exclusive_minimum=True),
)

GRANT_PROGRAMMES: tuple[Column, ...] = (
    Column("titel", "str", "programme (title of the annex)"),
    Column("bijlage", "str", "annex number in the Besluit"),
    Column("eenheid", "str", "municipality as printed ('LIST:' rows only list municipalities)"),
    Column("kolom", "str", "column header of the annex table"),
    Column("jaar", "int", "year parsed from the header (empty if none)", "year",
           nullable=True, minimum=2000),
    Column("bedrag_eur", "float", "allocated amount", "EUR", nullable=True, minimum=0),
    Column("versions", "str", "consolidated versions in which the cell appears (;-separated)"),
    Column("n_distinct_values", "int", "number of distinct values of the cell across "
           "versions", "count", minimum=0),
)

GRANTS_LONG: tuple[Column, ...] = (
    Column("version", "str", "consolidated version of the Besluit (date)",
           pattern=r"\d{4}-\d{2}-\d{2}"),
    Column("commit", "str", "commit of statengeneraal/laws-markdown", pattern=r"[0-9a-f]{40}"),
    Column("bijlage", "str", "annex number"),
    Column("artikel", "str", "article", nullable=True),
    Column("titel", "str", "title of the annex"),
    Column("eenheid", "str", "municipality or province as printed"),
    Column("kolom", "str", "column header"),
    Column("jaar", "int", "year parsed from the header", "year", nullable=True, minimum=2000),
    Column("bedrag_eur", "float", "amount", "EUR", nullable=True, minimum=0),
)

WIJKENAANPAK_TREATMENT: tuple[Column, ...] = (
    Column("wijk_code", "str", "CBS wijk code (2016 boundaries)", pattern=WK_CODE),
    Column("wijk_name", "str", "CBS wijk name (WK_NAAM, 2016)"),
    Column("gemeente_code", "str", "CBS municipality code (2016)", pattern=GM_CODE),
    Column("gemeente_name", "str", "CBS municipality name (GM_NAAM, 2016)"),
    Column("population_2016", "int", "inhabitants 1 Jan 2016 (post-treatment)", "count",
           minimum=0),
    Column("pct_non_western_2016", "float", "% with a non-western migration background, 2016",
           "%", nullable=True, minimum=0),
    Column("vogelaar_wijk", "str", "wijk of the law placed on this CBS wijk (as printed)",
           nullable=True),
    Column("vogelaar_item_2007", "str", "item(s) of the 2007 Wikipedia list matched by the same "
           "name rule (cross-check)", nullable=True),
    Column("tier", "str", "placement tier: exact, partial, manual (sourced), contains (the "
           "Vogelaar area lies inside this larger wijk) or unmatched",
           pattern=r"exact|partial|manual|contains|unmatched"),
    Column("treated_strict", "int", "1 = exact match of a wijk-sized CBS wijk", minimum=0),
    Column("treated_broad", "int", "1 = exact, partial or sourced manual match", minimum=0),
    Column("investment_mln_eur", "float", "share of the Vogelaar wijk's additional corporation "
           "investment, split by 2016 population", "million EUR", minimum=0),
    Column("investment_eur_per_resident", "float", "investment per inhabitant of 1 Jan 2016 "
           "(post-treatment)", "EUR/person", nullable=True, minimum=0),
    Column("gemeente_has_unplaced_vogelaar", "int", "1 = a Vogelaar wijk of this municipality "
           "is unmatched, so any of its wijken may hold it (not clean controls)", minimum=0),
    Column("match_source", "str", "rule or quoted source of the placement", nullable=True),
)

SCHEMAS: dict[str, tuple[Column, ...]] = {
    "paluck2019_contact_studies": CONTACT_STUDIES,
    "cbs_gemeente_2024_population_origin_households_income": CBS_GEMEENTE_2024,
    "cbs_kwb2024_wijk_population_origin": CBS_WIJK_2024,
    "cbs_kwb2024_buurt_population_origin": CBS_BUURT_2024,
    "derived_gemeente_segregation_indices_kwb2024": DERIVED_SEGREGATION_2024,
    "cbs_kwb2019_amsterdam_wijk_buurt_housing_origin": AMSTERDAM_2019,
    "cbs_kwb2012_2017_2019_gemeente_housing": GEMEENTE_HOUSING,
    "leefbaarometer_3.0_2020_buurt_utrecht_province": LEEFBAAROMETER_UTRECHT,
    "vogelaar_krachtwijken_2007": VOGELAAR_2007,
    "rotterdamwet_municipalities": ROTTERDAMWET,
    "published_effects_dispersal": PUBLISHED_EFFECTS,
    "leefbaarometer2_wijk_classes_2002-2016": LBM2_WIJK_CLASSES,
    "leefbaarometer2_gemeente_classes_2002-2016": LBM2_GEMEENTE_CLASSES,
    "leefbaarometer2_wijk_scores_2012-2016": LBM2_WIJK_SCORES,
    "cbs_wijk_2016_attributes": CBS_WIJK_2016,
    "cbs_gemeente_2016_attributes": CBS_GEMEENTE_2016,
    "leefbaarometer3_pc4_2002-2022": LBM3_PC4,
    "cbs_pc4_2023": CBS_PC4_2023,
    "pc4_to_gemeente_2023": PC4_GEMEENTE_2023,
    "pc4_wijk_addresses_2017": PC4_WIJK_ADDRESSES,
    "impulsgebieden_pc4_2013-2017": IMPULSGEBIEDEN,
    "vogelaar_40wijken_bcf_investment": VOGELAAR_INVESTMENT,
    "vogelaar_pc4_evidence": VOGELAAR_PC4_EVIDENCE,
    "wijkenaanpak_published_estimates": WIJKENAANPAK_PUBLISHED,
    "bdiu_integration_neighbourhood_programmes": GRANT_PROGRAMMES,
    "bdiu_municipal_grants_2006-2015_long": GRANTS_LONG,
    "derived_wijkenaanpak_treatment_wijk2016": WIJKENAANPAK_TREATMENT,
    "simulated_registry": SIMULATED_REGISTRY,
}
"""Schema of every resource in ``data/datapackage.json``, by resource name."""
