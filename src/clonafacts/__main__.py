"""`python -m clonafacts` and the `clonafacts` console script."""

from __future__ import annotations

from typing import NoReturn


def main() -> NoReturn:
    from clonafacts.cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
