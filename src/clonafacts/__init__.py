"""clonafacts: an offline command-line reference for medication facts."""

from clonafacts._version import __version__

__all__ = ["__version__"]
