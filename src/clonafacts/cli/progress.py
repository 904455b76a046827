"""A progress bar for long runs (an import): records, rate and time, on a terminal only."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def records() -> Iterator[Callable[[int], None]]:
    """A function to call with the number of records done so far; it shows them on stderr when
    that is a terminal, and does nothing otherwise."""
    if not sys.stderr.isatty():
        yield lambda count: None
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.completed:,} records"),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("import", total=None, rate="")

        def advance(count: int) -> None:
            if count % 200 == 0:
                elapsed = bar.tasks[0].elapsed or 0.0
                rate = f"{count / elapsed:,.0f}/s" if elapsed else ""
                bar.update(task, completed=count, rate=rate)

        yield advance
