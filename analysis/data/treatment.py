r"""Treatment definition of the 40 wijken of the wijkenaanpak on the CBS wijken of 2016.

The law that fixed the extra housing-corporation investment of the wijkenaanpak (Besluit
Centraal Fonds voor de Volkshuisvesting, annex; ``vogelaar_40wijken_bcf_investment``) names 40
wijken in 18 municipalities but gives no geography. This module places them on the 2,981 CBS
wijken of 2016 (``cbs_wijk_2016_attributes``, the geography of Leefbaarometer 2.0) by one
documented rule, and writes one row per CBS wijk of the 18 municipalities
(``data/derived_wijkenaanpak_treatment_wijk2016.csv``, made by ``scripts/make_data.py``).

Rule
----
1. **Municipality.** A Vogelaar wijk is matched only to CBS wijken of its own municipality; the
   law's municipality names are mapped to CBS 2016 names (``"Den Haag"`` ->
   ``"'s-Gravenhage"``, GM0518; all others are spelled as in CBS).
2. **Names are normalised** (:func:`normalise`): accents removed, lower case, the CBS prefix
   ``"Wijk NN "`` and the generic words ``stadsdeel``, ``buitenwijk``, ``e.o.``, ``delen van``
   and the municipality's own name (``"Amsterdam-Oost"`` -> ``"oost"``) dropped, a leading
   article (``de``, ``het``, ``'t``) dropped, text in parentheses dropped, punctuation to
   spaces. A Vogelaar name is split into parts at ``/``, ``&`` and ``-``
   (``"Wielwijk/Crabbehof"`` -> ``wielwijk`` + ``crabbehof``; ``"Velve-Lindenhof"`` ->
   ``velve`` + ``lindenhof``), never at ``en`` (``"Bos en Lommer"`` stays one part).
   For the token comparison a token's generic suffix ``wijk``, ``buurt`` or ``kwartier`` is cut
   when at least four letters remain (``schilderswijk`` and ``schildersbuurt`` both ->
   ``schilders``; ``transvaalkwartier`` -> ``transvaal``).
3. **District-sized names are never matched automatically** (:data:`DISTRICT_NAMES`:
   ``Noord``, ``West``, ``Oost``, ``Zuid-West``, ``Nieuw-West``, ``Noordoost``,
   ``Zuidelijke Tuinsteden``, ``Oud Zuid``, ...): neither the whole name nor a part that
   normalises to one of them, nor a part made of direction words only.
4. **Tiers** of a (Vogelaar wijk, CBS wijk) pair, first that applies:

   * ``exact`` -- the normalised whole names are equal and the CBS wijk is wijk-sized
     (at most :data:`WIJK_SIZED_MAX_POPULATION` residents on 1 Jan 2016). If a Vogelaar wijk
     has an exact match, only that CBS wijk is kept.
   * ``partial`` -- the tokens of one part of the Vogelaar name (after suffix cutting) occur as
     a contiguous run in the CBS name: the CBS wijk is a part of the Vogelaar area
     (``Presikhaaf`` -> ``Presikhaaf West`` + ``Presikhaaf Oost``; ``Bijlmer`` -> ``Bijlmer
     Centrum (D,F,H)`` + ``Bijlmer Oost (E,G,K)``) or shares a named part with it
     (``Wielwijk/Crabbehof`` -> ``Wielwijk`` + ``Crabbehof/Zuidhoven``; ``Rivierenwijk`` ->
     ``Rivierenwijk en Bergweide``), or has the same stem (``Schilderswijk`` ->
     ``Schildersbuurt``, ``Transvaal`` -> ``Transvaalkwartier``). Wijk-sized CBS wijken only.
     ``Woensel West`` is not matched to ``Stadsdeel Woensel-Zuid``: the whole part
     ``woensel west`` must occur.
   * ``contains`` -- the Vogelaar area lies inside a larger CBS wijk: a name match (either of
     the above, or the CBS name's tokens inside a Vogelaar part whose other tokens are
     direction words only) with a CBS wijk of more than :data:`WIJK_SIZED_MAX_POPULATION`
     residents, or a sourced manual row of kind ``contains``.
   * ``manual`` -- a sourced manual resolution (:data:`MANUAL_MATCHES`) of a Vogelaar wijk
     the name rule leaves unmatched, in which the CBS wijken *are* the area. Every manual row
     (``manual`` or ``contains``) quotes its source verbatim: an item of the 2007 Wikipedia
     list (``vogelaar_krachtwijken_2007``) that names CBS wijken; a public page that names the
     stadsdeel / gebied / wijk holding the area (the municipality's own wijk pages for
     Utrecht, Rotterdam's gebied pages, neighbourhood sites for Eindhoven), where that unit's
     name equals a CBS wijk name; or postcodes of confidence ``high``/``medium`` in
     ``vogelaar_pc4_evidence`` put on CBS wijken with the 2017 postcode x wijk address table:
     a CBS wijk is matched when at least :data:`PC4_MIN_SHARE_OF_WIJK` of its addresses lie
     in the quoted postcodes; if the postcodes lie inside one CBS wijk (at least
     :data:`PC4_MIN_SHARE_OF_PC4` of their addresses) that holds less than that share, the
     Vogelaar area lies inside it (``contains``).
   * ``unmatched`` -- no rule applies (the issue's tier *none*; the word ``none`` would read
     as a missing value in the data files). Such a Vogelaar wijk lies somewhere in its
     municipality, whose wijken are therefore not clean controls
     (``gemeente_has_unplaced_vogelaar`` = 1); a ``contains`` wijk is not a clean control
     either.

   Low-confidence postcodes are not used (they come from over-inclusive district lists).
5. **The 41 items of the 2007 Wikipedia list** are matched by the same rule as a cross-check
   (column ``vogelaar_item_2007``); an item-only match carries no money and is never treated
   (2007 item ``Crooswijk`` lies in the 53,165-resident CBS wijk ``Kralingen-Crooswijk``:
   ``contains``).

Indicators and dose
-------------------
* ``treated_strict`` = 1 for ``exact`` rows (exact implies wijk-sized).
* ``treated_broad`` = 1 for ``exact``, ``partial`` and ``manual`` rows with a Vogelaar wijk of
  the law. ``contains`` rows are in neither: most of such a CBS wijk was not a target area.
* ``investment_mln_eur``: the Vogelaar wijk's additional corporation investment split over its
  matched CBS wijken (every tier but ``unmatched``) in proportion to their **2016
  population**; 0 for rows without a Vogelaar wijk. ``investment_eur_per_resident`` divides
  it by the same 2016 population (missing if that is 0). Both weights are
  **post-treatment** (the programme ran 2007-2012): they describe where people lived after
  the programme, not before.

:func:`vogelaar_summary` (or :func:`vogelaar_summary_from_data`) gives the 40 Vogelaar wijken
with their tier, matched CBS wijk codes and money; :func:`tier_table` counts the tiers and their
share of the EUR 250 mln; :func:`load_wijkenaanpak_treatment` loads the committed table.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from analysis.config import DATA_DIR
from analysis.data import DataError, load_resource

RESOURCE = "derived_wijkenaanpak_treatment_wijk2016"
"""Resource name (file stem in ``data/``) of the treatment table."""

WIJK_SIZED_MAX_POPULATION = 40_000
"""Largest 2016 population of a 'wijk-sized' CBS wijk (Overvecht, the largest exact match, has
34,235; the Rotterdam and Eindhoven district-level wijken that hold several Vogelaar areas have
43,580-95,000)."""

PC4_MIN_SHARE_OF_WIJK = 0.5
"""A CBS wijk is matched to quoted postcodes when at least this share of its addresses lie there."""

PC4_MIN_SHARE_OF_PC4 = 0.9
"""Quoted postcodes lie 'inside' a CBS wijk when at least this share of their addresses do."""

TIERS = ("exact", "partial", "manual", "contains", "unmatched")
"""Tiers, from the most to the least certain placement."""

DISTRICT_NAMES = frozenset({
    "noord", "west", "oost", "zuid", "zuid west", "zuidwest", "nieuw west", "noordoost",
    "noordwest", "zuidoost", "zuidelijke tuinsteden", "westelijke tuinsteden", "oud zuid",
    "centrum",
})
"""Normalised district-sized names that are never matched automatically."""

DIRECTION_WORDS = frozenset({
    "noord", "zuid", "oost", "west", "noordoost", "noordwest", "zuidoost", "zuidwest",
    "midden", "centrum",
})
"""Tokens that only qualify a place name (a part made of these alone is never matched)."""

GEMEENTE_ALIASES = {"Den Haag": "'s-Gravenhage"}
"""Municipality names of the law that differ from the CBS 2016 name."""

_GENERIC_PREFIXES = ("stadsdeel ", "buitenwijk ", "delen van ")
_ARTICLES = ("de ", "het ", "t ")
_SUFFIXES = ("kwartier", "buurt", "wijk")


@dataclass(frozen=True)
class ManualMatch:
    """A sourced resolution of one Vogelaar wijk that the name rule leaves unmatched.

    Parameters
    ----------
    gemeente, vogelaar_wijk : str
        The wijk as printed in the law.
    wijk_codes : tuple of str
        CBS 2016 wijk codes it is placed on.
    tier : {"manual", "contains"}
        ``manual``: the codes are the area; ``contains``: the area lies inside them.
    quote : str
        Verbatim source text.
    source : str
        Where the quote is (URL and data file).
    reasoning : str
        How the quote ties the area to the codes (names equal, address shares).
    pc4 : tuple of int
        Quoted postcodes, if the evidence is postcodes.
    """

    gemeente: str
    vogelaar_wijk: str
    wijk_codes: tuple[str, ...]
    tier: Literal["manual", "contains"]
    quote: str
    source: str
    reasoning: str
    pc4: tuple[int, ...] = ()


MANUAL_MATCHES: tuple[ManualMatch, ...] = (
    ManualMatch(
        "Den Haag", "Zuid-West", ("WK051833", "WK051834", "WK051836"), "manual",
        quote="Zuidwest (Bouwlust, Vrederust, Morgenstond en Moerwijk)",
        source="https://nl.wikipedia.org/wiki/Vogelaarwijk (data/vogelaar_krachtwijken_2007.csv, "
        "item 14)",
        reasoning="the four named areas are the CBS 2016 wijken 33 'Bouwlust en Vrederust', "
        "34 'Morgenstond' and 36 'Moerwijk' (normalised names equal)",
    ),
    ManualMatch(
        "Amsterdam", "Bos en Lommer",
        ("WK036337", "WK036338", "WK036339", "WK036340", "WK036341"), "manual",
        quote="Overig Postcode(s) 1055, 1056 en 1061 Website http://west.amsterdam.nl/",
        source="https://anonyproxies.com/a2/index.php?q=https%3A%2F%2Fnl.m.wikipedia.org%2Fwiki"
        "%2FBos_en_Lommer (proxy copy of nl.m.wikipedia.org/wiki/Bos_en_Lommer; "
        "data/vogelaar_pc4_evidence.csv, confidence medium)",
        reasoning="PC4 1055, 1056, 1061 hold >= 99.97 % of the 2017 addresses of Landlust, "
        "Erasmuspark, De Kolenkit, Geuzenbuurt and Van Galenbuurt; Overtoomse Veld (40.5 %) "
        "stays below the 50 % rule",
        pc4=(1055, 1056, 1061),
    ),
    ManualMatch(
        "Nijmegen", "Hatert", ("WK026806",), "contains",
        quote="Commune Nimègue Province Gueldre Code postal 6535",
        source="https://fr.wikipedia.org/wiki/Hatert (data/vogelaar_pc4_evidence.csv, "
        "confidence medium)",
        reasoning="all addresses of PC4 6535 (2017) lie in WK026806 'Nijmegen-Zuid', but they "
        "are only 33.5 % of its addresses: Hatert lies inside the larger wijk",
        pc4=(6535,),
    ),
    ManualMatch(
        "Utrecht", "Kanaleneiland", ("WK034408",), "contains",
        quote="De wijk Zuidwest bestaat uit de buurten Kanaleneiland, Merwede, Transwijk, "
        "Rivierenwijk en Dichterswijk.",
        source="https://omgevingsvisie.utrecht.nl/gebiedsbeleid/gebiedsbeleid-wijk-zuidwest/"
        "beschrijving-van-wijk-zuidwest/",
        reasoning="the municipality's wijk Zuidwest is CBS wijk 08 'Zuidwest' (37,330 "
        "residents); Kanaleneiland is one of its buurten",
    ),
    ManualMatch(
        "Utrecht", "Ondiep", ("WK034402",), "contains",
        quote="De wijk Noordwest bestaat uit de buurten Zuilen, Ondiep en Pijlsweerd.",
        source="https://www.utrecht.nl/wonen-en-leven/wijken/wijk-noordwest/",
        reasoning="the municipality's wijk Noordwest is CBS wijk 02 'Noordwest' (43,330 "
        "residents); Ondiep is one of its buurten",
    ),
    ManualMatch(
        "Utrecht", "Zuilen Oost", ("WK034402",), "contains",
        quote="De wijk Noordwest bestaat uit de buurten Zuilen, Ondiep en Pijlsweerd.",
        source="https://www.utrecht.nl/wonen-en-leven/wijken/wijk-noordwest/",
        reasoning="Zuilen Oost is the eastern part of Zuilen (name rule: 'zuilen' + the "
        "direction word 'oost'), a buurt of CBS wijk 02 'Noordwest' (43,330 residents)",
    ),
    ManualMatch(
        "Eindhoven", "Doornakkers", ("WK077213",), "contains",
        quote="Doornakkers is een redelijk grote woonwijk binnen het stadsdeel Tongelre met "
        "7.000 inwoners",
        source="https://woenselse-heide.nl/doornakkers-nl/over-doornakkers",
        reasoning="stadsdeel Tongelre is CBS wijk 13 'Stadsdeel Tongelre' (21,530 residents)",
    ),
    ManualMatch(
        "Eindhoven", "Bennekel", ("WK077217",), "contains",
        quote="In het stadsdeel Gestel ligt buiten de Eindhovense rondweg de aandachtswijk De "
        "Bennekel.",
        source="https://vijfkeerblauw.onlinetouch.nl/1/71",
        reasoning="stadsdeel Gestel is CBS wijk 17 'Stadsdeel Gestel' (27,615 residents)",
    ),
    ManualMatch(
        "Rotterdam", "Vreewijk", ("WK059910",), "contains",
        quote="Vreewijk is een groene wijk in het zuiden van gebied Feijenoord.",
        source="https://rotterdam.nl/wonen-leven/vreewijk/",
        reasoning="gebied Feijenoord is CBS wijk 10 'Feijenoord' (73,490 residents)",
    ),
    ManualMatch(
        "Rotterdam", "Zuidelijke Tuinsteden", ("WK059915",), "contains",
        quote="Zuidelijke Tuinsteden (Pendrecht en Zuidwijk) | Charlois heeft ca. 66.000 "
        "inwoners en bestaat uit zeven grote woonwijken: de vooroorlogse wijken Oud-Charlois, "
        "Carnisse, Tarwewijk, Heijplaat en de naoorlogse tuindorpen Pendrecht en Zuidwijk, "
        "alsmede het nooddorp de Wielewaal.",
        source="https://nl.wikipedia.org/wiki/Vogelaarwijk (data/vogelaar_krachtwijken_2007.csv, "
        "item 35) | http://stichting-nac.nl/cms/location/pfitem.php?iid=51&lng=NL",
        reasoning="the 2007 list names Pendrecht and Zuidwijk; both are woonwijken of "
        "(deel)gemeente Charlois, CBS wijk 15 'Charlois' (66,180 residents)",
    ),
)
"""Sourced manual resolutions (checked against the data files in
``tests/analysis/data/test_treatment.py``)."""

OUTPUT_COLUMNS = (
    "wijk_code", "wijk_name", "gemeente_code", "gemeente_name", "population_2016",
    "pct_non_western_2016", "vogelaar_wijk", "vogelaar_item_2007", "tier", "treated_strict",
    "treated_broad", "investment_mln_eur", "investment_eur_per_resident",
    "gemeente_has_unplaced_vogelaar", "match_source",
)
"""Columns of the treatment table, in file order."""


def normalise(name: str, gemeente: str | None = None) -> str:
    """Return the normalised form of a wijk name (see the module docstring, rule 2).

    Parameters
    ----------
    name : str
        Name as printed (CBS ``WK_NAAM``, the law, or the 2007 list).
    gemeente : str, optional
        Municipality name; a leading ``"<gemeente>-"`` or ``"<gemeente> "`` is dropped.

    Returns
    -------
    str
        Lower-case words separated by single spaces; compound separators ``/``, ``&``, ``-``
        are kept as ``" / "`` so that :func:`name_parts` can split on them.

    Examples
    --------
    >>> normalise("Wijk 32 Meezenbroek-Schaesbergerveld")
    'meezenbroek / schaesbergerveld'
    >>> normalise("delen van Amsterdam-Oost", "Amsterdam")
    'oost'
    >>> normalise("Het Arnhemse Broek")
    'arnhemse broek'
    """
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = re.sub(r"\([^)]*\)", " ", text)
    text = re.sub(r"^\s*wijk\s+\d+\s+", "", text)
    text = re.sub(r"\be\.\s*o\.?", " ", text)
    text = re.sub(r"\s*[/&]\s*|\s+-\s+|(?<=\w)-(?=\w)", " / ", text)
    text = re.sub(r"[^\w/ ]+", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    for prefix in _GENERIC_PREFIXES:
        if text.startswith(prefix):
            text = text[len(prefix):]
    if gemeente:
        gm = normalise(gemeente)
        for joint in (" / ", " "):
            if text.startswith(gm + joint):
                text = text[len(gm + joint):]
    parts = []
    for part in text.split(" / "):
        part = part.strip()
        for article in _ARTICLES:
            if part.startswith(article) and len(part) > len(article):
                part = part[len(article):]
        if part:
            parts.append(part)
    return " / ".join(parts)


def name_parts(normalised: str) -> list[str]:
    """Split a normalised name into its compound parts (at ``/``, ``&``, ``-``)."""
    return [part for part in normalised.split(" / ") if part]


def _stem(token: str) -> str:
    for suffix in _SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= 4:
            return token[: -len(suffix)]
    return token


def _tokens(normalised: str) -> list[str]:
    """Stemmed tokens of a normalised name, compound separators removed."""
    return [_stem(tok) for tok in normalised.replace("/", " ").split()]


def _contains_run(haystack: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return n > 0 and any(haystack[i:i + n] == needle for i in range(len(haystack) - n + 1))


def is_district_name(normalised: str) -> bool:
    """Whether a normalised name (or part) is district-sized or made of direction words only."""
    flat = normalised.replace(" / ", " ").strip()
    return flat in DISTRICT_NAMES or all(tok in DIRECTION_WORDS for tok in flat.split())


def match_name(
    vogelaar: str, cbs: str, population: float, gemeente: str | None = None
) -> Literal["exact", "partial", "contains"] | None:
    """Tier of the automatic name match of one Vogelaar name with one CBS wijk (or None).

    Parameters
    ----------
    vogelaar : str
        Vogelaar wijk name as printed (law or 2007 list).
    cbs : str
        CBS ``WK_NAAM``.
    population : float
        The CBS wijk's population on 1 Jan 2016 (decides 'wijk-sized').
    gemeente : str, optional
        Municipality name (dropped as a prefix of either name).

    Returns
    -------
    {"exact", "partial", "contains"} or None
        ``None`` also for every district-sized Vogelaar name.

    Examples
    --------
    >>> match_name("Overdie", "Overdie", 7735)
    'exact'
    >>> match_name("Presikhaaf", "Presikhaaf West", 7990)
    'partial'
    >>> match_name("Woensel West", "Wijk 14 Stadsdeel Woensel-Zuid", 38285) is None
    True
    >>> match_name("Noord", "Noord", 51690) is None
    True
    """
    v_norm, c_norm = normalise(vogelaar, gemeente), normalise(cbs, gemeente)
    if not v_norm or not c_norm or is_district_name(v_norm):
        return None
    wijk_sized = population <= WIJK_SIZED_MAX_POPULATION
    c_tokens = _tokens(c_norm)
    if v_norm.replace(" / ", " ") == c_norm.replace(" / ", " "):
        return "exact" if wijk_sized else "contains"
    for part in name_parts(v_norm):
        if is_district_name(part):
            continue
        p_tokens = _tokens(part)
        if _contains_run(c_tokens, p_tokens):
            return "partial" if wijk_sized else "contains"
        extra = [tok for tok in p_tokens if tok not in c_tokens]
        if (not is_district_name(c_norm) and _contains_run(p_tokens, c_tokens) and extra
                and all(tok in DIRECTION_WORDS for tok in extra)):
            return "contains"
    return None


def cbs_municipality_name(law_name: str) -> str:
    """CBS 2016 municipality name of a municipality as printed in the law."""
    return GEMEENTE_ALIASES.get(law_name, law_name)


def pc4_placement(
    pc4: tuple[int, ...] | list[int], addresses: pd.DataFrame
) -> tuple[list[str], list[str], pd.DataFrame]:
    """Put quoted postcodes on CBS wijken with the postcode x wijk address table (2017).

    Parameters
    ----------
    pc4 : sequence of int
        Quoted postcodes.
    addresses : pandas.DataFrame
        :func:`analysis.data.load_pc4_wijk_addresses`.

    Returns
    -------
    matched : list of str
        Wijk codes with at least :data:`PC4_MIN_SHARE_OF_WIJK` of their addresses in ``pc4``.
    containing : list of str
        Other wijk codes holding at least :data:`PC4_MIN_SHARE_OF_PC4` of one quoted
        postcode's addresses (the area lies inside them).
    shares : pandas.DataFrame
        Per wijk: ``share_of_wijk`` (summed over the postcodes) and the largest ``share_of_pc4``.
    """
    cells = addresses[addresses["pc4"].isin(list(pc4))]
    shares = cells.groupby("wijk_code").agg(
        share_of_wijk=("share_of_wijk", "sum"), max_share_of_pc4=("share_of_pc4", "max")
    )
    matched = sorted(shares.index[shares["share_of_wijk"] >= PC4_MIN_SHARE_OF_WIJK])
    containing = sorted(
        shares.index[(shares["share_of_wijk"] < PC4_MIN_SHARE_OF_WIJK)
                     & (shares["max_share_of_pc4"] >= PC4_MIN_SHARE_OF_PC4)]
    )
    return matched, containing, shares


def _municipality_wijken(wijken: pd.DataFrame, investment: pd.DataFrame) -> pd.DataFrame:
    """CBS 2016 wijken of the Vogelaar municipalities (raises if a name is not found)."""
    names = {cbs_municipality_name(g) for g in investment["gemeente"]}
    known = set(wijken["GM_NAAM"])
    missing = sorted(names - known)
    if missing:
        raise DataError(f"Vogelaar municipalities not in the CBS 2016 wijk file: {missing}")
    return wijken[wijken["GM_NAAM"].isin(names)].copy()


def _corroboration(gemeente: str, wijk: str, code: str, evidence: pd.DataFrame,
                   addresses: pd.DataFrame) -> str:
    """Text naming high/medium postcodes of the Vogelaar wijk that lie in the CBS wijk."""
    rows = evidence[(evidence["gemeente"] == gemeente) & (evidence["wijk"] == wijk)
                    & evidence["confidence"].isin(["high", "medium"])]
    notes = []
    for pc in sorted(set(rows["pc4"].astype(int))):
        cell = addresses[(addresses["pc4"] == pc) & (addresses["wijk_code"] == code)]
        if len(cell):
            conf = rows.loc[rows["pc4"] == pc, "confidence"].iloc[0]
            notes.append(f"PC4 {pc} ({conf}): {float(cell['share_of_pc4'].iloc[0]):.1%} of its "
                         "addresses in this wijk")
    return ("; corroborated by " + ", ".join(notes)) if notes else ""


def _placements(
    wijken: pd.DataFrame,
    investment: pd.DataFrame,
    evidence: pd.DataFrame,
    addresses: pd.DataFrame,
) -> list[dict]:
    """Placement of each Vogelaar wijk of the law, with the match text of every CBS wijk."""
    pool = _municipality_wijken(wijken, investment)
    manual = {(m.gemeente, m.vogelaar_wijk): m for m in MANUAL_MATCHES}
    rows = []
    for law in investment.itertuples(index=False):
        gm_name = cbs_municipality_name(law.gemeente)
        local = pool[pool["GM_NAAM"] == gm_name].set_index("WK_CODE")
        hits = {
            code: tier
            for code, wk in local.iterrows()
            if (tier := match_name(law.wijk, wk["WK_NAAM"], float(wk["AANT_INW"]), gm_name))
        }
        if "exact" in hits.values():
            hits = {code: t for code, t in hits.items() if t == "exact"}
        if hits:
            tier = min(hits.values(), key=TIERS.index)
            sources = {
                code: f"name rule: {law.wijk!r} ~ {local.at[code, 'WK_NAAM']!r} ({hits[code]})"
                + _corroboration(law.gemeente, law.wijk, code, evidence, addresses)
                for code in sorted(hits)
            }
        elif (law.gemeente, law.wijk) in manual:
            m = manual[(law.gemeente, law.wijk)]
            tier = m.tier
            sources = {code: f"manual: {law.wijk!r}: {m.quote!r} ({m.source}); {m.reasoning}"
                       for code in sorted(m.wijk_codes)}
        else:
            tier, sources = "unmatched", {}
        rows.append({
            "gemeente": law.gemeente,
            "gemeente_code": str(local["GM_CODE"].iloc[0]),
            "vogelaar_wijk": law.wijk,
            "tier": tier,
            "sources": sources,
            "population": local["AANT_INW"].reindex(list(sources)).astype(float),
            "investment_mln_eur": float(law.additionele_inzet_mln_eur),
        })
    return rows


def vogelaar_summary(
    wijken: pd.DataFrame,
    investment: pd.DataFrame,
    evidence: pd.DataFrame,
    addresses: pd.DataFrame,
) -> pd.DataFrame:
    """Place each of the 40 Vogelaar wijken of the law on CBS 2016 wijken.

    Parameters
    ----------
    wijken : pandas.DataFrame
        :func:`analysis.data.load_wijken_2016`.
    investment : pandas.DataFrame
        :func:`analysis.data.load_vogelaar_investment` (40 rows).
    evidence : pandas.DataFrame
        :func:`analysis.data.load_vogelaar_pc4_evidence` (used for corroboration notes).
    addresses : pandas.DataFrame
        :func:`analysis.data.load_pc4_wijk_addresses`.

    Returns
    -------
    pandas.DataFrame
        40 rows in the law's order: ``gemeente``, ``gemeente_code``, ``vogelaar_wijk``,
        ``tier``, ``wijk_codes`` (``;``-separated, empty for ``unmatched``), ``n_wijken``,
        ``population_2016`` (of the matched wijken), ``investment_mln_eur``, ``match_source``.
    """
    rows = []
    for place in _placements(wijken, investment, evidence, addresses):
        rows.append({
            "gemeente": place["gemeente"],
            "gemeente_code": place["gemeente_code"],
            "vogelaar_wijk": place["vogelaar_wijk"],
            "tier": place["tier"],
            "wijk_codes": ";".join(place["sources"]),
            "n_wijken": len(place["sources"]),
            "population_2016": int(place["population"].sum()),
            "investment_mln_eur": place["investment_mln_eur"],
            "match_source": " | ".join(place["sources"].values()),
        })
    return pd.DataFrame(rows)


def match_items_2007(wijken: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    """Match the 41 items of the 2007 Wikipedia list by the same name rule (a cross-check).

    Returns
    -------
    pandas.DataFrame
        One row per (item, CBS wijk) name match: ``item_no``, ``wijk_as_listed``,
        ``wijk_code``, ``tier``.
    """
    rows = []
    for item in items.itertuples(index=False):
        local = wijken[wijken["GM_CODE"] == item.gemeente_code_2024]
        gm_name = str(local["GM_NAAM"].iloc[0]) if len(local) else None
        for wk in local.itertuples(index=False):
            tier = match_name(item.wijk_as_listed, wk.WK_NAAM, float(wk.AANT_INW), gm_name)
            if tier:
                rows.append({"item_no": int(item.item_no), "wijk_as_listed": item.wijk_as_listed,
                             "wijk_code": wk.WK_CODE, "tier": tier})
    return pd.DataFrame(rows, columns=["item_no", "wijk_as_listed", "wijk_code", "tier"])


def build_treatment(
    wijken: pd.DataFrame,
    investment: pd.DataFrame,
    items: pd.DataFrame,
    evidence: pd.DataFrame,
    addresses: pd.DataFrame,
) -> pd.DataFrame:
    """Return the treatment table: one row per CBS 2016 wijk of the 18 Vogelaar municipalities.

    Parameters
    ----------
    wijken, investment, items, evidence, addresses : pandas.DataFrame
        The validated frames of ``cbs_wijk_2016_attributes``,
        ``vogelaar_40wijken_bcf_investment``, ``vogelaar_krachtwijken_2007``,
        ``vogelaar_pc4_evidence`` and ``pc4_wijk_addresses_2017``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`OUTPUT_COLUMNS`, sorted by ``wijk_code`` (see the module docstring).
    """
    pool = _municipality_wijken(wijken, investment).sort_values("WK_CODE")
    places = _placements(wijken, investment, evidence, addresses)
    per_wijk: dict[str, list[dict]] = {}
    for place in places:
        pops = place["population"]
        weights = pops / pops.sum() if pops.sum() > 0 else pops * 0 + 1 / max(len(pops), 1)
        for code, text in place["sources"].items():
            per_wijk.setdefault(code, []).append({
                "wijk": place["vogelaar_wijk"], "tier": place["tier"], "source": text,
                "money": place["investment_mln_eur"] * float(weights[code]),
            })
    item_hits = match_items_2007(pool, items)
    unplaced = {p["gemeente_code"] for p in places if p["tier"] == "unmatched"}

    out = []
    for wk in pool.itertuples(index=False):
        matches = per_wijk.get(wk.WK_CODE, [])
        hits = item_hits[item_hits["wijk_code"] == wk.WK_CODE]
        if matches:
            tier = min((m["tier"] for m in matches), key=TIERS.index)
            source = " | ".join(m["source"] for m in matches)
        elif len(hits):
            tier = "contains" if "contains" in set(hits["tier"]) else "unmatched"
            source = "; ".join(f"2007 item {h.item_no} {h.wijk_as_listed!r} ~ {wk.WK_NAAM!r} "
                               f"({h.tier}; no wijk of the law, no money)"
                               for h in hits.itertuples(index=False))
        else:
            tier, source = "unmatched", ""
        money = float(sum(m["money"] for m in matches))
        population = int(wk.AANT_INW)
        has_law_wijk = bool(matches)
        out.append({
            "wijk_code": wk.WK_CODE,
            "wijk_name": wk.WK_NAAM,
            "gemeente_code": wk.GM_CODE,
            "gemeente_name": wk.GM_NAAM,
            "population_2016": population,
            "pct_non_western_2016": wk.P_N_W_AL,
            "vogelaar_wijk": "; ".join(m["wijk"] for m in matches),
            "vogelaar_item_2007": "; ".join(hits["wijk_as_listed"]),
            "tier": tier,
            "treated_strict": int(tier == "exact"),
            "treated_broad": int(has_law_wijk and tier in {"exact", "partial", "manual"}),
            "investment_mln_eur": round(money, 6),
            "investment_eur_per_resident": (round(money * 1e6 / population, 2)
                                            if population > 0 else np.nan),
            "gemeente_has_unplaced_vogelaar": int(wk.GM_CODE in unplaced),
            "match_source": source,
        })
    return pd.DataFrame(out, columns=list(OUTPUT_COLUMNS))


def build_treatment_from_frames(frames: dict[str, pd.DataFrame]) -> bytes:
    """CSV bytes of the treatment table from validated frames keyed by resource name.

    Used by ``scripts/make_data.py`` (which passes its validated real files).
    """
    return treatment_csv_bytes(build_treatment(
        frames["cbs_wijk_2016_attributes"],
        frames["vogelaar_40wijken_bcf_investment"],
        frames["vogelaar_krachtwijken_2007"],
        frames["vogelaar_pc4_evidence"],
        frames["pc4_wijk_addresses_2017"],
    ))


def build_treatment_from_data(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """Build the treatment table from the committed input files in ``data_dir``."""
    names = ("cbs_wijk_2016_attributes", "vogelaar_40wijken_bcf_investment",
             "vogelaar_krachtwijken_2007", "vogelaar_pc4_evidence", "pc4_wijk_addresses_2017")
    frames = {name: load_resource(name, data_dir) for name in names}
    return build_treatment(*(frames[n] for n in names))


def vogelaar_summary_from_data(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """:func:`vogelaar_summary` of the committed input files in ``data_dir`` (40 rows).

    Examples
    --------
    >>> summary = vogelaar_summary_from_data()
    >>> int(tier_table(summary)["wijken"].sum())
    40
    """
    frames = {name: load_resource(name, data_dir) for name in (
        "cbs_wijk_2016_attributes", "vogelaar_40wijken_bcf_investment", "vogelaar_pc4_evidence",
        "pc4_wijk_addresses_2017")}
    return vogelaar_summary(*frames.values())


def treatment_csv_bytes(frame: pd.DataFrame) -> bytes:
    """Serialise the treatment table exactly as it is stored in ``data/`` (UTF-8, LF)."""
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\n", float_format="%.10g")
    return buffer.getvalue().encode("utf-8")


def load_wijkenaanpak_treatment(data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """Return the treatment table of the 40 wijken on the CBS wijken of 2016 (407 rows).

    Checksum and schema are verified (:func:`analysis.data.load_resource`); a bad cell raises a
    one-line :class:`~analysis.data.DataError` naming the file, row and column.
    """
    return load_resource(RESOURCE, data_dir)


def tier_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Count the 40 Vogelaar wijken per tier with their share of the money.

    Parameters
    ----------
    summary : pandas.DataFrame
        :func:`vogelaar_summary`.

    Returns
    -------
    pandas.DataFrame
        Index: tier (in :data:`TIERS` order, absent tiers with 0); columns ``wijken``,
        ``investment_mln_eur``, ``share_of_money``, ``cbs_wijken``.
    """
    grouped = summary.groupby("tier").agg(
        wijken=("vogelaar_wijk", "size"), investment_mln_eur=("investment_mln_eur", "sum"),
        cbs_wijken=("n_wijken", "sum"),
    ).reindex(list(TIERS), fill_value=0)
    grouped["share_of_money"] = grouped["investment_mln_eur"] / summary["investment_mln_eur"].sum()
    return grouped[["wijken", "investment_mln_eur", "share_of_money", "cbs_wijken"]]
