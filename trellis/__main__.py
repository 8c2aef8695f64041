"""`python -m trellis` runs the same command line as the `trellis` script."""

import sys

from trellis.cli import main

sys.exit(main(fast_exit=True))
