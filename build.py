"""Entry point: `python build.py` builds the sample vault `site_src/` into `public/`.

Any arguments are those of the `trellis` command (`build`, `serve`, `check`).
"""

import sys

from trellis.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], fast_exit=True))
