"""A progress bar for long runs (an import): records, rate and time left, on a terminal only."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

#: Records between two updates of the bar: updating it costs more than reading a record.
EVERY = 200


@contextmanager
def records() -> Iterator[Callable[[int, int, int], None]]:
    """A function to call with (records read, bytes read, bytes in all); it shows them on
    stderr when that is a terminal, and does nothing otherwise."""
    if not sys.stderr.isatty():
        yield lambda count, done, total: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )

    with Progress(
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[records]:,} records"),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("import", total=None, records=0, rate="")

        def advance(count: int, done: int, total: int) -> None:
            if count % EVERY == 0:
                elapsed = bar.tasks[0].elapsed or 0.0
                rate = f"{count / elapsed:,.0f}/s" if elapsed else ""
                bar.update(task, completed=done, total=total, records=count, rate=rate)

        yield advance
