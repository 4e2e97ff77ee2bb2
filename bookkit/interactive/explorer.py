"""Browser check of the posterior explorer: drive it and compare its probability with Python.

The explorer (:mod:`analysis.display.explorer`, ``bookkit/sphinx/static/explorer.js``) shows
P(effect > T) for the reader's choice. :func:`browser_check` reads the draws the page embeds,
sets the explorer twice (its defaults; then the last municipality, the top of the fitted input
range and another threshold), reads the probability the page computed and compares it with
:func:`analysis.display.explorer.explorer_probability` on the same draws. A page whose
explorer does not start, or disagrees with Python, fails ``nox -s visual``.
"""

from __future__ import annotations

import json

TOLERANCE = 1e-6
"""Largest accepted |P(page) - P(Python)|: the script's erfc has relative error < 1.2e-7."""


def browser_check(page: object) -> list[tuple[str, str]]:
    """Drive every explorer on a loaded Playwright page; return ``(rule, message)`` problems."""
    from analysis.display.explorer import explorer_probability
    from analysis.display.numbers import probability_text

    roots = page.locator(".posterior-explorer")  # type: ignore[attr-defined]
    problems: list[tuple[str, str]] = []
    for i in range(roots.count()):
        root = roots.nth(i)
        spec = json.loads(root.locator("script.explorer-spec").text_content())
        label = f"explorer {spec.get('chapter', i)!r}"
        if "explorer-ready" not in (root.get_attribute("class") or ""):
            problems.append(("explorer", f"{label} did not start (explorer.js not loaded or "
                                         "it failed)"))
            continue
        settings = [(spec["choices"][0]["id"], {}, spec["threshold"]["default"])]
        # what is typed is what Python computes with: f"{x:g}" keeps six significant digits
        values = {item["name"]: float(f"{item['fitted_high']:g}") for item in spec["inputs"]}
        settings.append((spec["choices"][-1]["id"], values,
                         spec["threshold"]["default"] + 2 * spec["threshold"]["step"]))
        for choice, inputs, threshold in settings:
            if inputs or threshold != spec["threshold"]["default"]:
                root.locator("select").select_option(choice)
                for name, value in inputs.items():
                    root.locator(f"input[name={name!r}]").fill(f"{value:g}")
                root.locator("input[name='threshold']").fill(f"{threshold:g}")
            result = root.locator(".explorer-result")
            shown = result.get_attribute("data-probability")
            expected = explorer_probability(spec, choice, threshold, inputs)
            where = f"{choice}, {inputs or 'defaults'}, T = {threshold:g}"
            if shown is None:
                problems.append(("explorer", f"{label} shows no probability ({where}): "
                                             f"{result.text_content()!r}"))
            elif abs(float(shown) - expected) > TOLERANCE:
                problems.append(("explorer", f"{label} says P(effect > T) = {float(shown):.6f} "
                                             f"for {where}; Python computes {expected:.6f} "
                                             "from the same draws"))
            elif probability_text(expected) not in (result.text_content() or ""):
                problems.append(("explorer", f"{label} does not say the probability "
                                             f"{probability_text(expected)!r} in words ({where})"))
    return problems
