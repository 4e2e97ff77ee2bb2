"""What the decision needs before anything is fitted: dose, thresholds, municipality, data.

The checks of ``python -m analysis decide``'s inputs (:func:`check_dose`,
:func:`check_thresholds`, :func:`find_municipality`), how far a municipality and a dose lie
from the 18 Vogelaar municipalities the posterior learns from (:class:`Extrapolation`), and the
builder inputs of the headline event study (:func:`event_study_inputs`). Pure pandas and NumPy:
the command line validates everything here before the fit's modules (PyMC) are imported. The
prediction and the report are in :mod:`analysis.results.decision`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import data
from analysis.config import DATA_DIR
from analysis.data import DataError, load_municipalities_2016, postcodes
from analysis.data.postcodes import REFERENCE_YEAR
from analysis.data.treatment import load_wijkenaanpak_treatment
from analysis.inference.settings import HEADLINE

MAX_DOSE_EUR = 10_000.0
"""Largest dose accepted (EUR per resident); the Vogelaar doses are a few hundred euros."""


EFFECT_UNIT = "LBM 3.0 units"


@dataclass(frozen=True)
class DoseScale:
    """How the fit standardised the dose: ``q = (dose - mean) / sd``.

    Attributes
    ----------
    mean, sd : float
        Mean and SD (EUR per resident) used to standardise the dose in the fit.
    low, high : float
        Smallest and largest dose among the fit's treated units (EUR per resident): outside
        this range a prediction is an extrapolation.
    description : str
        What the dose is (e.g. extra corporation investment per 2016 resident of the treated
        wijken).
    """

    mean: float
    sd: float
    low: float
    high: float
    description: str = "extra corporation investment per resident (EUR), post-treatment population"

    def standardise(self, dose_eur: float) -> float:
        """Return the standardised dose of ``dose_eur`` EUR per resident."""
        return (float(dose_eur) - self.mean) / self.sd

    def inside(self, dose_eur: float) -> bool:
        """Whether the dose lies within the fit's range of treated doses."""
        return self.low <= float(dose_eur) <= self.high


def check_dose(dose_eur: float) -> float:
    """Validate a dose in EUR per resident (finite, >= 0, below :data:`MAX_DOSE_EUR`).

    Raises
    ------
    analysis.data.DataError
        With a one-line message naming the option.
    """
    try:
        value = float(dose_eur)
    except (TypeError, ValueError) as err:
        raise DataError(f"--dose-eur-per-resident: expected a number, got {dose_eur!r}") from err
    if not math.isfinite(value) or value < 0:
        raise DataError(f"--dose-eur-per-resident: must be a finite number >= 0 (EUR per "
                        f"resident), got {dose_eur!r}")
    if value > MAX_DOSE_EUR:
        raise DataError(f"--dose-eur-per-resident: {value:g} EUR per resident is implausible "
                        f"(> {MAX_DOSE_EUR:,.0f}); the Vogelaar doses were a few hundred euros "
                        "per resident")
    return value


def check_thresholds(thresholds: Sequence[float | str] | None) -> list[float]:
    """Validate thresholds (LBM 3.0 units, finite, ``|T| <= 1``); default ``[0.0]``."""
    values = []
    for t in thresholds or [0.0]:
        try:
            values.append(float(t))
        except (TypeError, ValueError) as err:
            raise DataError(f"--threshold: expected a number ({EFFECT_UNIT}), got {t!r}") from err
    for t in values:
        if not math.isfinite(t) or abs(t) > 1.0:
            raise DataError(f"--threshold: {t:g} is outside the plausible range of effects "
                            f"(|T| <= 1 {EFFECT_UNIT})")
    return sorted(set(values))


MUNICIPAL_COVARIATES: dict[str, tuple[str, str, bool]] = {
    "population": ("AANT_INW", "residents 2016", True),
    "address_density": ("OAD", "address density 2016 (addresses per km2)", True),
    "non_western_pct": ("P_N_W_AL", "non-western migration background 2016 (%)", False),
}
"""Municipal covariates compared with the 18: ``name -> (CBS column, label, on log scale)``.

The model's prediction uses only the dose; it treats a new municipality as exchangeable with
the 18 Vogelaar municipalities (large cities chosen for their worst-off neighbourhoods). These
CBS attributes of 2016 (``cbs_gemeente_2016_attributes``) say how far a municipality is from
those 18: size, urbanity and the share of residents the programme's neighbourhoods were
known for. Population and density are compared on the log scale (their spread is
multiplicative).
"""


