"""One base for what holds an SQLite connection and is used in a `with` block."""

from __future__ import annotations

from abc import ABC, abstractmethod
from types import TracebackType
from typing import Self


class Closing(ABC):
    """`with thing:` closes it at the end, whatever happened."""

    @abstractmethod
    def close(self) -> None:
        """Release what it holds (its connection)."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
