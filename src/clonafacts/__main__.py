"""`python -m clonafacts` and the `clonafacts` console script."""

from __future__ import annotations

import sys
from typing import NoReturn


def main() -> NoReturn:
    try:
        from clonafacts.fastpath import run

        code = run(sys.argv[1:])
        if code is not None:
            sys.exit(code)
        from clonafacts.cli import main as cli_main

        cli_main()
    except KeyboardInterrupt:
        from clonafacts.exitcodes import INTERRUPTED

        sys.exit(INTERRUPTED)


if __name__ == "__main__":
    main()
