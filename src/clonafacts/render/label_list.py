"""`list --labels`: the imported labels, written as they are read (there may be 150,000), in
every format. Each format is a generator of text chunks: the first appears at once."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from clonafacts.documents import SCHEMA_VERSION, Plain
from clonafacts.errors import printable
from clonafacts.render.markdown import escape

FIELDS = ("set_id", "name", "brand", "manufacturer", "effective", "application")
BATCH = 500  # rows per chunk written


def chunks(rows: Iterable[Plain], format_name: str, name: str | None) -> Iterator[str]:
    writer = {"json": _json, "yaml": _yaml, "markdown": _markdown}.get(format_name, _text)
    batch: list[str] = []
    for piece in writer(rows, name):
        batch.append(piece)
        if len(batch) >= BATCH:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


def _json(rows: Iterable[Plain], name: str | None) -> Iterator[str]:
    head = {"schema_version": SCHEMA_VERSION, "kind": "labels", "name": name}
    yield json.dumps(head, indent=2)[:-2] + ',\n  "labels": ['
    first = True
    for row in rows:
        yield ("\n    " if first else ",\n    ") + json.dumps(row)
        first = False
    yield "\n  ]\n}\n" if not first else "]\n}\n"


def _yaml(rows: Iterable[Plain], name: str | None) -> Iterator[str]:
    yield f"schema_version: {SCHEMA_VERSION}\nkind: labels\nname: {json.dumps(name)}\nlabels:"
    first = True
    for row in rows:
        first = False
        yield "\n" + "\n".join(
            f"{'- ' if key == 'set_id' else '  '}{key}: {json.dumps(row[key])}" for key in FIELDS
        )
    yield " []\n" if first else "\n"


def _markdown(rows: Iterable[Plain], name: str | None) -> Iterator[str]:
    yield f"# Imported labels{f': {escape(name)}' if name else ''}\n\n"
    yield "| Name | Brand | Labeller | Effective | Application | DailyMed set id |\n"
    yield "| --- | --- | --- | --- | --- | --- |\n"
    for row in rows:
        yield (
            f"| {escape(row['name'])} | {escape(row['brand'])} | {escape(row['manufacturer'])}"
            f" | {row['effective']} |"
            f" {escape(row['application'])} | {escape(row['set_id'])} |\n"
        )


def _text(rows: Iterable[Plain], name: str | None) -> Iterator[str]:
    for row in rows:
        brand = f" ({row['brand']})" if row["brand"] else ""
        maker = row["manufacturer"] or "no labeller named"
        application = row["application"] or "no application"
        line = (
            f"{row['name']}{brand} · {maker} · effective {row['effective']} · {application}"
            f" · set id {row['set_id']}"
        )
        yield printable(line) + "\n"
