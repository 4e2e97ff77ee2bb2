"""Run the command line of the book's machinery: ``python -m bookkit``."""

import sys

from bookkit.cli import main

sys.exit(main())
