"""Text output for people, laid out with Rich.

Everything from the data goes in as `Text` (never markup), so a stray "[bold]" in a fact is
shown as written. Without colour the same layout comes out as plain text with no escapes.
"""

from __future__ import annotations

import io
import re

from rich import box
from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.panel import Panel
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from clonafacts.documents import Plain, entry_text
from clonafacts.errors import printable
from clonafacts.render.layout import (
    DISCLAIMER,
    NO_DATA,
    Block,
    Citations,
    cell_marks,
    cell_text,
    citation,
    comparison_markers,
    hit_place,
    medication_heading,
    medication_subtitle,
    section_blocks,
    snippet,
)
from clonafacts.render.options import RenderOptions

#: What goes between an entry and its citation markers: nothing, so the markers are part of the
#: last word and never wrap onto a line alone (a no-break space would not do: Rich wraps at any
#: Unicode space).
MARKS_JOIN = ""
# Placeholders for addresses while Rich lays out the page (private-use characters).
_URL_START, _URL_END = "\ue000", "\ue001"
_URL = re.compile(f"{_URL_START}(\\d+){_URL_END}")


# Words longer than this may be folded in a comparison table's narrow column.
LONG_WORD = 16


def _labels_line(count: int) -> str:
    return f"And {count:,} imported FDA label{'s' if count != 1 else ''}: clonafacts list --labels"


class _Glyphs:
    def __init__(self, unicode: bool) -> None:
        self.bullet = "•" if unicode else "*"
        self.star = "★" if unicode else "*"
        self.warn = "⚠" if unicode else "!"
        self.dot = "·" if unicode else "-"
        self.ellipsis = "…" if unicode else "..."
        self.box = box.ROUNDED if unicode else box.ASCII
        self.heavy = box.HEAVY if unicode else box.ASCII
        self.table = box.SIMPLE_HEAD if unicode else box.ASCII2
        self.rule = "─" if unicode else "-"


def render(document: Plain, options: RenderOptions) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=max(options.width, 20),
        force_terminal=options.color,
        color_system="standard" if options.color else None,
        no_color=not options.color,
        highlight=False,
        emoji=False,
        markup=False,
        legacy_windows=False,
        soft_wrap=False,
    )
    painter = _Painter(document, options)
    for renderable in painter.body():
        console.print(renderable)
    console.print()
    console.print(Text(DISCLAIMER, style="dim"))
    text = painter.addresses(buffer.getvalue())
    # Rich pads table cells to the full width; trailing blanks are noise in a pipe or a diff.
    return "\n".join(line.rstrip(" ") for line in text.split("\n"))


