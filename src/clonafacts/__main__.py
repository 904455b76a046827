"""`python -m clonafacts` and the `clonafacts` console script."""

from __future__ import annotations

import gc
import sys
from typing import NoReturn

# A run is short and makes few reference cycles, yet with the default threshold (700) the
# collector runs dozens of times during the imports alone: about 2 ms of a 35 ms lookup.
# Collect after 100,000 new objects instead, as mypy does for the same reason; long runs
# (a cold load of many files) still collect regularly. Only the console script does this:
# importing the package as a library leaves the host's settings alone.
GC_THRESHOLD = 100_000


def main() -> NoReturn:
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
    try:
        from clonafacts.cli.fastpath import run

        code = run(sys.argv[1:])
        if code is not None:
            sys.exit(code)
        from clonafacts.cli.app import main as cli_main

        cli_main()
    except KeyboardInterrupt:
        from clonafacts.cli.exitcodes import INTERRUPTED

        sys.exit(INTERRUPTED)


if __name__ == "__main__":
    main()