def municipal_covariates(gemeenten: pd.DataFrame) -> pd.DataFrame:
    """Return :data:`MUNICIPAL_COVARIATES` of every municipality, indexed by ``GM_CODE``.

    Columns are the covariate names, on their natural scale, plus ``name`` (``GM_NAAM``).
    """
    table = gemeenten.set_index("GM_CODE")
    out = pd.DataFrame({key: table[column].astype(float)
                        for key, (column, _, _) in MUNICIPAL_COVARIATES.items()})
    out.insert(0, "name", table["GM_NAAM"].astype(str))
    return out


def find_municipality(gemeenten: pd.DataFrame, query: str) -> str:
    """Return the ``GM_CODE`` of a municipality of 2016 given its code or its name.

    Codes are matched with or without the ``GM`` prefix (``GM0363``, ``0363``, ``363``); names
    case-insensitively (``'s-Gravenhage``, ``amsterdam``).

    Raises
    ------
    analysis.data.DataError
        One line naming the option, when nothing (or more than one municipality) matches.
    """
    text = str(query).strip()
    codes = gemeenten["GM_CODE"].astype(str)
    digits = text[2:] if text.upper().startswith("GM") else text
    if digits.isdigit():
        code = f"GM{int(digits):04d}"
        if (codes == code).any():
            return code
    names = gemeenten["GM_NAAM"].astype(str).str.casefold()
    hits = codes[names == text.casefold()]
    if len(hits) == 1:
        return str(hits.iloc[0])
    raise DataError(f"--municipality: {query!r} is not a municipality of 2016 (CBS "
                    f"cbs_gemeente_2016_attributes, {len(codes)} municipalities); give a code "
                    "such as GM0363 or a name such as Amsterdam")


def _standardised(values: pd.DataFrame, centre: pd.Series, spread: pd.Series) -> pd.DataFrame:
    logged = [k for k, (_, _, log) in MUNICIPAL_COVARIATES.items() if log]
    out = values[list(MUNICIPAL_COVARIATES)].astype(float).copy()
    out[logged] = np.log(out[logged])
    return (out - centre) / spread


@dataclass(frozen=True)
class Extrapolation:
    """How far a dose and (optionally) a municipality lie from what the posterior learnt from.

    Attributes
    ----------
    dose_eur : float
        The dose asked for (EUR per resident).
    dose_z : float
        That dose in SDs of the exposed postcodes' doses from their mean (the model's
        standardised dose, :meth:`DoseScale.standardise`).
    dose_low, dose_high : float
        Range of the exposed postcodes' doses.
    municipality : str or None
        Name of the municipality checked (None: only the dose is checked).
    covariates : pandas.DataFrame
        One row per municipal covariate: ``value``, ``low``, ``high`` (range over the 18),
        ``z`` (standardised with the 18's mean and SD, log scale where stated) and
        ``outside``; empty without a municipality.
    nearest : str or None
        Name of the nearest of the 18 in standardised covariates.
    nearest_distance : float
        Euclidean distance to it, in standardised units (NaN without a municipality).
    nearest_reference : float
        The largest nearest-neighbour distance among the 18 themselves (each to the nearest
        other one): a distance above it is further than any of the 18 is from the others.
    mahalanobis : float
        Mahalanobis distance of the covariates to the centre of the 18 (their covariance).
    mahalanobis_reference : float
        The largest Mahalanobis distance of one of the 18 to their centre.
    in_reference : bool
        Whether the municipality is one of the 18.
    """

    dose_eur: float
    dose_z: float
    dose_low: float
    dose_high: float
    municipality: str | None = None
    covariates: pd.DataFrame = field(default_factory=pd.DataFrame)
    nearest: str | None = None
    nearest_distance: float = float("nan")
    nearest_reference: float = float("nan")
    mahalanobis: float = float("nan")
    mahalanobis_reference: float = float("nan")
    in_reference: bool = False

    @property
    def dose_outside(self) -> bool:
        """Whether the dose lies outside the exposed postcodes' range."""
        return not (self.dose_low <= self.dose_eur <= self.dose_high)

    @property
    def outside(self) -> list[str]:
        """Names of the inputs outside the observed range (``dose`` and covariates)."""
        names = ["dose"] if self.dose_outside else []
        if not self.covariates.empty:
            names += list(self.covariates.index[self.covariates["outside"]])
        return names

    def warning(self) -> str | None:
        """One line for the command line when an input lies outside the range, else None."""
        if not self.outside:
            return None
        parts = []
        if self.dose_outside:
            side = "above" if self.dose_eur > self.dose_high else "below"
            parts.append(f"dose {self.dose_eur:,.0f} EUR per resident is {side} the fitted range "
                         f"{self.dose_low:,.0f} to {self.dose_high:,.0f} ({self.dose_z:+.1f} SD "
                         "from the mean dose)")
        outside = self.covariates[self.covariates["outside"]] if not self.covariates.empty \
            else self.covariates
        for key, row in outside.iterrows():
            side = "above" if row["value"] > row["high"] else "below"
            parts.append(f"{MUNICIPAL_COVARIATES[key][1]} {row['value']:,.0f} is {side} the 18's "
                         f"range {row['low']:,.0f} to {row['high']:,.0f}")
        if self.municipality is not None:
            parts.append(f"standardised distance to the nearest of the 18 ({self.nearest}) "
                         f"{self.nearest_distance:.1f} (at most {self.nearest_reference:.1f} "
                         f"among the 18), Mahalanobis distance to their centre "
                         f"{self.mahalanobis:.1f} (at most {self.mahalanobis_reference:.1f})")
        who = f"{self.municipality}: " if self.municipality else ""
        return "warning: extrapolation: " + who + "; ".join(parts) + \
            "; the prediction assumes a municipality like the 18 Vogelaar municipalities"

    def summary(self) -> pd.DataFrame:
        """Return the checks as a table: one row per input (dose, then each covariate)."""
        rows = [{"input": "dose (EUR per resident)", "value": self.dose_eur,
                 "low": self.dose_low, "high": self.dose_high, "z": self.dose_z,
                 "outside": self.dose_outside}]
        for key, row in self.covariates.iterrows():
            rows.append({"input": MUNICIPAL_COVARIATES[key][1], **row.to_dict()})
        return pd.DataFrame(rows).set_index("input")


