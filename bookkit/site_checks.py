"""Check the built HTML book the way readers meet it: links, accessibility, and a real browser.

Two layers, both generic over whatever pages ``_build/html`` holds:

* static checks in pure Python (:mod:`html.parser`), offline: every local ``href``/``src`` and
  ``#anchor`` resolves, no image file is missing, no unresolved Sphinx cross-reference is left in
  a page, every figure image has alt text, headings do not skip a level;
* browser checks in headless Chromium (Debian's ``/usr/bin/chromium`` driven by Playwright; no
  browser download): every page loads from a server on 127.0.0.1 at a desktop and a phone width,
  every image decodes, nothing overflows horizontally, figures have opaque backgrounds (legible in
  the dark theme), axe-core finds no serious or critical WCAG 2.1 A/AA violation (light and dark,
  both widths) beyond the reasoned entries of the committed baseline ``.ci/axe-baseline.json``,
  and a full-page screenshot of each page and width is saved.

Run ``python -m bookkit.site_checks _build/html --screenshots _build/screenshots`` (what
``nox -s visual`` does); it prints one line per problem and exits 1 if there is any.
"""

from __future__ import annotations

import argparse
import fnmatch
import functools
import http.server
import json
import os
import re
import shutil
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bookkit.interactive import BROWSER_CHECKS

SKIP_DIRS = frozenset({"_static", "_sources", "_images", "_downloads", "reports"})
"""Folders of the built HTML that hold assets, not pages."""

WIDTHS = (1280, 390)
"""Viewport widths in CSS pixels: a laptop and a phone (iPhone 12-15 portrait)."""

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
"""Flags that let Chromium run as root on a machine without network or GPU."""

INSTALL_HINT = (
    "sudo apt-get update && sudo apt-get install -y --no-install-recommends "
    "chromium fonts-dejavu-core   (or, as root: bash .ci/install-browser)"
)
"""The exact command that installs the browser the checks need."""

AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
"""axe-core rule tags the browser checks run: WCAG 2.0 and 2.1, levels A and AA."""
AXE_IMPACTS = frozenset({"serious", "critical"})
"""Impacts of an axe violation that fail the check (minor and moderate ones are not reported)."""
AXE_BASELINE = Path(__file__).resolve().parents[1] / ".ci" / "axe-baseline.json"
"""Accepted axe violations: a JSON list of ``{"rule", "selector", "pages", "reason"}``; ``pages``
is a glob over page paths (``"*"`` for every page) and ``reason`` must say why it is accepted."""


@dataclass(frozen=True)
class AxeAccepted:
    """One accepted axe violation of the baseline (rule id, CSS selector, page glob, reason)."""

    rule: str
    selector: str
    pages: str
    reason: str

    def covers(self, page: str, rule: str, selector: str) -> bool:
        """Say whether this entry accepts ``rule`` at ``selector`` on ``page``."""
        return (rule == self.rule and selector == self.selector
                and fnmatch.fnmatch(page, self.pages))


def load_axe_baseline(path: Path = AXE_BASELINE) -> list[AxeAccepted]:
    """Read the accepted axe violations; every entry needs a rule, a selector and a reason.

    Raises
    ------
    ValueError
        If the file is not a list of such entries (the message names the entry).
    """
    if not Path(path).is_file():
        return []
    entries = json.loads(Path(path).read_text(encoding="utf-8"))
    accepted = []
    for i, entry in enumerate(entries if isinstance(entries, list) else [None]):
        if not (isinstance(entry, dict) and all(str(entry.get(k, "")).strip()
                                                for k in ("rule", "selector", "reason"))):
            raise ValueError(f"{path}: entry {i} needs 'rule', 'selector' and 'reason'")
        accepted.append(AxeAccepted(entry["rule"], entry["selector"], entry.get("pages", "*"),
                                    entry["reason"]))
    return accepted


