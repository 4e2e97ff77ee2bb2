"""Browser check of the provenance of glued numbers (issue 19).

:mod:`bookkit.sphinx.provenance` wraps every glued number of the HTML book in
``<span class="glued-number" tabindex="0" data-...>``; ``provenance.js`` shows the number's
finding in a tooltip on hover or keyboard focus. :func:`browser_check` proves that on a loaded
page: no glued number lacks its provenance, the first visible one is in the keyboard's tab order
and shows its tooltip on focus (with the finding's name and mean, the chapter and the release),
Escape hides it, another one shows its tooltip under the mouse and hides it when the mouse
leaves, and the tooltip fits the window and is legible (contrast at least 4.5:1, also in the
dark theme).
"""

from __future__ import annotations

_INVENTORY_JS = """
() => {
  const root = document.querySelector('article') || document.body;
  const glued = [...document.querySelectorAll('.glued-number')];
  const label = el => (el.textContent || '').trim().slice(0, 40);
  const unwrapped = [...root.querySelectorAll('.pasted-text')]
    .filter(el => !el.closest('.glued-number[data-key]')).map(label);
  const incomplete = glued.filter(el => !(el.dataset.key && el.dataset.chapter
      && el.dataset.release !== undefined && el.dataset.kind
      && (el.dataset.kind !== 'posterior' || el.dataset.mean)))
    .map(el => label(el) + ' (' + (el.dataset.key || 'no key') + ')');
  const seen = el => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && !el.closest('details:not([open])');
  };
  const candidates = [];
  for (let i = 0; i < glued.length && candidates.length < 2; i++) {
    if (seen(glued[i])) candidates.push(i);
  }
  return {count: glued.length, unwrapped, incomplete, candidates};
}
"""

_PREPARE_JS = """
(i) => {
  const el = document.querySelectorAll('.glued-number')[i];
  const target = el.querySelector('a.glued-number-moved') || el;
  el.scrollIntoView({block: 'center', inline: 'nearest', behavior: 'instant'});
  const r = el.getClientRects()[0] || el.getBoundingClientRect();
  const x = r.left + Math.min(r.width / 2, 4), y = r.top + r.height / 2;
  const hit = document.elementFromPoint(x, y);
  const d = el.dataset;
  const expected = [d.finding || d.key, 'v' + d.release];
  if (d.kind === 'posterior') expected.push(d.mean);
  if (d.value !== undefined) expected.push(d.value);
  return {tabIndex: target.tabIndex, x, y, hittable: !!hit && el.contains(hit), expected,
          text: (el.textContent || '').trim().slice(0, 40), key: d.key || ''};
}
"""

_FOCUS_JS = """
(i) => { const el = document.querySelectorAll('.glued-number')[i];
         (el.querySelector('a.glued-number-moved') || el).focus(); }
"""

_STATE_JS = """
(i) => {
  const el = document.querySelectorAll('.glued-number')[i];
  const target = el.querySelector('a.glued-number-moved') || el;
  const tip = document.querySelector('[role="tooltip"].glued-number-tooltip');
  const out = {focused: document.activeElement === target, visible: false, text: '',
               described: false, fits: true, contrast: null};
  if (!tip) return out;
  const style = getComputedStyle(tip);
  const r = tip.getBoundingClientRect();
  out.visible = !tip.hidden && style.display !== 'none' && style.visibility !== 'hidden'
    && r.width > 0 && r.height > 0;
  out.text = tip.textContent || '';
  out.described = (target.getAttribute('aria-describedby') || '').split(/\\s+/).includes(tip.id);
  const vw = document.documentElement.clientWidth;
  out.fits = r.left >= -1 && r.right <= vw + 1;
  const rgb = s => (s.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r0, g0, b0]) => {
    const f = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r0) + 0.7152 * f(g0) + 0.0722 * f(b0);
  };
  const fg = rgb(style.color), bg = rgb(style.backgroundColor);
  if (fg.length >= 3 && bg.length >= 3 && (bg.length < 4 || bg[3] > 0.99)) {
    const [a, b] = [lum(fg), lum(bg)].sort((p, q) => q - p);
    out.contrast = Math.round(((a + 0.05) / (b + 0.05)) * 100) / 100;
  } else {
    out.contrast = 0;  // a transparent background: the text sits on whatever is below
  }
  return out;
}
"""

_RESET_JS = """
() => {
  if (document.activeElement) document.activeElement.blur();
  window.scrollTo({top: 0, left: 0, behavior: 'instant'});
}
"""

_HIDDEN_JS = """
() => { const tip = document.querySelector('.glued-number-tooltip'); return !tip || tip.hidden; }
"""

MIN_CONTRAST = 4.5
"""WCAG 2.1 AA contrast of the tooltip's text (it is small text)."""


