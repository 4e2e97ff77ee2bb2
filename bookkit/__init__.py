"""The book's machinery, apart from the science in :mod:`analysis`.

Table of contents, build report, releases, findings comparison, reproduction, citation, site
and browser checks and the Sphinx extensions. It imports :mod:`analysis`; never the reverse.
"""