def axe_problems(violations: Sequence[dict], page: str, tag: str,
                 baseline: Sequence[AxeAccepted] = ()) -> list[Problem]:
    """Turn axe-core's ``violations`` into problems: serious or critical, not in the baseline.

    Parameters
    ----------
    violations : sequence of dict
        ``results.violations`` of ``axe.run`` (each with ``id``, ``impact``, ``help`` and
        ``nodes`` holding ``target`` selectors).
    page, tag : str
        The page path and the run (``"1280px dark"``), for the message.
    baseline : sequence of AxeAccepted
        Accepted violations (:func:`load_axe_baseline`).
    """
    problems = []
    for violation in violations:
        if violation.get("impact") not in AXE_IMPACTS:
            continue
        rule = violation["id"]
        for node in violation.get("nodes", []):
            selector = " ".join(str(t) for t in node.get("target", []))
            if any(a.covers(page, rule, selector) for a in baseline):
                continue
            problems.append(Problem(page, "axe", f"{tag}: {rule} ({violation['impact']}) at "
                                    f"{selector!r}: {violation.get('help', '')}"))
    return problems


_LINK_ATTRS = {
    "a": "href", "area": "href", "link": "href", "img": "src", "script": "src",
    "source": "src", "iframe": "src", "video": "src", "audio": "src", "embed": "src",
}
_HEADING = re.compile(r"h([1-6])")


@dataclass(frozen=True)
class Problem:
    """One thing a reader would trip over.

    Parameters
    ----------
    page : str
        The page, relative to the HTML folder (``chapters/contact_evidence.html``).
    check : str
        Which check failed: ``link``, ``image``, ``xref``, ``alt-text``, ``heading-order``,
        ``load``, ``figure-render``, ``overflow``, ``dark-mode``, ``script-error`` or ``axe``
        (a WCAG violation found by axe-core, with its rule id and selector).
    detail : str
        What is wrong, where, and what would be right.
    """

    page: str
    check: str
    detail: str

    def __str__(self) -> str:
        """Format as ``page: [check] detail``."""
        return f"{self.page}: [{self.check}] {self.detail}"


@dataclass
class PageInfo:
    """What the static checks need from one HTML page (filled by :class:`_PageParser`)."""

    ids: set[str] = field(default_factory=set)
    links: list[tuple[str, str, int]] = field(default_factory=list)  # (tag, url, line)
    images: list[tuple[str, str | None, bool, int]] = field(default_factory=list)
    headings: list[tuple[int, str, int]] = field(default_factory=list)  # in <article> only
    broken_refs: list[tuple[str, int]] = field(default_factory=list)
    redirect: str | None = None


def html_pages(html_dir: Path) -> list[Path]:
    """Return every HTML page of a built book, sorted, skipping asset folders.

    Parameters
    ----------
    html_dir : Path
        The Sphinx HTML output folder (``_build/html``).

    Returns
    -------
    list of Path
        Absolute paths of the ``.html`` files outside :data:`SKIP_DIRS`.

    Raises
    ------
    FileNotFoundError
        If ``html_dir`` holds no ``index.html`` or no page at all (the book was not built).
    """
    html_dir = Path(html_dir).resolve()
    pages = sorted(
        p for p in html_dir.rglob("*.html")
        if not SKIP_DIRS.intersection(p.relative_to(html_dir).parts[:-1])
    )
    if not pages:
        raise FileNotFoundError(f"{html_dir}: no HTML pages; build the book first (nox -s book)")
    return pages


def parse_page(path: Path) -> PageInfo:
    """Parse one HTML file into the ids, links, images, headings and markers it contains."""
    parser = _PageParser()
    parser.feed(Path(path).read_text(encoding="utf-8"))
    parser.close()
    return parser.info


def check_links(html_dir: Path, pages: Sequence[Path] | None = None) -> list[Problem]:
    """Check every local link, image and anchor of the built book, offline.

    Each ``href``/``src`` without a scheme must name a file inside ``html_dir`` (a folder means
    its ``index.html``); a ``#fragment`` must be an ``id`` (or ``<a name>``) of the target page.
    Links to other sites are not followed (no network). Unresolved Sphinx cross-references
    (an ``xref`` element outside any link, or a docutils ``problematic`` marker) are reported too.

    Parameters
    ----------
    html_dir : Path
        The Sphinx HTML output folder.
    pages : sequence of Path, optional
        Pages to check; all of :func:`html_pages` by default.

    Returns
    -------
    list of Problem
        Empty when every link resolves.

    Examples
    --------
    >>> check_links(Path("_build/html"))  # doctest: +SKIP
    []
    """
    html_dir = Path(html_dir).resolve()
    pages = html_pages(html_dir) if pages is None else [Path(p).resolve() for p in pages]
    cache: dict[Path, PageInfo] = {}
    problems: list[Problem] = []
    for page in pages:
        info = _parsed(page, cache)
        name = page.relative_to(html_dir).as_posix()
        for tag, url, line in info.links:
            error = _resolve_error(html_dir, page, url, cache)
            if error:
                kind = "image" if tag == "img" else "link"
                problems.append(Problem(name, kind, f"line {line}: <{tag}> {url!r}: {error}"))
        for text, line in info.broken_refs:
            problems.append(Problem(
                name, "xref",
                f"line {line}: unresolved cross-reference {text!r} (Sphinx left it without a "
                "link; check the label or document name)",
            ))
    return problems