class _Painter:
    def __init__(self, document: Plain, options: RenderOptions) -> None:
        self.document = document
        self.options = options
        self.glyph = _Glyphs(options.unicode)
        self.citations = Citations(document.get("sources", []))
        self.urls: list[str] = []

    def body(self) -> list[RenderableType]:
        kind = self.document["kind"]
        if kind == "section":
            return self._section_page()
        if kind == "medication":
            return self._medication_page()
        if kind == "search":
            return self._search()
        if kind == "list":
            return [self._list()]
        if kind == "comparison":
            return self._comparison()
        return self._sources()

    # Pages ---------------------------------------------------------------------------------

    def _header(self, medication: Plain, title: str) -> RenderableType:
        heading = Text(medication_heading(medication), style="bold")
        heading.append(f" {self.glyph.dot} {title}", style="bold")
        sub = Text(medication_subtitle(medication), style="dim")
        if not self.options.terminal:
            return Group(heading, sub)
        return Panel(Group(heading, sub), box=self.glyph.box, border_style="dim", expand=True)

    def _section_page(self) -> list[RenderableType]:
        doc = self.document
        out: list[RenderableType] = [self._header(doc["medication"], doc["content"]["title"])]
        out += self._section_body(doc["section"], doc["content"])
        out += self._citation_list()
        return out

    def _medication_page(self) -> list[RenderableType]:
        doc = self.document
        medication = doc["medication"]
        out: list[RenderableType] = [self._header(medication, "All sections")]
        out.append(Text(medication["summary"], style="italic"))
        for name, content in doc["sections"].items():
            out.append(Text(""))
            title = Text(f" {content['title']} ", style="bold")
            # A rule on a terminal wide enough to hold the title; else the heading alone.
            if not self.options.terminal or len(title) + 4 > self.options.width:
                out.append(Text(content["title"], style="bold underline"))
            else:
                out.append(Rule(title, characters=self.glyph.rule, align="left", style="dim"))
            out += self._section_body(name, content)
        out += self._citation_list()
        return out

    def _section_body(self, section: str, content: Plain) -> list[RenderableType]:
        out: list[RenderableType] = [Text(content["summary"], style="italic")]
        for block in section_blocks(section, content, self.options.brief):
            out.append(Text(""))
            out.append(self._block(block))
        return out

    # Blocks --------------------------------------------------------------------------------

    def _block(self, block: Block) -> RenderableType:
        if block.kind in ("alert", "boxed"):
            body = (
                Group(*(self._line(entry, "") for entry in block.entries))
                if block.kind == "alert"
                else Group(
                    *(self._line(entry, self.glyph.bullet, indent=0) for entry in block.entries)
                )
            )
            title = Text(f"{self.glyph.warn} {block.heading}", style="bold red")
            if not self.options.terminal or self.options.width < 40:
                return Group(title, body)  # no frame off a terminal, nor one this narrow
            return Panel(
                body,
                title=title,
                title_align="left",
                box=self.glyph.heavy,
                border_style="red",
                expand=True,
            )
        heading = Text(block.heading, style="bold")
        if block.kind == "paragraphs":  # a label's own words: paragraphs as they are
            paragraphs = [Text(entry["text"]) for entry in block.entries]
            return Group(heading, *paragraphs) if block.heading else Group(*paragraphs)
        if block.kind == "conditions":
            return Group(heading, self._conditions(block.entries))
        if block.kind == "parameters":
            return Group(heading, self._parameters(block.entries))
        if block.kind == "steps":
            lines = [
                self._line(entry, f"{number}.") for number, entry in enumerate(block.entries, 1)
            ]
            return Group(heading, *lines)

        # Key entries stand out wherever they are: a star and bold text.
        lines = [
            self._line(e, self.glyph.star, "bold")
            if block.kind == "key" or e.get("key")
            else self._line(e, self.glyph.bullet)
            for e in block.entries
        ]
        return Group(heading, *lines)

    def _line(self, entry: Plain, marker: str, style: str = "", indent: int = 1) -> RenderableType:
        """One entry as a hanging-indent line: marker, text, citation markers."""
        text = self._entry(entry, style)
        if not marker:
            return text
        grid = Table.grid(padding=(0, 1))
        grid.add_column(width=len(marker), no_wrap=True)
        grid.add_column(ratio=1, overflow="fold")
        grid.add_row(Text(marker, style="bold" if marker == self.glyph.star else ""), text)
        return Padding(grid, (0, 0, 0, indent))

    def _entry(self, entry: Plain, style: str = "") -> Text:
        key = entry.get("key", False)
        if "stage" in entry:
            text = Text(entry["stage"] + (": " if entry["text"] else ""), style="bold")
            text.append(entry["text"], style=style)
        elif "name" in entry and "detail" in entry:
            text = Text(entry["name"], style="bold red" if key else style)
            if entry["detail"]:
                text.append(f" {self.glyph.dot} {entry['detail']}", style="red" if key else "")
        else:
            text = Text(entry_text(entry), style=style)
        if self.options.show_sources:
            text.append(MARKS_JOIN + self._marks(entry), style="dim")
        return text

    def _marks(self, entry: Plain) -> str:
        return "".join(f"[{number}]" for number in self.citations.markers(entry))

    def _conditions(self, entries: list[Plain]) -> RenderableType:
        # A table on a terminal with room; elsewhere, and on a narrow one, a block each.
        narrow = not self.options.terminal or self.options.width < 60
        table = Table(
            box=self.glyph.table, expand=True, show_edge=False, pad_edge=False, show_lines=True
        )
        table.add_column("Condition", style="bold", ratio=3, overflow="fold")
        table.add_column("Status", overflow="fold")
        table.add_column("Details", ratio=7, overflow="fold")
        blocks: list[RenderableType] = []
        for entry in entries:
            status = Text(entry["status"], style="bold" if entry["status"] == "labelled" else "")
            details = self._condition_details(entry)
            # The markers cite the whole condition: they go with its name.
            marks = Text(
                MARKS_JOIN + self._marks(entry) if self.options.show_sources else "", "dim"
            )
            if narrow:
                blocks.append(
                    Group(
                        Text.assemble((entry["name"], "bold"), " (", status, ")", marks),
                        Padding(details, (0, 0, 0, 1)),
                    )
                )
            else:
                table.add_row(Text.assemble(entry["name"], marks), status, details)
        return Group(*blocks) if narrow else table

    def _condition_details(self, entry: Plain) -> RenderableType:
        lines = [Text(detail) for detail in entry["details"]]
        if entry.get("population"):
            lines.append(Text(f"Who: {entry['population']}"))
        cell = Table.grid(padding=(0, 1))
        cell.add_column(no_wrap=True)
        cell.add_column(ratio=1, overflow="fold")
        for line in lines:
            cell.add_row(self.glyph.bullet, line)
        return cell

    def _parameters(self, entries: list[Plain]) -> RenderableType:
        if not self.options.terminal:  # name and value on a line each entry, no rules
            return Group(
                *(
                    self._line(
                        {**entry, "text": f"{entry['name']}: {entry['value']}"}, self.glyph.bullet
                    )
                    for entry in entries
                )
            )
        table = Table(box=self.glyph.table, expand=True, show_edge=False, pad_edge=False)
        table.add_column("Parameter", style="bold", ratio=2, overflow="fold")
        table.add_column("Value", ratio=3, overflow="fold")
        for entry in entries:
            value = Text(entry["value"])
            if self.options.show_sources:
                value.append(MARKS_JOIN + self._marks(entry), style="dim")
            table.add_row(Text(entry["name"]), value)
        return table

    def _citation_list(self) -> list[RenderableType]:
        if not self.options.show_sources or not self.citations.used():
            return []
        out: list[RenderableType] = [Text(""), Text("Sources", style="bold")]
        for number, source in self.citations.used():
            out.append(self._numbered(f"[{number}]", self._citation(source)))
        return out

    def _citation(self, source: Plain) -> RenderableType:
        """A citation, with its address whole on a line of its own: never broken, so it can be
        copied or clicked (a link, OSC 8, on a terminal). Rich would fold or crop a line
        longer than the width, so the address is a short placeholder until Rich is done."""
        url = source.get("url")
        text = Text(citation({**source, "url": None}))
        if not url:
            return text
        self.urls.append(url)
        return Group(text, Text(f"{_URL_START}{len(self.urls) - 1}{_URL_END}", no_wrap=True))

    def addresses(self, rendered: str) -> str:
        """The rendered text with each address placeholder replaced by its address."""

        def address(match: re.Match[str]) -> str:
            url = self.urls[int(match.group(1))]
            if self.options.terminal and self.options.color:
                return f"\x1b]8;;{url}\x1b\\{url}\x1b]8;;\x1b\\"
            return url

        return _URL.sub(address, rendered)

    def _numbered(self, label: str, text: RenderableType) -> RenderableType:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(width=len(label) + 1, no_wrap=True)
        grid.add_column(ratio=1, overflow="fold")
        grid.add_row(Text(label, style="dim"), text)
        return Padding(grid, (0, 0, 0, 1))

    # Other documents -----------------------------------------------------------------------

    def _search(self) -> list[RenderableType]:
        hits, total = self.document["hits"], self.document["total"]
        count = f"{total} match" + ("" if total == 1 else "es")
        if len(hits) < total:
            count += f", best {len(hits)} shown (--limit N for more)"
        out: list[RenderableType] = [Text(count, style="bold")]
        for hit in hits:
            where = Text(
                f"{hit['medication']['name']} {self.glyph.dot} {hit_place(hit)}", style="bold"
            )
            text = Text()
            for part, matched in snippet(hit, self.glyph.ellipsis):
                text.append(part, style="bold reverse" if matched else "")
            out.append(Group(Text(""), where, Padding(text, (0, 0, 0, 2))))
        return out

    def _list(self) -> RenderableType:
        # One block per medication: a path in "From" stays whole and can be copied.
        blocks: list[RenderableType] = []
        for med in self.document["medications"]:
            fields = Table.grid(padding=(0, 1))
            fields.add_column(no_wrap=True, style="dim")
            fields.add_column(ratio=1, overflow="fold")
            for label, value in (
                ("Brands", ", ".join(med["brands"]) or "-"),
                ("Class", med["drug_class"]),
                ("Sections", ", ".join(med["sections"])),
                ("From", printable(med["origin"])),  # a path: anything in it escaped
            ):
                fields.add_row(label, Text(value))
            title = Text(med["name"], style="bold")
            title.append(f" ({med['id']})", style="dim")
            blocks += (
                [Text(""), title, Padding(fields, (0, 0, 0, 2))]
                if blocks
                else [
                    title,
                    Padding(fields, (0, 0, 0, 2)),
                ]
            )
        count = self.document.get("labels_imported", 0)
        if count:
            blocks += [Text(""), Text(f"{_labels_line(count)}", style="dim")]
        return Group(*blocks)

    def _comparison(self) -> list[RenderableType]:
        """A table with a column per medication where the page is wide enough; else a block
        per row, each medication on a line of its own."""
        doc = self.document
        names = [medication["name"] for medication in doc["medications"]]
        title = Text("Compared: " + ", ".join(names), style="bold")
        if doc["section"]:
            title.append(f" {self.glyph.dot} {doc['section']}", style="bold")
        out: list[RenderableType] = [title]
        markers = comparison_markers(doc)

        def shown(cell: Plain) -> Text:
            text = Text(cell_text(cell["values"])) if cell["values"] else Text(NO_DATA, "dim")
            if self.options.show_sources and cell["sources"]:
                marks = "".join(f"[{n}]" for n in cell_marks(markers, cell))
                text.append(MARKS_JOIN + marks, style="dim")
            return text

        label_width = max(len(row["label"]) for row in doc["rows"]) if doc["rows"] else 0
        column = (self.options.width - label_width - 3 * len(names)) // max(len(names), 1)
        # A table only where the cells' words fit their column: a word broken across lines
        # ("Benzodiazepin" / "e") reads worse than a block per row. Very long words may fold.
        longest = max(
            (
                len(word)
                for row in doc["rows"]
                for cell in row["cells"]
                for value in cell["values"]
                for word in value.split()
            ),
            default=0,
        )
        fits = max(12, min(longest, LONG_WORD))
        # Without the label column (each row's label on a line above it), a column is wider.
        stacked = (self.options.width - 2 * (len(names) - 1)) // max(len(names), 1)
        if column >= fits:
            table = Table(
                box=self.glyph.table if self.options.terminal else None,
                show_lines=self.options.terminal,
                expand=True,
                pad_edge=False,
                show_edge=False,
            )
            table.add_column("", style="bold", no_wrap=True)
            for name in names:
                table.add_column(name, ratio=1, overflow="fold")
            for row in doc["rows"]:
                table.add_row(row["label"], *(shown(cell) for cell in row["cells"]))
            out += [Text(""), table]
        elif stacked >= fits:
            out += [Text(""), self._grid([Text(name, style="bold underline") for name in names])]
            for row in doc["rows"]:
                out += [Text(""), Text(row["label"], style="bold")]
                out.append(self._grid([shown(cell) for cell in row["cells"]]))
        else:
            for row in doc["rows"]:
                out += [Text(""), Text(row["label"], style="bold")]
                for name, cell in zip(names, row["cells"], strict=True):
                    line = Text(f"{name}: ", style="dim")
                    line.append_text(shown(cell))
                    out.append(Padding(line, (0, 0, 0, 2)))
        if self.options.show_sources and doc["sources"]:
            out += [Text(""), Text("Sources", style="bold")]
            for number, source in enumerate(doc["sources"], 1):
                by = Text(
                    f"{names[[m['id'] for m in doc['medications']].index(source['medication'])]}: "
                )
                by.append_text(Text(citation({**source, "url": None})))
                out.append(self._numbered(f"[{number}]", by))
        return out

    @staticmethod
    def _grid(cells: list[Text]) -> Table:
        """One row of equal columns: every row of a comparison gets the same widths, so they
        line up under the medications' names."""
        grid = Table.grid(expand=True, padding=(0, 2, 0, 0))
        for _ in cells[:-1]:
            grid.add_column(ratio=1, overflow="fold")
        grid.add_column(ratio=1, overflow="fold")
        grid.add_row(*cells)
        return grid

    def _sources(self) -> list[RenderableType]:
        doc = self.document
        out: list[RenderableType] = [self._header(doc["medication"], "Sources")]
        for source in doc["sources"]:
            out.append(Text(""))
            head = Text(source["id"], style="bold")
            head.append(f"  ({source['kind']})", style="dim")
            cited = ", ".join(source["cited_by"]) or "not cited"
            out.append(
                Group(
                    head,
                    Padding(self._citation(source), (0, 0, 0, 2)),
                    Padding(Text(f"Cited by: {cited}", style="dim"), (0, 0, 0, 2)),
                )
            )
        return out
