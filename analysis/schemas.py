"""Schemas of the book's data files: one tuple of :class:`~analysis.data.Column` per file."""

from __future__ import annotations

from analysis.data import Column

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

SCHEMAS: dict[str, tuple[Column, ...]] = {
    "paluck2019_contact_studies": CONTACT_STUDIES,
}
"""Schema of every resource in ``data/datapackage.json``, by resource name."""
