// Version menu of a released book (site/vX.Y.Z/): reads ../switcher.js (written by
// `nox -s release`) with a <script> tag, so it works from file:// as well as over http.
// Outside a release site there is no switcher.js and nothing is shown.
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
