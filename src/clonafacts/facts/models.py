"""The data model of a medication file: the contract between data authors, the tool and scripts.

Every model forbids unknown keys and coerces nothing (strict). Schemas are built lazily
(`defer_build`): a warm lookup reads already-validated data from the cache and never pays
for building validators it does not use.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from clonafacts.errors import UNSAFE_CHARACTERS
from clonafacts.facts.limits import (
    MAX_FACT_CHARS,
    MAX_ITEMS,
    MAX_LINE_CHARS,
    MAX_NAME_CHARS,
    MAX_QUOTE_CHARS,
    MAX_SOURCES,
    MAX_SOURCES_PER_FACT,
    MAX_TAGS,
)
from clonafacts.sections import SECTION_ORDER, SectionName

# Control characters (but newline), DEL, C1 controls and bidi overrides have no place in a fact.
# A pattern rather than a Python validator: pydantic checks it in Rust, which matters when a
# thousand files are loaded (validation.describe words the error). The escapes read the same in
# Rust, Python and the JavaScript of editors that use the JSON Schema.
_FORBIDDEN = UNSAFE_CHARACTERS.replace(r"\x00-\x1F", r"\x00-\x09\x0B-\x1F")  # newline allowed
SAFE_TEXT = f"^[^{_FORBIDDEN}]*$"  # a fact's text: it may hold line breaks
SAFE_LINE = f"^[^{UNSAFE_CHARACTERS}]*$"  # names, titles, summaries, values: one line
FORBIDDEN_CHARS = re.compile(f"[{_FORBIDDEN}]")


def _no_control_chars(value: str) -> str:
    found = FORBIDDEN_CHARS.search(value)
    if found:
        raise ValueError(control_character_message(value))
    return value


def control_character_message(value: str) -> str:
    found = FORBIDDEN_CHARS.search(value)
    if found is None:  # only a line break, in a one-line field
        position = value.index("\n") + 1
        return f"a line break (at position {position}) is not allowed here: one line only"
    return (
        f"control character U+{ord(found.group()):04X} at position {found.start() + 1}"
        " is not allowed"
    )


def _bounded(max_length: int, pattern: str = SAFE_LINE) -> StringConstraints:
    return StringConstraints(
        strip_whitespace=True, min_length=1, max_length=max_length, pattern=pattern
    )


Name = Annotated[str, _bounded(MAX_NAME_CHARS)]
Line = Annotated[str, _bounded(MAX_LINE_CHARS)]
FactText = Annotated[str, _bounded(MAX_FACT_CHARS, SAFE_TEXT)]
QuoteText = Annotated[str, _bounded(MAX_QUOTE_CHARS)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=64)]
Tag = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=40)]
Url = Annotated[
    str,
    StringConstraints(pattern=r"^https?://[^\s]+$", max_length=500),
    AfterValidator(_no_control_chars),
]


def _real_date(value: str) -> str:
    date.fromisoformat(value)  # a ValueError names what is wrong (month must be in 1..12)
    return value


#: A calendar date written as text, "2026-11-27" (the YAML loader takes no timestamps).
IsoDate = Annotated[
    str, StringConstraints(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"), AfterValidator(_real_date)
]
SourceIds = Annotated[list[Slug], Field(min_length=1, max_length=MAX_SOURCES_PER_FACT)]

SourceKind = Literal[
    "overview",
    "label",
    "safety-communication",
    "trial",
    "review",
    "guideline",
    "textbook",
    "article",
]
IndicationStatus = Literal["labelled", "adjunctive", "off-label"]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)


class Source(Model):
    """A reference that facts cite by `id`."""

    id: Slug
    title: Line
    authors: Line | None = Field(default=None, description="Authors, or the publisher")
    year: int | None = Field(default=None, ge=1900, le=2100)
    kind: SourceKind
    publication: Line | None = Field(default=None, description="Journal or series, with volume")
    url: Url | None = None
    locator: Line | None = Field(default=None, description="Where in the source, e.g. a heading")


class Quote(Model):
    """The exact words of a cited source that an entry rests on, so anyone can check it."""

    source: Slug = Field(description="The id of the cited source the words are from")
    text: QuoteText


Quotes = Annotated[
    list[Quote],
    Field(
        max_length=MAX_SOURCES_PER_FACT,
        description="The sources' exact words, one quote per source at most",
    ),
]


class Fact(Model):
    """One claim in our own words, with the sources that support it."""

    text: FactText
    sources: SourceIds
    quotes: Quotes = []
    key: bool = Field(default=False, description="One of the few facts a student must remember")
    tags: Annotated[list[Tag], Field(max_length=MAX_TAGS)] = []
    cloze: Name | None = Field(
        default=None,
        description="Words of `text` that a study card hides and asks for (a cloze deletion)",
    )

    @model_validator(mode="after")
    def _cloze_in_text(self) -> Fact:
        if self.cloze is not None and self.cloze not in self.text:
            raise ValueError(f"cloze {self.cloze!r} is not words of the fact's text")
        return self


class Item(Model):
    """A named entry of a structured list (a symptom, a target symptom), with its sources."""

    name: Name
    detail: Line | None = None
    key: bool = False
    sources: SourceIds
    quotes: Quotes = []


class Condition(Model):
    """An indication: what clonazepam is used for, and on what footing."""

    name: Name
    status: IndicationStatus
    details: Annotated[list[Line], Field(max_length=MAX_ITEMS)] = []
    population: Line | None = Field(default=None, description="Notes on who it is used in")
    sources: SourceIds
    quotes: Quotes = []


class MechanismStep(Model):
    """One link of the chain from molecular target to clinical effect."""

    stage: Name
    text: FactText
    sources: SourceIds
    quotes: Quotes = []


#: The pharmacokinetic properties that line up across medications (in `compare`): a stable key
#: beside each parameter's human name.
PkProperty = Literal[
    "bioavailability",
    "time_to_peak",
    "protein_binding",
    "volume_of_distribution",
    "metabolism",
    "cyp_enzymes",
    "active_metabolites",
    "half_life",
    "excretion",
]


class Parameter(Model):
    """A pharmacokinetic property and its value, as a phrase (never a dose)."""

    name: Name
    property: PkProperty | None = Field(
        default=None, description="The stable key of the property, for comparing medications"
    )
    value: Line
    sources: SourceIds
    quotes: Quotes = []


class Schedule(Model):
    """Controlled-substance status in one jurisdiction."""

    jurisdiction: Name
    schedule: Name
    sources: SourceIds
    quotes: Quotes = []


Facts = Annotated[list[Fact], Field(max_length=MAX_ITEMS)]
Items = Annotated[list[Item], Field(max_length=MAX_ITEMS)]


class Section(Model):
    title: Name
    summary: Line
    facts: Facts = []


class OverviewSection(Section):
    pass


class IndicationsSection(Section):
    conditions: Annotated[list[Condition], Field(max_length=MAX_ITEMS)] = []


class MechanismSection(Section):
    chain: Annotated[list[MechanismStep], Field(max_length=MAX_ITEMS)] = Field(
        default=[], description="Ordered from target to effect"
    )


class AdjunctiveSection(Section):
    rationale: Facts = []
    target_symptoms: Items = []
    intended_duration: Fact | None = None
    evidence: Facts = []


class WithdrawalSection(Section):
    stop_warning: Fact | None = Field(
        default=None, description="The warning against stopping abruptly, shown prominently"
    )
    risks: Facts = []
    symptoms: Items = []
    safe_stopping: Facts = []


class WarningsSection(Section):
    boxed_warning: Facts = Field(default=[], description="The parts of the boxed warning")
    major: Facts = Field(default=[], description="The label's other major warnings")


class ContraindicationsSection(Section):
    conditions: Items = Field(default=[], description="Who or what it must not be used in")


class InteractionsSection(Section):
    agents: Items = Field(
        default=[], description="Each interacting agent or class; detail: the effect"
    )


class AdverseEffectsSection(Section):
    serious: Items = []
    common: Items = []


class OverdoseSection(Section):
    signs: Items = Field(default=[], description="What overdose looks like")
    management: Facts = Field(default=[], description="Its management, and its caveats")


class PharmacokineticsSection(Section):
    parameters: Annotated[list[Parameter], Field(max_length=MAX_ITEMS)] = []


class Sections(Model):
    # A section's key in the data and in the output is its name (`adverse-effects`), which is
    # not always a Python name: dumps use the aliases too, so data round-trips.
    model_config = ConfigDict(
        extra="forbid", strict=True, frozen=True, defer_build=True, serialize_by_alias=True
    )

    overview: OverviewSection | None = None
    indications: IndicationsSection | None = None
    mechanism: MechanismSection | None = None
    adjunctive: AdjunctiveSection | None = None
    withdrawal: WithdrawalSection | None = None
    warnings: WarningsSection | None = None
    contraindications: ContraindicationsSection | None = None
    interactions: InteractionsSection | None = None
    adverse_effects: AdverseEffectsSection | None = Field(default=None, alias="adverse-effects")
    overdose: OverdoseSection | None = None
    pharmacokinetics: PharmacokineticsSection | None = None

    def present(self) -> list[SectionName]:
        return [name for name in SECTION_ORDER if getattr(self, _field(name)) is not None]

    @model_validator(mode="after")
    def _at_least_one(self) -> Sections:
        if not self.present():
            raise ValueError("a medication needs at least one section")
        return self


def _field(section: str) -> str:
    """The model field of a section (`adverse-effects` -> `adverse_effects`)."""
    return section.replace("-", "_")


class Medication(Model):
    """One data file: a medication and everything we say about it."""

    id: Slug
    name: Name
    brands: Annotated[list[Name], Field(max_length=MAX_ITEMS)] = []
    aliases: Annotated[list[Name], Field(max_length=MAX_ITEMS)] = []
    drug_class: Line
    classes: Annotated[list[Slug], Field(max_length=MAX_TAGS)] = Field(
        default=[],
        description="Classes to compare it within, such as 'benzodiazepines' (compare CLASS)",
    )
    schedules: Annotated[list[Schedule], Field(max_length=MAX_ITEMS)] = []
    summary: Line
    updated: IsoDate | None = Field(
        default=None,
        description="When the facts were last changed (YYYY-MM-DD): study cards take it as"
        " their modification time, so Anki updates its notes from a newer export",
    )
    sources: Annotated[list[Source], Field(min_length=1, max_length=MAX_SOURCES)]
    sections: Sections