def check_accessibility(html_dir: Path, pages: Sequence[Path] | None = None) -> list[Problem]:
    """Check alt text of images and the order of headings in every page's article.

    Every ``<img>`` needs an ``alt`` attribute, and images inside the page's ``<article>`` (the
    book's figures) need a description: not empty and not just a file name (docutils writes
    the image's URI as its alt text when a figure has none). Headings inside the article must
    start at ``h1`` and never skip a level on the way down (``h1`` then ``h3`` is an error;
    ``h3`` then ``h2`` is fine).

    Parameters
    ----------
    html_dir : Path
        The Sphinx HTML output folder.
    pages : sequence of Path, optional
        Pages to check; all of :func:`html_pages` by default.

    Returns
    -------
    list of Problem
        Empty when every page passes.
    """
    html_dir = Path(html_dir).resolve()
    pages = html_pages(html_dir) if pages is None else [Path(p).resolve() for p in pages]
    problems: list[Problem] = []
    for page in pages:
        info = parse_page(page)
        name = page.relative_to(html_dir).as_posix()
        for src, alt, in_article, line in info.images:
            if alt is None or (in_article and _no_description(alt, src)):
                problems.append(Problem(
                    name, "alt-text",
                    f"line {line}: image {src!r} has no alt text (alt={alt!r}); give the "
                    "figure cell `image: alt: ...` metadata describing what it shows",
                ))
        previous = 0
        for level, text, line in info.headings:
            if previous == 0 and level != 1:
                problems.append(Problem(
                    name, "heading-order",
                    f"line {line}: first heading is h{level} {text!r}; a page starts with h1",
                ))
            elif level > previous + 1 and previous:
                problems.append(Problem(
                    name, "heading-order",
                    f"line {line}: h{previous} is followed by h{level} {text!r}; expected "
                    f"h{previous + 1} or higher (a skipped level)",
                ))
            previous = level
    return problems


def check_static(html_dir: Path, pages: Sequence[Path] | None = None) -> list[Problem]:
    """Run every offline check (:func:`check_links` and :func:`check_accessibility`)."""
    return check_links(html_dir, pages) + check_accessibility(html_dir, pages)


def find_chromium() -> str | None:
    """Return the path of Debian's Chromium (or ``$BOOK_CHROMIUM``), or None if absent."""
    override = os.environ.get("BOOK_CHROMIUM")
    if override:
        return override if Path(override).is_file() else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass
class BrowserReport:
    """Outcome of :func:`check_in_browser`: problems, screenshots written, pages, wall time."""

    problems: list[Problem]
    screenshots: list[Path]
    pages: list[str]
    seconds: float
    notes: list[str] = field(default_factory=list)


