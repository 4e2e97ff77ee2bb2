// Version menu of a released book (site/vX.Y.Z/): reads ../switcher.js (written by
// `nox -s release`) with a <script> tag, so it works from file:// as well as over http.
// Outside a release site there is no switcher.js and nothing is shown. A page of an older
// release also gets a banner that links the same page in the latest release.
(function () {
  "use strict";
  const root = document.documentElement.dataset.content_root || "./";
  function build() {
    const data = window.BOOK_RELEASES;
    if (!data || !data.releases) return;
    const here = window.BOOK_VERSION;
    const base = new URL(root, window.location.href);
    const url = window.location.href.split("#")[0].split("?")[0];
    const page = url.startsWith(base.href) ? (url.slice(base.href.length) || "index.html") : "index.html";
    const box = document.createElement("div");
    box.className = "book-version-switcher";
    const label = document.createElement("label");
    label.textContent = "Version ";
    const select = document.createElement("select");
    select.setAttribute("aria-label", "Book version");
    for (const release of data.releases) {
      const option = document.createElement("option");
      option.value = release.version;
      option.textContent = "v" + release.version + (release.version === data.latest ? " (latest)" : "");
      option.selected = release.version === here;
      select.appendChild(option);
    }
    select.addEventListener("change", function () {
      const target = data.releases.find((r) => r.version === select.value);
      const path = target.pages.includes(page) ? page : "index.html";
      window.location.href = new URL("../v" + target.version + "/" + path, base).href;
    });
    label.appendChild(select);
    box.appendChild(label);
    const me = data.releases.find((r) => r.version === here);
    if (me && me.pdf) {
      const pdf = document.createElement("a");
      pdf.href = new URL(me.pdf, base).href;
      pdf.textContent = "PDF of v" + me.version;
      box.appendChild(pdf);
    }
    if (me && me.changelog) {
      const log = document.createElement("a");
      log.href = new URL(me.changelog, base).href;
      log.textContent = "Changes in findings";
      box.appendChild(log);
    }
    for (const receipt of (me && me.receipts) || []) {
      const line = document.createElement("a");
      line.href = new URL(receipt.file, base).href;
      const z = receipt.max_abs_z === null ? "" : ", max |z| " + receipt.max_abs_z.toFixed(1);
      line.textContent = (receipt.verdict === "REPRODUCED" ? "Reproduced" : "Not reproduced")
        + " on " + receipt.date.slice(0, 10) + " (" + receipt.cpu + z + ")";
      box.appendChild(line);
    }
    const slot = document.querySelector(".bd-sidebar-primary .sidebar-primary-items__start")
      || document.querySelector(".bd-article") || document.body;
    slot.prepend(box);
    oldReleaseBanner(data, here, page, base);
  }
  // On a page of an older release: say so, link the same page in the latest release and, where
  // a later release moved a finding of this chapter, that release's changelog.
  function oldReleaseBanner(data, here, page, base) {
    if (!data.latest || here === data.latest) return;
    const latest = data.releases.find((r) => r.version === data.latest);
    if (!latest || !data.releases.some((r) => r.version === here)) return;
    const key = (v) => v.split(".").map(Number);
    const later = (v) => {
      const a = key(v), b = key(here);
      for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] > b[i];
      return false;
    };
    const banner = document.createElement("div");
    banner.className = "book-old-release";
    banner.setAttribute("role", "note");
    const text = document.createElement("p");
    text.append("You are reading v" + here + ", an older release of this book. ");
    const same = document.createElement("a");
    const path = latest.pages.includes(page) ? page : "index.html";
    same.href = new URL("../v" + latest.version + "/" + path, base).href;
    same.textContent = (path === page ? "This page" : "The book") + " in the latest release (v"
      + latest.version + ")";
    text.append(same, ".");
    banner.appendChild(text);
    const chapter = page.split("/").pop().replace(/\.html$/, "");
    const moved = data.releases.filter((r) => later(r.version)
      && (r.moved_chapters || []).includes(chapter) && r.changelog);
    if (moved.length) {
      const note = document.createElement("p");
      note.append("Findings of this chapter moved since: ");
      moved.forEach((r, i) => {
        const log = document.createElement("a");
        log.href = new URL("../v" + r.version + "/" + r.changelog, base).href;
        log.textContent = "changes in v" + r.version;
        note.append(i ? ", " : "", log);
      });
      note.append(".");
      banner.appendChild(note);
    }
    const article = document.querySelector(".bd-article") || document.body;
    article.prepend(banner);
  }
  function load() {
    const script = document.createElement("script");
    script.src = new URL("../switcher.js", new URL(root, window.location.href)).href;
    script.onload = build;
    document.head.appendChild(script);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", load);
  else load();
})();