def _tooltip_problems(state: dict, info: dict, how: str) -> list[tuple[str, str]]:
    """Problems of a tooltip that should be showing for the number ``info``."""
    what = f"glued number {info['text']} ({info['key']})"
    if not state["visible"]:
        return [("provenance", f"{what} shows no tooltip on {how}")]
    problems = []
    missing = [s for s in info["expected"] if s and s not in state["text"]]
    if missing:
        problems.append(("provenance", f"{what}: tooltip on {how} lacks {', '.join(missing)} "
                                       f"(shows {state['text'][:120]!r})"))
    if not state["described"]:
        problems.append(("provenance", f"{what}: the tooltip is not referenced by "
                                       "aria-describedby (screen readers do not read it)"))
    if not state["fits"]:
        problems.append(("provenance", f"{what}: the tooltip sticks out of the window"))
    if state["contrast"] is not None and state["contrast"] < MIN_CONTRAST:
        problems.append(("provenance", f"{what}: tooltip text contrast {state['contrast']}:1 "
                                       f"is below {MIN_CONTRAST}:1"))
    return problems


def browser_check(page: object) -> list[tuple[str, str]]:
    """Drive the provenance tooltips on a loaded page; return ``(rule, message)`` problems.

    Parameters
    ----------
    page : playwright.sync_api.Page
        A page of the HTML book, loaded (``provenance.js`` has run).

    Returns
    -------
    list of (str, str)
        ``("provenance", message)`` per problem; empty when the page has no glued number or
        every check passes. The page is left as found: tooltip hidden, nothing focused,
        scrolled to the top.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    inventory = page.evaluate(_INVENTORY_JS)  # type: ignore[attr-defined]
    problems: list[tuple[str, str]] = []
    for text in inventory["unwrapped"][:5]:
        problems.append(("provenance", f"glued number {text} has no provenance (not wrapped "
                                       "in a .glued-number span with its finding)"))
    if len(inventory["unwrapped"]) > 5:
        problems.append(("provenance", f"... and {len(inventory['unwrapped']) - 5} more glued "
                                       "numbers without provenance"))
    for text in inventory["incomplete"][:5]:
        problems.append(("provenance", f"glued number {text} lacks part of its provenance "
                                       "(data-key, data-chapter, data-release, data-kind, "
                                       "data-mean)"))
    if not inventory["candidates"]:
        return problems
    try:
        first = inventory["candidates"][0]
        info = page.evaluate(_PREPARE_JS, first)  # type: ignore[attr-defined]
        if info["tabIndex"] < 0:
            problems.append(("provenance", f"glued number {info['text']} ({info['key']}) is not "
                                           "in the keyboard's tab order"))
        else:
            # Focus it, step back and forward again with the keyboard: it must be a tab stop.
            page.evaluate(_FOCUS_JS, first)  # type: ignore[attr-defined]
            page.keyboard.press("Shift+Tab")  # type: ignore[attr-defined]
            page.keyboard.press("Tab")  # type: ignore[attr-defined]
            state = page.evaluate(_STATE_JS, first)  # type: ignore[attr-defined]
            if not state["focused"]:
                problems.append(("provenance", f"glued number {info['text']} ({info['key']}) "
                                               "is not reached with the Tab key"))
            problems.extend(_tooltip_problems(state, info, "keyboard focus"))
            page.keyboard.press("Escape")  # type: ignore[attr-defined]
            if page.evaluate(_STATE_JS, first)["visible"]:  # type: ignore[attr-defined]
                problems.append(("provenance", f"glued number {info['text']} "
                                               f"({info['key']}): Escape does not hide its "
                                               "tooltip"))
            page.evaluate(_RESET_JS)  # type: ignore[attr-defined]
        other = inventory["candidates"][-1]
        info = page.evaluate(_PREPARE_JS, other)  # type: ignore[attr-defined]
        if info["hittable"]:
            page.mouse.move(info["x"], info["y"])  # type: ignore[attr-defined]
            state = page.evaluate(_STATE_JS, other)  # type: ignore[attr-defined]
            problems.extend(_tooltip_problems(state, info, "hover"))
            page.mouse.move(0, 0)  # type: ignore[attr-defined]
            try:  # provenance.js hides it 0.1 s after the mouse leaves (time to reach it)
                page.wait_for_function(_HIDDEN_JS, timeout=1000)  # type: ignore[attr-defined]
            except PlaywrightTimeout:  # it stayed
                problems.append(("provenance", f"glued number {info['text']} ({info['key']}): "
                                               "its tooltip stays when the mouse leaves"))
    finally:
        page.evaluate(_RESET_JS)  # type: ignore[attr-defined]
    return problems
