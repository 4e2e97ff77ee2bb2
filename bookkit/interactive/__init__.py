"""Interactive parts of the HTML book and the browser checks that drive them.

- :mod:`bookkit.interactive.explorer`: the posterior explorer (no kernel): a chapter ships
  thinned posterior draws; a dependency-free script shows the predictive effect for a reader's
  inputs and P(effect > threshold).
- :mod:`bookkit.interactive.provenance`: every glued number shows, on hover or keyboard focus,
  the finding it comes from (name, mean, interval, MCSE, chapter, release).

Each module has a ``browser_check(page)`` that :mod:`bookkit.site_checks` runs on every page
it opens (both widths, light and dark): it returns ``(rule, message)`` pairs, empty when the
page has nothing of its kind or everything works.
"""

from __future__ import annotations

from bookkit.interactive import explorer, provenance

BROWSER_CHECKS = (explorer.browser_check, provenance.browser_check)
"""Interaction checks run on every page in the browser (``page`` is a Playwright page)."""
