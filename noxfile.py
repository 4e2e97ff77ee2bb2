"""Task runner: `nox -s book` builds the book, `nox -s tests` runs the tests.

`nox -s visual` checks the built book in headless Chromium (screenshots in `_build/screenshots`).

Sessions reuse their virtual environment and use uv when it is installed (plain venv otherwise).
Every session installs the exact pins of requirements.txt, then the project itself (the
`analysis` and `bookkit` packages).
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import nox

nox.options.default_venv_backend = "uv|venv"
nox.options.reuse_venv = "yes"
nox.options.sessions = ["tests"]

ROOT = Path(__file__).parent
BUILD = ROOT / "_build"
SITE = ROOT / "site"
TEX_COMMANDS = ("xelatex", "latexmk")
TEX_INSTALL = (
    "apt-get update && apt-get install -y --no-install-recommends texlive-latex-recommended "
    "texlive-latex-extra texlive-fonts-recommended texlive-xetex latexmk tex-gyre "
    "fonts-freefont-otf poppler-utils"
)


def install(session: nox.Session) -> None:
    """Install the pinned stack and the project (`analysis`, `bookkit`; editable) into the venv."""
    session.install("-r", "requirements.txt")
    session.install("--no-deps", "-e", ".")


def env(*, headless: bool = True) -> dict[str, str]:
    """Environment shared by sessions: JAX sees two host devices; tests plot headless; .pyc files.

    The book must not set MPLBACKEND: notebook kernels need matplotlib's inline backend.
    """
    return {
        **({"MPLBACKEND": "Agg"} if headless else {}),
        "XLA_FLAGS": "--xla_force_host_platform_device_count=2",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        # Write bytecode even where the shell sets PYTHONDONTWRITEBYTECODE (an empty value turns
        # it off): uv installs without .pyc files, so otherwise every chapter kernel, test
        # process and sampler run compiles PyMC, ArviZ and SciPy from source again (measured:
        # `import pymc, arviz` 8.7 s without .pyc files, 3.2 s with them).
        "PYTHONDONTWRITEBYTECODE": "",
    }


def build_book(session: nox.Session, *args: str, extra_env: dict[str, str] | None = None) -> None:
    """Run `jb build . -W -n --keep-going ARGS` in the book's environment (plus `extra_env`).

    -W turns every Sphinx warning (broken reference, missing glue key, bad citation) into an
    error; -n warns about every unresolved reference; --keep-going reports all of them. Notebook
    kernels need matplotlib's inline backend, so the build runs with `env(headless=False)`.
    """
    session.run("jb", "build", ".", "-W", "-n", "--keep-going", *args,
                env={**env(headless=False), **(extra_env or {})})


@nox.session
def book(session: nox.Session) -> None:
    """Build the HTML book (executing changed chapters only) and report per-chapter times."""
    install(session)
    start = time.perf_counter()
    build_book(session, *session.posargs)
    session.run("python", "-m", "bookkit", "build-report", env=env())
    session.log(f"book built in {time.perf_counter() - start:.1f} s")
    session.log(f"open {BUILD / 'html' / 'index.html'}")


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite (real, small MCMC fits included). Extra arguments go to pytest."""
    install(session)
    session.run("pytest", *(session.posargs or ["-q"]), env=env())


@nox.session
def visual(session: nox.Session) -> None:
    """Check the book as readers see it: every page in headless Chromium, links, accessibility.

    Builds the book first (cached chapters are not re-executed), then runs
    `python -m bookkit.site_checks`: offline link, alt-text and heading checks, and every page
    opened at 1280 px and 390 px (and in dark mode) with a screenshot in `_build/screenshots`.
    Installs Debian's Chromium through `.ci/install-browser` when it is missing (needs root;
    otherwise it fails and prints the install command).
    """
    if shutil.which("chromium") is None:
        session.run("bash", str(ROOT / ".ci" / "install-browser"), external=True)
    install(session)
    start = time.perf_counter()
    build_book(session, *session.posargs)
    built = time.perf_counter()
    session.run("python", "-m", "bookkit.site_checks", str(BUILD / "html"),
                "--screenshots", str(BUILD / "screenshots"), env=env())
    checked = time.perf_counter()
    session.log(f"book build {built - start:.1f} s, site checks {checked - built:.1f} s")


