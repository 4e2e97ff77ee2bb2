"""Acceptance: a broken model, or any chapter that raises, makes the book build fail.

Each test builds a tiny fixture book in a temporary folder with the project's own `_config.yml`
and the venv's `jb`, exactly as `nox -s book` does (`jb build . -W -n --keep-going`), and with
chapters that use the real `analysis` package.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.config import ROOT

pytestmark = pytest.mark.slow

HEADER = """---
jupytext:
  text_representation: {extension: .md, format_name: myst}
kernelspec: {display_name: Python 3, language: python, name: python3}
data_kind: simulated
---
"""

PASSING = HEADER + """
# A chapter that passes

```{code-cell} ipython3
from myst_nb import glue

glue("answer", 6 * 7, display=False)
```

The answer is {glue:text}`answer:.0f`.
"""

RAISES = HEADER + """
# A chapter that raises

```{code-cell} ipython3
raise RuntimeError("deliberate failure in the raising fixture chapter")
```
"""

ABSURD_PRIOR = HEADER + """
# Meta-analysis with a far too wide prior

```{code-cell} ipython3
import numpy as np

from analysis.models import MetaAnalysisPriors, build_meta_analysis
from analysis.inference.workflow import PriorCheck, run_workflow

absurd = MetaAnalysisPriors(mu_sd=10.0, tau_sd=10.0)
result = run_workflow(
    lambda: build_meta_analysis([0.1, 0.5, -0.2], [0.2, 0.3, 0.25], ["a", "b", "c"],
                                priors=absurd),
    label="absurd_prior: meta-analysis", seed=np.random.default_rng(1),
    var_names=["mu", "tau"], prior_check=PriorCheck("theta", bound=2.0, prob=0.95),
)
```
"""

CENTRED = HEADER + """
# Centred meta-analysis on three imprecise studies

```{code-cell} ipython3
import numpy as np

from analysis.models import build_meta_analysis
from analysis.inference.workflow import PriorCheck, run_workflow

result = run_workflow(
    lambda: build_meta_analysis([0.1, 0.5, -0.2], [0.6, 0.8, 0.7], ["a", "b", "c"],
                                centered=True),
    label="centred_tiny: centred meta-analysis", seed=np.random.default_rng(4),
    var_names=["mu", "tau"], prior_check=PriorCheck("theta", bound=2.0, prob=0.95),
)
```
"""

TABLE = HEADER + """
# A chapter with a table

```{code-cell} ipython3
import pandas as pd

from analysis.display.tables import register_table_formats

register_table_formats()
pd.DataFrame({"effect_size": [0.387, 0.452]}, index=pd.Index(["pooled_d", "tau"], name="name"))
```
"""


def make_book(folder: Path, chapters: dict[str, str]) -> Path:
    """Write a fixture book: the project's _config.yml, a minimal _toc.yml, the chapters."""
    shutil.copy(ROOT / "_config.yml", folder / "_config.yml")
    (folder / "book" / "_static").mkdir(parents=True)
    shutil.copy(ROOT / "book" / "references.bib", folder / "book" / "references.bib")
    for name in ("pyproject.toml", "CITATION.cff"):  # read by the version-stamp extension
        shutil.copy(ROOT / name, folder / name)
    # _config.yml's Sphinx extensions are the installed package bookkit.sphinx; the LaTeX style
    # file it names is the book's own.
    shutil.copytree(ROOT / "book" / "_latex", folder / "book" / "_latex",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "intro.md").write_text("# Fixture book\n\nA book that exists to be built.\n")
    entries = "\n".join(f"  - file: {name}" for name in chapters)
    (folder / "_toc.yml").write_text(f"format: jb-book\nroot: intro\nchapters:\n{entries}\n")
    for name, text in chapters.items():
        (folder / f"{name}.md").write_text(text)
    return folder


def build(book: Path, *builder: str) -> subprocess.CompletedProcess:
    """Run `jb build . -W -n --keep-going` (as `nox -s book`) and return the finished process."""
    jb = Path(sys.executable).parent / "jb"
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}  # kernels plot inline
    return subprocess.run([str(jb), "build", ".", "-W", "-n", "--keep-going", *builder], cwd=book,
                          env=env, capture_output=True, text=True, timeout=900, check=False)


def report(book: Path, process: subprocess.CompletedProcess) -> str:
    """Everything the build said: stdout, stderr and the saved execution error reports."""
    logs = sorted((book / "_build" / "html" / "reports").rglob("*.log"))
    return "\n".join([process.stdout, process.stderr, *(p.read_text() for p in logs)])


def test_fixture_book_with_a_passing_chapter_builds(tmp_path):
    """Control: the fixture book itself is sound, so the failures below come from the chapters."""
    book = make_book(tmp_path, {"passing": PASSING})
    process = build(book)
    assert process.returncode == 0, report(book, process)[-3000:]
    assert "The answer is" in (book / "_build" / "html" / "passing.html").read_text()


def test_a_chapter_that_raises_fails_the_build(tmp_path):
    book = make_book(tmp_path, {"raises": RAISES})
    process = build(book)
    assert process.returncode != 0
    assert "deliberate failure in the raising fixture chapter" in report(book, process)


def test_broken_models_fail_the_build_naming_chapter_and_check(tmp_path):
    book = make_book(tmp_path, {"absurd_prior": ABSURD_PRIOR, "centred_tiny": CENTRED})
    process = build(book)
    output = report(book, process)
    assert process.returncode != 0
    assert "absurd_prior: meta-analysis: failed the prior predictive check" in output
    assert "PriorPredictiveError" in output
    assert "centred_tiny: centred meta-analysis: the fit failed the convergence gate" in output
    assert "ConvergenceError" in output
    assert "divergences" in output


def test_tables_are_html_on_the_web_and_typeset_tables_in_latex(tmp_path):
    """A DataFrame output stays pandas' HTML table in the web book and becomes a real LaTeX
    table (not a plain-text block) in the PDF's source."""
    book = make_book(tmp_path, {"table": TABLE})
    process = build(book)
    assert process.returncode == 0, report(book, process)[-3000:]
    assert 'class="dataframe' in (book / "_build" / "html" / "table.html").read_text()
    process = build(book, "--builder", "latex")
    assert process.returncode == 0, report(book, process)[-3000:]
    tex = next((book / "_build" / "latex").glob("*.tex")).read_text()
    assert r"\begin{tabulary}" in tex
    assert r"pooled\_d" in tex and "0.452" in tex
    assert r"\AtBeginEnvironment{tabulary}{\footnotesize" in tex  # the book's table style


def test_no_prose_line_starts_with_a_myst_comment_marker():
    """A MyST line starting with '%' is a comment: a wrapped '% rental' would vanish."""
    offenders = []
    for page in [*ROOT.glob("chapters/*.md"), *ROOT.glob("book/*.md")]:
        in_code = False
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
            if line.lstrip().startswith(("```", "~~~")):
                in_code = not in_code
            elif not in_code and line.lstrip().startswith("%"):
                offenders.append(f"{page.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []
