"""Tests of :mod:`analysis.display.numbers`: Dutch numbers, probabilities in words, light import."""

import subprocess
import sys

import pytest

from analysis.display.numbers import dutch_number, probability_text


@pytest.mark.parametrize(
    ("probability", "english", "dutch"),
    [
        (0.9996, "above 0.99", "boven 0,99"),
        (0.42, "0.42", "0,42"),
        (0.001, "below 0.01", "onder 0,01"),
        (0.99, "0.99", "0,99"),
    ],
)
def test_probability_text_never_reads_as_certainty(probability, english, dutch):
    assert probability_text(probability) == english
    assert probability_text(probability, dutch=True) == dutch


@pytest.mark.parametrize(
    ("value", "fmt", "text"),
    [(0.2134, ".2f", "0,21"), (415195, ",.0f", "415.195"), (-0.0104, ".3f", "−0,010"),
     (0.25, ".0%", "25%")],
)
def test_dutch_number_swaps_separators_and_uses_a_true_minus(value, fmt, text):
    assert dutch_number(value, fmt) == text


@pytest.mark.parametrize("module", ["bookkit.sphinx.dutch_glue", "bookkit.crossref"])
def test_the_glue_extensions_do_not_import_the_modelling_stack(module):
    """Every (no-op) rebuild imports these; ArviZ or PyMC would add ~3 s to each (issue 17)."""
    code = (f"import sys, {module}; "
            "print(sorted(m for m in ('arviz', 'pymc', 'pandas', 'xarray') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