def reference_covariates(changes: pd.DataFrame, gemeenten: pd.DataFrame) -> pd.DataFrame:
    """Return :func:`municipal_covariates` of the municipalities in the fit (the 18)."""
    codes = pd.unique(changes["gm_code"])
    return municipal_covariates(gemeenten).loc[codes]


def check_extrapolation(
    dose_eur: float,
    scale: DoseScale,
    reference: pd.DataFrame,
    municipality: pd.Series | None = None,
) -> Extrapolation:
    """Compare a dose and a municipality's covariates with what the posterior learnt from.

    Parameters
    ----------
    dose_eur : float
        Dose in EUR per resident (compared with the exposed postcodes' range of ``scale``).
    scale : DoseScale
        Dose standardisation and range of the fit.
    reference : pandas.DataFrame
        :func:`reference_covariates` of the fit's municipalities (the 18).
    municipality : pandas.Series, optional
        One row of :func:`municipal_covariates` (its ``name`` and covariates).

    Returns
    -------
    Extrapolation
        Per-covariate ranges, standardised distance to the nearest of the 18 and the
        Mahalanobis distance to their centre, each with the same distance of the 18
        themselves for reference.
    """
    dose = float(dose_eur)
    base = {"dose_eur": dose, "dose_z": scale.standardise(dose), "dose_low": scale.low,
            "dose_high": scale.high}
    if municipality is None:
        return Extrapolation(**base)
    keys = list(MUNICIPAL_COVARIATES)
    logged = [k for k in keys if MUNICIPAL_COVARIATES[k][2]]
    natural = reference[keys].astype(float)
    transformed = natural.copy()
    transformed[logged] = np.log(transformed[logged])
    centre, spread = transformed.mean(), transformed.std(ddof=1)
    z_ref = _standardised(reference, centre, spread).to_numpy()
    point = municipality[keys].astype(float).to_frame().T
    z = _standardised(point, centre, spread).to_numpy()[0]
    distances = np.sqrt(((z_ref - z) ** 2).sum(axis=1))
    pairwise = np.sqrt(((z_ref[:, None, :] - z_ref[None, :, :]) ** 2).sum(axis=2))
    np.fill_diagonal(pairwise, np.inf)
    precision = np.linalg.inv(np.cov(z_ref, rowvar=False))
    mahal_ref = np.sqrt(np.einsum("ij,jk,ik->i", z_ref, precision, z_ref))
    value = municipality[keys].astype(float)
    low, high = natural.min(), natural.max()
    covariates = pd.DataFrame({"value": value, "low": low, "high": high, "z": z,
                               "outside": (value < low) | (value > high)})
    nearest = int(np.argmin(distances))
    return Extrapolation(
        **base, municipality=str(municipality["name"]), covariates=covariates,
        nearest=str(reference["name"].iloc[nearest]), nearest_distance=float(distances[nearest]),
        nearest_reference=float(pairwise.min(axis=1).max()),
        mahalanobis=float(np.sqrt(z @ precision @ z)),
        mahalanobis_reference=float(mahal_ref.max()),
        in_reference=bool(municipality.name in reference.index),
    )


