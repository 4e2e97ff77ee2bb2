// Provenance of glued numbers (bookkit/sphinx/provenance.py writes <span class="glued-number"
// tabindex="0" data-...>). On hover or keyboard focus one shared tooltip (role="tooltip",
// referenced by aria-describedby) shows the finding the number comes from: name, posterior
// mean, interval, MCSE, the chapter that computed it and the release. Escape, blur or leaving
// with the mouse hides it. In a release site (window.BOOK_RELEASES from ../switcher.js, loaded
// by version-switcher.js) a number whose finding moved in this release links to the findings
// changelog. No dependencies, no network: works from file:// too.
(function () {
  "use strict";
  const SELECTOR = ".glued-number";
  const HIDE_DELAY_MS = 100;
  let tip = null;
  let current = null;

  function tooltip() {
    if (tip) return tip;
    tip = document.createElement("div");
    tip.id = "glued-number-tooltip";
    tip.className = "glued-number-tooltip";
    tip.setAttribute("role", "tooltip");
    tip.hidden = true;
    document.body.appendChild(tip);
    return tip;
  }

  // The tooltip's lines, from the span's data attributes (plain text only).
  function lines(el) {
    const d = el.dataset;
    const out = [];
    if (d.finding) {
      out.push({ head: d.finding, text: d.description ? " \u2014 " + d.description : "" });
      if (d.kind === "posterior") {
        const parts = ["posterior mean " + d.mean];
        if (d.hdiLow && d.hdiHigh) {
          parts.push((d.ciProb ? d.ciProb + " " : "") + "HDI " + d.hdiLow + "\u2013" + d.hdiHigh);
        }
        if (d.mcse) parts.push("MCSE " + d.mcse);
        out.push({ text: parts.join(" \u00b7 ") });
        if (d.part) out.push({ text: "This number is " + d.part + "." });
      } else if (d.value !== undefined) {
        out.push({ text: "value " + d.value + ": " + d.note });
      } else if (d.note) {
        out.push({ text: d.note });
      }
      if (d.kind === "posterior" && d.note) out.push({ text: d.note });
    } else {
      out.push({ head: d.key || "glued value", text: "" });
      out.push({ text: d.note || "not a posterior summary: glued directly from the chapter's code" });
    }
    if (d.format) out.push({ text: "Shown in " + d.format + "." });
    out.push({ text: "Computed in: " + (d.chapterTitle || d.chapter) + " (" + d.chapter + ")" });
    out.push({ text: "Release: v" + (d.release || "?") });
    if (d.moved) out.push({ text: d.moved });
    return out;
  }

  function focusable(el) {
    return el.querySelector("a.glued-number-moved") || el;
  }

  function place(el, box) {
    const gap = 6;
    const margin = 8;
    const r = el.getBoundingClientRect();
    const vw = document.documentElement.clientWidth;
    const vh = window.innerHeight;
    box.style.left = "0px";
    box.style.top = "0px";
    const t = box.getBoundingClientRect();
    let left = Math.min(Math.max(margin, r.left), Math.max(margin, vw - t.width - margin));
    let top = r.bottom + gap;
    if (top + t.height > vh - margin && r.top - gap - t.height >= margin) top = r.top - gap - t.height;
    box.style.left = Math.round(left) + "px";
    box.style.top = Math.round(top) + "px";
  }

  function show(el) {
    const box = tooltip();
    if (current && current !== el) hide();
    box.replaceChildren();
    for (const line of lines(el)) {
      const p = document.createElement("p");
      if (line.head) {
        const b = document.createElement("strong");
        b.textContent = line.head;
        p.appendChild(b);
      }
      p.append(line.text);
      box.appendChild(p);
    }
    box.hidden = false;
    place(el, box);
    focusable(el).setAttribute("aria-describedby", box.id);
    current = el;
  }

  function hide() {
    cancelHide();
    if (tip) tip.hidden = true;
    if (current) focusable(current).removeAttribute("aria-describedby");
    current = null;
  }

  function target(event) {
    return event.target instanceof Element ? event.target.closest(SELECTOR) : null;
  }

  // In a release site: link each number whose finding moved in this release to the changelog.
  function markMoved() {
    const data = window.BOOK_RELEASES;
    if (!data || !data.releases) return;
    const me = data.releases.find((r) => r.version === window.BOOK_VERSION);
    if (!me || !me.changelog) return;
    const root = document.documentElement.dataset.content_root || "./";
    const base = new URL(root, window.location.href);
    for (const el of document.querySelectorAll(SELECTOR)) {
      const d = el.dataset;
      if (!d.finding || el.querySelector("a")) continue;
      const perFinding = me.moved_findings && me.moved_findings[d.chapter];
      if (perFinding) {
        if (!perFinding.includes(d.finding)) continue;
        const a = document.createElement("a");
        a.className = "glued-number-moved";
        a.href = new URL(me.changelog, base).href + "#moved-" + encodeURIComponent(d.chapter)
          + "-" + encodeURIComponent(d.finding);  // anchors: bookkit.release.anchor_moved_findings
        a.append(...el.childNodes);
        el.appendChild(a);
        el.removeAttribute("tabindex");  // the link takes the focus
        d.moved = "Moved in v" + me.version + " against the release before: follow the "
          + "number to the findings changelog.";
      } else if (!me.moved_findings && (me.moved_chapters || []).includes(d.chapter)) {
        d.moved = "Findings of this chapter moved in v" + me.version
          + ": see \u201cChanges in findings\u201d in the version menu.";
      }
    }
  }

  // Leaving the number with the mouse hides the tooltip after a short delay, so the pointer
  // can cross the gap onto the tooltip and stay there (WCAG 1.4.13: hoverable).
  let pending = 0;
  function cancelHide() { window.clearTimeout(pending); }
  function hideSoon() {
    cancelHide();
    pending = window.setTimeout(() => {
      if (current && !current.contains(document.activeElement)) hide();
    }, HIDE_DELAY_MS);
  }
  function inside(node, box) { return node instanceof Node && !!box && box.contains(node); }

  function init() {
    document.addEventListener("mouseover", (e) => {
      const el = target(e);
      if (el) { cancelHide(); if (el !== current) show(el); } else if (inside(e.target, tip)) cancelHide();
    });
    document.addEventListener("mouseout", (e) => {
      if (!current) return;
      const from = target(e) === current || inside(e.target, tip);
      const to = inside(e.relatedTarget, current) || inside(e.relatedTarget, tip);
      if (from && !to) hideSoon();
    });
    document.addEventListener("focusin", (e) => { const el = target(e); if (el) show(el); });
    document.addEventListener("focusout", (e) => { if (target(e) === current) hide(); });
    document.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && current) hide();
    });
    const follow = () => { if (current) place(current, tooltip()); };
    window.addEventListener("resize", follow);
    window.addEventListener("scroll", follow, { passive: true });
    if (document.readyState === "complete") markMoved();
    else window.addEventListener("load", markMoved);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