@nox.session
def lint(session: nox.Session) -> None:
    """Check code style with ruff."""
    install(session)
    session.run("ruff", "check", "analysis", "bookkit", "tests", "scripts", "benchmarks",
                "noxfile.py")


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmark build times, chapter execution, peak memory and NUTS backends.

    Writes benchmarks/results.md; pass options after `--` (e.g. `-- --skip-build`).
    """
    install(session)
    session.run("python", "benchmarks/bench.py", *session.posargs, env=env(headless=False))


LAB_SETTINGS = """{
  "@jupyterlab/docmanager-extension:plugin": {
    "defaultViewers": {"markdown": "Jupytext Notebook", "myst": "Jupytext Notebook"}
  }
}
"""
"""JupyterLab settings of `nox -s lab`: MyST chapters open as notebooks (jupytext), not as text."""


@nox.session
def lab(session: nox.Session) -> None:
    """Open the chapters as notebooks in JupyterLab, in the pinned environment.

    The chapters stay MyST text files; jupytext shows each as a notebook and saves it back as
    MyST, so outputs are never committed. Pass JupyterLab options after `--` (e.g.
    `-- --no-browser --port 8890`).
    """
    install(session)
    session.install("-r", "requirements-lab.txt")
    settings = Path(session.virtualenv.location) / "share" / "jupyter" / "lab" / "settings"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "overrides.json").write_text(LAB_SETTINGS, encoding="utf-8")
    session.run("jupyter", "lab", f"--notebook-dir={ROOT}", *session.posargs,
                env=env(headless=False))


@nox.session
def lock(session: nox.Session) -> None:
    """Re-resolve requirements.in (and requirements-lab.in against it) into exact pins."""
    session.install("uv")
    session.run("uv", "pip", "compile", "--python-version", "3.11", "requirements.in",
                "-o", "requirements.txt")
    session.run("uv", "pip", "compile", "--python-version", "3.11", "requirements-lab.in",
                "-c", "requirements.txt", "-o", "requirements-lab.txt")


@nox.session(venv_backend="none")
def clean(session: nox.Session) -> None:
    """Delete the built book and the execution cache (the next build executes everything)."""
    shutil.rmtree(BUILD, ignore_errors=True)


def require_tex(session: nox.Session) -> None:
    """Stop with the exact install command when TeX (xelatex, latexmk) is missing."""
    missing = [cmd for cmd in TEX_COMMANDS if shutil.which(cmd) is None]
    if missing:
        session.error(f"TeX is missing ({', '.join(missing)} not found). Install it (as root; "
                      f"~85 MB, or run .ci/install-tex):\n  {TEX_INSTALL}")


def build_pdf(session: nox.Session, extra_env: dict[str, str] | None = None) -> Path:
    """Build the whole book as one PDF through LaTeX (xelatex) and return its path."""
    require_tex(session)
    build_book(session, "--builder", "pdflatex", extra_env=extra_env)
    return BUILD / "latex" / "spreiding-en-integratie.pdf"


@nox.session
def pdf(session: nox.Session) -> None:
    """Build the book as one PDF (title page with version, commit and date) in _build/latex."""
    install(session)
    start = time.perf_counter()
    target = build_pdf(session)
    session.log(f"PDF built in {time.perf_counter() - start:.1f} s: {target}")


@nox.session
def release(session: nox.Session) -> None:
    """Build HTML + PDF of version X.Y.Z into site/vX.Y.Z/: `nox -s release -- X.Y.Z`.

    Executes every chapter afresh (clears the execution cache), refuses to overwrite an existing
    release, refreshes site/latest/ and site/switcher.json and writes the findings changelog
    against the previous release.
    """
    if len(session.posargs) != 1:
        session.error("usage: nox -s release -- X.Y.Z")
    version = session.posargs[0].removeprefix("v")
    if (SITE / f"v{version}").exists():
        session.error(f"release {version} exists in {SITE}; releases are never overwritten")
    install(session)
    require_tex(session)
    start = time.perf_counter()
    stamp = {"BOOK_VERSION": version}
    # A release executes every chapter afresh: the execution cache is keyed on the cells only,
    # so a change inside analysis/ alone would otherwise ship the previous findings.
    shutil.rmtree(BUILD / ".jupyter_cache", ignore_errors=True)
    shutil.rmtree(BUILD / "findings", ignore_errors=True)
    shutil.rmtree(BUILD / "fits", ignore_errors=True)  # and samples every shared fit again
    # --all re-writes every page so each carries this release's stamp (notebooks stay cached).
    build_book(session, "--all", extra_env=stamp)
    build_pdf(session, stamp)
    session.run("python", "-m", "bookkit", "publish-release", version, env={**env(), **stamp})
    session.log(f"release {version} built in {time.perf_counter() - start:.1f} s: "
                f"{SITE / ('v' + version) / 'index.html'}")


@nox.session
def reproduce(session: nox.Session) -> None:
    """Re-execute every chapter from scratch and check its findings (`-- --release X.Y.Z`)."""
    install(session)
    start = time.perf_counter()
    try:
        session.run("python", "-m", "bookkit", "reproduce", *session.posargs,
                    env=env(headless=False))
    finally:
        session.log(f"reproduce took {time.perf_counter() - start:.1f} s")
