"""Numbers as readers see them: Dutch decimal commas and posterior probabilities in words.

This module imports nothing but the standard library, so that the Sphinx extensions
(:mod:`bookkit.sphinx.dutch_glue`, :mod:`bookkit.crossref`) can format glued numbers without
importing ArviZ and PyMC: that import cost ~3 s on every no-op rebuild.
"""

from __future__ import annotations


def probability_text(probability: float, *, dutch: bool = False) -> str:
    """Write a posterior probability for readers: two decimals, bounded away from 0 and 1.

    Monte Carlo draws cannot show certainty, so 0.998 becomes "above 0.99" rather than "1.00".

    Examples
    --------
    >>> probability_text(0.9996), probability_text(0.42), probability_text(0.001, dutch=True)
    ('above 0.99', '0.42', 'onder 0,01')
    """
    if probability > 0.99:
        text = "boven 0,99" if dutch else "above 0.99"
    elif probability < 0.01:
        text = "onder 0,01" if dutch else "below 0.01"
    else:
        text = dutch_number(probability, ".2f") if dutch else f"{probability:.2f}"
    return text


def dutch_number(value: float, fmt: str) -> str:
    """Format a number as Dutch text: decimal comma, full stop between thousands.

    Parameters
    ----------
    value : float
        The number.
    fmt : str
        A Python format spec as in a ``{glue:text}`` role (``.2f``, ``,.0f``, ``.0%``).

    Examples
    --------
    >>> dutch_number(0.2134, ".2f"), dutch_number(415195, ",.0f"), dutch_number(-0.0104, ".3f")
    ('0,21', '415.195', '−0,010')
    """
    text = format(value, fmt).translate(str.maketrans({",": ".", ".": ","}))
    return text.replace("-", "−") if text.startswith("-") else text