@contextmanager
def serve(html_dir: Path) -> Iterator[str]:
    """Serve ``html_dir`` over HTTP on 127.0.0.1 (a free port) and yield the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(html_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def check_in_browser(
    html_dir: Path,
    screenshot_dir: Path | None = None,
    *,
    pages: Sequence[Path] | None = None,
    widths: Sequence[int] = WIDTHS,
    dark: bool = True,
    chromium: str | None = None,
    timeout_s: float = 30.0,
    axe_baseline: Sequence[AxeAccepted] | None = None,
    run_axe: bool = True,
) -> BrowserReport:
    """Open every page in headless Chromium at each width, check it and take screenshots.

    Each page is served from 127.0.0.1 (requests to any other host are blocked, so the check is
    offline) and loaded in a fresh browser context per width. A page fails when it does not
    load (navigation error, HTTP error, a missing same-site asset, an uncaught script error, or
    an empty body), when an image does not decode (``naturalWidth`` 0), when the page or a table,
    code block, figure or output sticks out of the viewport without a scroll container of its
    own, when a display equation is cut off at the desktop width (its end hidden in its scroll
    box), or when a figure in the article has a transparent background (unreadable on the dark
    theme). With ``dark`` the pages are also rendered in the theme's dark mode at the first
    width. Pages that only redirect (``<meta http-equiv="refresh">``) are skipped here; the
    link check covers their target.

    Parameters
    ----------
    html_dir : Path
        The Sphinx HTML output folder.
    screenshot_dir : Path, optional
        Where full-page PNGs are written, as ``<page>.<width>.png`` and
        ``<page>.<width>-dark.png`` (``/`` in the page path becomes ``__``); none if omitted.
    pages : sequence of Path, optional
        Pages to open; all of :func:`html_pages` by default.
    widths : sequence of int, default (1280, 390)
        Viewport widths in CSS pixels.
    dark : bool, default True
        Also render every page in the dark theme at ``widths[0]``.
    chromium : str, optional
        Browser executable; :func:`find_chromium` by default.
    timeout_s : float, default 30
        Time limit for loading one page.
    axe_baseline : sequence of AxeAccepted, optional
        Accepted axe violations; :func:`load_axe_baseline` of :data:`AXE_BASELINE` by default.
    run_axe : bool, default True
        Run axe-core on every page (the slowest check; ``False`` for a quicker layout pass).

    Returns
    -------
    BrowserReport
        Problems found, screenshot paths, pages opened and wall time.

    Raises
    ------
    RuntimeError
        If Chromium is not installed (the message gives the install command).
    """
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    start = time.perf_counter()
    axe = Axe() if run_axe else None
    baseline = load_axe_baseline() if axe_baseline is None else list(axe_baseline)
    html_dir = Path(html_dir).resolve()
    executable = chromium or find_chromium()
    if executable is None:
        raise RuntimeError(f"headless Chromium is not installed; install it with: {INSTALL_HINT}")
    pages = html_pages(html_dir) if pages is None else [Path(p).resolve() for p in pages]
    if screenshot_dir is not None:
        screenshot_dir = Path(screenshot_dir)
        screenshot_dir.mkdir(parents=True, exist_ok=True)
    problems: list[Problem] = []
    shots: list[Path] = []
    opened: list[str] = []
    notes: list[str] = []
    runs = [(w, False) for w in widths] + ([(widths[0], True)] if dark else [])
    with serve(html_dir) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=list(CHROMIUM_FLAGS[1:]),
        )
        try:
            for width, is_dark in runs:
                context = browser.new_context(
                    viewport={"width": width, "height": 900},
                    color_scheme="dark" if is_dark else "light",
                    device_scale_factor=1,
                )
                if is_dark:
                    context.add_init_script(_DARK_MODE_JS)
                # only requests to other hosts are intercepted (and blocked): routing every
                # local request through Python would slow each page down
                context.route(re.compile("^(?!" + re.escape(base) + ")"),
                              functools.partial(_block, notes=notes))
                try:
                    for page_path in pages:
                        name = page_path.relative_to(html_dir).as_posix()
                        if page_path.is_file() and parse_page(page_path).redirect is not None:
                            continue
                        if name not in opened:
                            opened.append(name)
                        tag = f"{width}px" + (" dark" if is_dark else "")
                        found = _check_one(
                            context, base + name, name, tag, timeout_s, PlaywrightError,
                            shot=(screenshot_dir / _shot_name(name, width, is_dark)
                                  if screenshot_dir is not None else None),
                            is_dark=is_dark, axe=axe, axe_baseline=baseline,
                        )
                        problems.extend(found[0])
                        if found[1] is not None:
                            shots.append(found[1])
                finally:
                    context.close()
        finally:
            browser.close()
    return BrowserReport(problems, shots, opened, time.perf_counter() - start, sorted(set(notes)))


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the static checks, then the browser checks; 1 if anything failed."""
    parser = argparse.ArgumentParser(prog="python -m bookkit.site_checks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("html_dir", nargs="?", default="_build/html", type=Path)
    parser.add_argument("--screenshots", type=Path, default=Path("_build/screenshots"))
    parser.add_argument("--no-browser", action="store_true", help="static checks only")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        pages = html_pages(args.html_dir)
    except FileNotFoundError as err:
        print(f"FAIL {err}", file=sys.stderr)
        return 1
    problems = check_static(args.html_dir, pages)
    print(f"static checks: {len(pages)} pages, {len(problems)} problems "
          f"({time.perf_counter() - start:.1f} s)")
    if not args.no_browser:
        if find_chromium() is None:
            print(f"FAIL headless Chromium is not installed; install it with: {INSTALL_HINT}",
                  file=sys.stderr)
            return 1
        for stale in args.screenshots.glob("*.png"):
            stale.unlink()  # a page removed from the book must not leave its old screenshot
        report = check_in_browser(args.html_dir, args.screenshots, pages=pages)
        problems += report.problems
        for note in report.notes:
            print(f"note: {note}")
        print(f"browser checks: {len(report.pages)} pages x {len(WIDTHS)} widths + dark mode, "
              f"{len(report.problems)} problems, {len(report.screenshots)} screenshots in "
              f"{args.screenshots} ({report.seconds:.1f} s)")
    for problem in problems:
        print(f"FAIL {problem}", file=sys.stderr)
    return 1 if problems else 0


# --- helpers -------------------------------------------------------------------------------


class _PageParser(HTMLParser):
    """Collect ids, links, images, article headings and broken-reference markers of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.info = PageInfo()
        self._article = 0
        self._anchor = 0
        self._heading: list[object] | None = None  # [level, text parts, line]
        self._marker: list[object] | None = None  # [tag, text parts, line] of a broken xref

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        line = self.getpos()[0]
        if "id" in a:
            self.info.ids.add(a["id"])
        if tag == "a" and "name" in a:
            self.info.ids.add(a["name"])
        if tag == "article":
            self._article += 1
        if tag == "a":
            self._anchor += 1
        attr = _LINK_ATTRS.get(tag)
        if attr and a.get(attr):
            self.info.links.append((tag, a[attr].strip(), line))
        if tag == "img":
            alt = dict(attrs).get("alt")
            self.info.images.append((a.get("src", ""), alt, self._article > 0, line))
        if tag == "meta" and a.get("http-equiv", "").lower() == "refresh":
            match = re.search(r"url\s*=\s*(.+)", a.get("content", ""), re.IGNORECASE)
            if match:
                self.info.redirect = match.group(1).strip().strip("'\"")
                self.info.links.append(("meta", self.info.redirect, line))
        classes = a.get("class", "").split()
        if self._marker is None and (
            "problematic" in classes or ("xref" in classes and self._anchor == 0)
        ):
            self._marker = [tag, [], line]
        heading = _HEADING.fullmatch(tag)
        if heading and self._article > 0:
            self._heading = [int(heading.group(1)), [], line]

    def handle_endtag(self, tag: str) -> None:
        if self._marker is not None and tag == self._marker[0]:
            _, parts, line = self._marker
            self.info.broken_refs.append((" ".join("".join(parts).split()), line))
            self._marker = None
        if tag == "article" and self._article:
            self._article -= 1
        if tag == "a" and self._anchor:
            self._anchor -= 1
        if self._heading is not None and tag == f"h{self._heading[0]}":
            level, parts, line = self._heading
            text = " ".join("".join(parts).split()).rstrip("#").strip()
            self.info.headings.append((level, text, line))
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._marker is not None:
            self._marker[1].append(data)
        if self._heading is not None:
            self._heading[1].append(data)


def _no_description(alt: str, src: str) -> bool:
    """Whether ``alt`` is empty or only a file name (docutils uses the URI when alt is unset)."""
    text = alt.strip()
    return (not text or text == src or Path(text).name == Path(urlsplit(src).path).name
            or re.fullmatch(r"\S+\.(png|jpe?g|gif|svg|webp)", text, re.IGNORECASE) is not None)


def _parsed(page: Path, cache: dict[Path, PageInfo]) -> PageInfo:
    """Parse ``page`` once per check run."""
    if page not in cache:
        cache[page] = parse_page(page)
    return cache[page]


def _resolve_error(html_dir: Path, page: Path, url: str, cache: dict[Path, PageInfo]) -> str:
    """Return why a local ``url`` on ``page`` does not resolve, or "" if it does (or is remote)."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or url.startswith("//"):
        return ""  # another site, mailto:, data:, javascript: - not checked offline
    path = unquote(parts.path)
    if path.startswith("/"):
        target = (html_dir / path.lstrip("/")).resolve()
    elif path:
        target = (page.parent / path).resolve()
    else:
        target = page
    if target != html_dir and html_dir not in target.parents:
        return "points outside the built book"
    if target.is_dir():
        target = target / "index.html"
    if not target.is_file():
        return f"no such file {target.relative_to(html_dir).as_posix()}"
    fragment = unquote(parts.fragment)
    if fragment and fragment != "top" and target.suffix == ".html":
        if fragment not in _parsed(target, cache).ids:
            return f"no element with id {fragment!r} in {target.relative_to(html_dir).as_posix()}"
    return ""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Static file handler that does not log every request to stderr."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
        """Log nothing."""


def _block(route: object, request: object, *, notes: list[str]) -> None:
    """Block a request to another host (the check is offline) and note which host it was."""
    url = request.url  # type: ignore[attr-defined]
    notes.append(f"blocked request to another host (offline check): {urlsplit(url).netloc}")
    route.abort()  # type: ignore[attr-defined]


def _shot_name(name: str, width: int, dark: bool) -> str:
    """File name of a page's screenshot: ``chapters__x.1280.png`` or ``...1280-dark.png``."""
    stem = name.removesuffix(".html").replace("/", "__")
    return f"{stem}.{width}{'-dark' if dark else ''}.png"


def _check_one(
    context: object, url: str, name: str, tag: str, timeout_s: float, error_type: type,
    *, shot: Path | None, is_dark: bool, axe: object | None = None,
    axe_baseline: Sequence[AxeAccepted] = (),
) -> tuple[list[Problem], Path | None]:
    """Load one page in ``context``, evaluate the in-page checks, save its screenshot."""
    problems: list[Problem] = []
    page = context.new_page()  # type: ignore[attr-defined]
    script_errors: list[str] = []
    failed: list[str] = []
    origin = url.split("/", 3)[:3]
    page.on("pageerror", lambda exc: script_errors.append(str(exc).splitlines()[0]))
    page.on("requestfailed", lambda req: failed.append(req.url)
            if req.url.split("/", 3)[:3] == origin else None)
    page.on("response", lambda resp: failed.append(f"{resp.url} (HTTP {resp.status})")
            if resp.status >= 400 and resp.url != url and not resp.url.endswith("favicon.ico")
            else None)
    try:
        try:
            response = page.goto(url, wait_until="load", timeout=timeout_s * 1000)
        except error_type as err:
            problems.append(Problem(name, "load", f"{tag}: page did not load: "
                                    f"{str(err).splitlines()[0]}"))
            return problems, None
        if response is None or response.status >= 400:
            status = "no response" if response is None else f"HTTP {response.status}"
            problems.append(Problem(name, "load", f"{tag}: page did not load ({status})"))
            return problems, None
        try:
            page.wait_for_load_state("networkidle", timeout=5000)
        except error_type:
            pass  # a page that keeps polling is not an error; the checks below still run
        result = page.evaluate(_PAGE_CHECK_JS)
        for asset in failed:
            problems.append(Problem(name, "load", f"{tag}: asset failed to load: {asset}"))
        for message in script_errors:
            problems.append(Problem(name, "script-error", f"{tag}: uncaught error: {message}"))
        if result["textLength"] == 0 or result["height"] == 0:
            problems.append(Problem(name, "load", f"{tag}: page rendered blank (no visible text)"))
        for src in result["broken"]:
            problems.append(Problem(name, "figure-render",
                                    f"{tag}: image {src!r} did not render (naturalWidth 0)"))
        if result["docOverflow"] > 1:
            problems.append(Problem(
                name, "overflow", f"{tag}: page is {result['docOverflow']} px wider than the "
                "window (readers must scroll sideways)"))
        for offender in result["offenders"][:5]:
            problems.append(Problem(
                name, "overflow", f"{tag}: {offender} sticks out of the window without a "
                "scroll container of its own"))
        for src in result["transparent"]:
            problems.append(Problem(
                name, "dark-mode", f"{tag}: figure {src!r} has a transparent background; it "
                "is unreadable on the dark theme (use analysis.display.figures.use_theme: white "
                "facecolor)"))
        if tag.startswith(f"{WIDTHS[0]}px"):  # on a phone a wide equation scrolls; here it is cut
            for equation in result["clippedMath"]:
                problems.append(Problem(
                    name, "overflow", f"{tag}: display equation {equation} is wider than the "
                    "text column and its end is hidden; break it over lines (aligned)"))
        if is_dark and result["hasThemeSwitch"] and result["theme"] != "dark":
            problems.append(Problem(name, "dark-mode", f"{tag}: the theme did not switch to "
                                    f"dark mode (data-theme={result['theme']!r})"))
        for interaction in BROWSER_CHECKS:
            for rule, message in interaction(page):
                problems.append(Problem(name, rule, f"{tag}: {message}"))
        if axe is not None:
            options = {"runOnly": {"type": "tag", "values": list(AXE_TAGS)},
                       "resultTypes": ["violations"]}
            found = axe.run(page, options=options)  # type: ignore[attr-defined]
            problems.extend(axe_problems(found.response.get("violations", []), name, tag,
                                         axe_baseline))
        if shot is not None:
            page.screenshot(path=str(shot), full_page=True)
            return problems, shot
        return problems, None
    finally:
        page.close()


_DARK_MODE_JS = """
try { localStorage.setItem('mode', 'dark'); localStorage.setItem('theme', 'dark'); } catch (e) {}
"""

_PAGE_CHECK_JS = """
async () => {
  const vw = document.documentElement.clientWidth;
  const imgs = [...document.querySelectorAll('img')];
  imgs.forEach(img => { if (img.loading === 'lazy') img.loading = 'eager'; });
  const settle = img => Promise.race([
    img.decode().catch(() => null), new Promise(r => setTimeout(r, 5000))]);
  await Promise.all(imgs.map(settle));
  const visible = el => {
    const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0;
  };
  const src = img => img.getAttribute('src') || '(no src)';
  const broken = imgs.filter(img => !(img.complete && img.naturalWidth > 0)).map(src);
  const article = document.querySelector('article') || document.body;
  const transparent = [];
  for (const img of article.querySelectorAll('img')) {
    if (!(img.naturalWidth > 0)) continue;
    const c = document.createElement('canvas');
    c.width = img.naturalWidth; c.height = img.naturalHeight;
    const g = c.getContext('2d');
    try {
      g.drawImage(img, 0, 0);
      const w = c.width - 1, h = c.height - 1;
      const corners = [[0, 0], [w, 0], [0, h], [w, h], [w >> 1, 0], [0, h >> 1]];
      const alpha = corners.map(([x, y]) => g.getImageData(x, y, 1, 1).data[3]);
      if (Math.min(...alpha) < 250) transparent.push(src(img));
    } catch (e) { /* cross-origin image: cannot be read, not ours */ }
  }
  const describe = el => {
    const cls = (el.getAttribute('class') || '').trim().split(/\\s+/).filter(Boolean)[0];
    const id = el.id ? '#' + el.id : '';
    return '<' + el.tagName.toLowerCase() + (id || (cls ? '.' + cls : '')) + '> ' +
      Math.round(el.getBoundingClientRect().width) + ' px wide';
  };
  const fits = r => r.right <= vw + 1 && r.left >= -1;
  const offenders = [];
  const selector = 'table, pre, img, svg, figure, mjx-container, .cell_output, .output, ' +
    'iframe, video';
  for (const el of article.querySelectorAll(selector)) {
    if (!visible(el)) continue;
    if (fits(el.getBoundingClientRect())) continue;
    let a = el.parentElement, scrolls = false;
    while (a && a !== document.documentElement) {
      const ox = getComputedStyle(a).overflowX;
      if ((ox === 'auto' || ox === 'scroll') && fits(a.getBoundingClientRect())) {
        scrolls = true; break;
      }
      a = a.parentElement;
    }
    if (!scrolls && !offenders.some(o => o.el.contains(el))) {
      offenders.push({el, text: describe(el)});
    }
  }
  return {
    broken, transparent,
    offenders: offenders.map(o => o.text),
    docOverflow: document.documentElement.scrollWidth - vw,
    textLength: (document.body ? document.body.innerText.trim().length : 0),
    height: (document.body ? document.body.scrollHeight : 0),
    theme: document.documentElement.dataset.theme || '',
    hasThemeSwitch: !!document.querySelector('.theme-switch-button'),
    clippedMath: [...article.querySelectorAll('mjx-container[display="true"]')]
      .filter(el => visible(el) && el.scrollWidth > el.clientWidth + 1)
      .map(el => {
        const box = el.closest('[id]');
        return (box && box.id ? '#' + box.id : 'an equation') + ' (' + el.scrollWidth +
          ' px in ' + el.clientWidth + ' px)';
      }),
  };
}
"""


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