def extrapolation_for(dose_eur: float, municipality: str | None = None,
                      changes: pd.DataFrame | None = None) -> Extrapolation:
    """:func:`check_extrapolation` from the book's data files (the fit's 18 municipalities).

    Parameters
    ----------
    dose_eur : float
        Dose in EUR per resident.
    municipality : str, optional
        GM code or name of a municipality of 2016 (:func:`find_municipality`).
    changes : pandas.DataFrame, optional
        :func:`load_changes`, if already loaded.
    """
    changes = load_changes() if changes is None else changes
    _, scale, _ = event_study_inputs(changes)
    gemeenten = load_municipalities_2016()
    point = None
    if municipality is not None:
        point = municipal_covariates(gemeenten).loc[find_municipality(gemeenten, municipality)]
    return check_extrapolation(dose_eur, scale, reference_covariates(changes, gemeenten), point)


HEADLINE_DEFINITION = "broad"
"""Treatment definition of the headline fit (exact, partial and sourced manual matches)."""


def event_study_inputs(
    changes: pd.DataFrame, definition: str = HEADLINE_DEFINITION
) -> tuple[dict, DoseScale, dict[str, str]]:
    """Builder inputs of the event study from the postcode changes, and the dose scale.

    Parameters
    ----------
    changes : pandas.DataFrame
        :func:`analysis.data.postcodes.event_changes` (sorted by ``pc4, year``).
    definition : {"broad", "strict"}
        Treatment definition: exposure ``exposure_<definition>``, dose ``dose_<definition>``.

    Returns
    -------
    tuple
        ``(data, scale, notes)``: keyword arguments of
        :func:`~analysis.models.event_study.build_event_study` (reference year 2008, baseline
        ``baseline_c``, dose standardised over the exposed postcodes; 0 for unexposed ones,
        whose dose term vanishes with their exposure), the :class:`DoseScale` and notes.
    """
    x = changes[f"exposure_{definition}"].to_numpy(dtype=float)
    dose = changes[f"dose_{definition}"].to_numpy(dtype=float)
    units = changes.drop_duplicates("pc4")
    exposed = units[units[f"exposure_{definition}"] > 0]
    doses = exposed[f"dose_{definition}"].to_numpy(dtype=float)
    scale = DoseScale(
        mean=float(doses.mean()), sd=float(doses.std(ddof=1)), low=float(doses.min()),
        high=float(doses.max()),
        description="extra housing-corporation investment per 2016 resident of the treated "
        "wijken covering the area (post-treatment population)",
    )
    q = np.where(x > 0, (dose - scale.mean) / scale.sd, 0.0)
    data = {
        "change": changes["change"].to_numpy(dtype=float), "unit": changes["pc4"].to_numpy(),
        "year": changes["year"].to_numpy(dtype=int), "exposure": x,
        "group": changes["gm_code"].to_numpy(), "reference_year": REFERENCE_YEAR,
        "baseline": changes["baseline_c"].to_numpy(dtype=float), "dose": q,
    }
    notes = {
        "sample": f"{units.shape[0]} postcodes of {units['gm_code'].nunique()} municipalities, "
        f"{exposed.shape[0]} exposed ({definition} definition), {len(changes)} postcode-years",
        "reference year": str(REFERENCE_YEAR),
    }
    return data, scale, notes


def exposed_doses(changes: pd.DataFrame, definition: str = HEADLINE_DEFINITION) -> pd.Series:
    """Dose (EUR per 2016 resident) of each exposed postcode, indexed by ``pc4``."""
    units = changes.drop_duplicates("pc4").set_index("pc4")
    return units.loc[units[f"exposure_{definition}"] > 0, f"dose_{definition}"]


def load_changes(data_dir: Path | None = None) -> pd.DataFrame:
    """Load the data files and return the postcode changes of the wijkenaanpak event study."""
    folder = DATA_DIR if data_dir is None else Path(data_dir)
    exposure = postcodes.pc4_exposure(data.load_pc4_wijk_addresses(folder),
                                      load_wijkenaanpak_treatment(folder))
    panel = postcodes.build_postcode_panel(data.load_lbm3_pc4(folder), exposure)
    return postcodes.event_changes(panel)


def headline_inputs() -> tuple[dict, DoseScale, dict, dict[str, str]]:
    """Return the headline builder inputs, dose scale, sampler settings and notes."""
    data, scale, notes = event_study_inputs(load_changes())
    return data, scale, dict(HEADLINE), notes
