"""``python -m sktcn``: the same command line as the ``sktcn`` console script."""

import sys

from sktcn.cli import main

sys.exit(main())
