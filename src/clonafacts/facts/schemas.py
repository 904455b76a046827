"""JSON Schemas: of a data file (for editors) and of the JSON output (for scripts)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from clonafacts.documents import SCHEMA_VERSION
from clonafacts.facts.models import (
    AdjunctiveSection,
    AdverseEffectsSection,
    ContraindicationsSection,
    IndicationsSection,
    InteractionsSection,
    MechanismSection,
    Medication,
    Name,
    OverdoseSection,
    OverviewSection,
    PharmacokineticsSection,
    Schedule,
    Sections,
    Slug,
    Source,
    WarningsSection,
    WithdrawalSection,
)
from clonafacts.sections import SectionName


def data_schema() -> dict[str, Any]:
    schema = Medication.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "clonafacts data file"
    return schema


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MedicationRef(_Out):
    id: str = Field(description="A curated medication's id; an imported label's DailyMed set id")
    name: Name
    brands: list[str]
    aliases: list[str]
    drug_class: str
    schedules: list[Schedule]
    summary: str


AnySection = (
    OverviewSection
    | IndicationsSection
    | MechanismSection
    | AdjunctiveSection
    | WithdrawalSection
    | WarningsSection
    | ContraindicationsSection
    | InteractionsSection
    | AdverseEffectsSection
    | OverdoseSection
    | PharmacokineticsSection
)


class LabelBlock(_Out):
    heading: str | None = Field(description="A subsection's heading, as the label writes it")
    paragraphs: list[str] = Field(description="The label's words, verbatim")


class LabelContent(_Out):
    """A section from an imported FDA label: its own words, not curated facts."""

    title: str
    summary: str
    source: str = Field(
        description="What the text is: the label, its labeller and date, and its DailyMed address"
    )
    blocks: list[LabelBlock]


ORIGIN_FIELD = Field(description='"curated" facts, or an imported "label"\'s text')


class SectionDocument(_Out):
    schema_version: Literal[2]
    kind: Literal["section"]
    origin: Literal["curated", "label"] = ORIGIN_FIELD
    medication: MedicationRef
    section: SectionName
    content: AnySection | LabelContent
    sources: list[Source] = Field(
        description="Every source cited by the content or by the medication reference, in full"
    )


class MedicationDocument(_Out):
    schema_version: Literal[2]
    kind: Literal["medication"]
    origin: Literal["curated", "label"] = ORIGIN_FIELD
    medication: MedicationRef
    sections: Sections | dict[SectionName, LabelContent]
    sources: list[Source]


class HitMedication(_Out):
    id: str
    name: str


class SearchHit(_Out):
    medication: HitMedication
    origin: Literal["curated", "label"] = Field(
        description="Curated facts, or an imported label's text (its medication id is then the"
        " label's DailyMed set id)"
    )
    section: SectionName | None = Field(
        description="The section of the entry; null for the medication's name, brands, "
        "aliases, class, summary and schedules"
    )
    path: str = Field(description="Where in the section (or the medication), e.g. symptoms[2]")
    text: str
    highlights: list[Annotated[list[int], Field(min_length=2, max_length=2)]] = Field(
        description="[start, end) character offsets of the matched words in text"
    )
    score: float = Field(description="Relevance (bm25); higher is better")
    sources: list[Slug]


class SearchDocument(_Out):
    schema_version: Literal[2]
    kind: Literal["search"]
    query: list[str]
    total: int = Field(description="How many entries match; hits holds the best of them")
    hits: list[SearchHit]


class MedicationSummary(_Out):
    id: Slug
    name: str
    brands: list[str]
    aliases: list[str]
    drug_class: str
    summary: str
    sections: list[SectionName]
    origin: str = Field(description='"shipped", or the path of the user data file')


class ListDocument(_Out):
    schema_version: Literal[2]
    kind: Literal["list"]
    medications: list[MedicationSummary]
    labels_imported: int = Field(description="How many FDA labels are imported (list --labels)")


class CitedSource(Source):
    cited_by: list[str] = Field(description="Sections (or 'schedules') that cite the source")


class SourcesDocument(_Out):
    schema_version: Literal[2]
    kind: Literal["sources"]
    medication: MedicationRef
    sources: list[CitedSource]


class LabelRow(_Out):
    set_id: str = Field(description="The label's DailyMed set id (--set-id)")
    name: str = Field(description="Its generic name, else its brand")
    brand: str
    manufacturer: str
    effective: str = Field(description="YYYY-MM-DD")
    application: str = Field(description="NDA..., ANDA..., BLA... or other")


class LabelsDocument(_Out):
    schema_version: Literal[2]
    kind: Literal["labels"]
    name: str | None = Field(description="The name asked for; null: every label")
    labels: list[LabelRow]


class ValidationProblem(_Out):
    path: str = Field(description="The file, as named to clonafacts")
    line: int | None = Field(description="1-based; null when the problem has no place")
    column: int | None
    message: str


class ValidationDocument(_Out):
    schema_version: Literal[2]
    kind: Literal["validation"]
    ok: bool
    files: list[str] = Field(description="Every file checked, as named to clonafacts")
    problems: list[ValidationProblem]


class ComparisonCell(_Out):
    medication: Slug = Field(description="The id of the medication of this column")
    values: list[str] = Field(description="Empty when the data says nothing here")
    sources: list[Slug] = Field(description="Ids among that medication's sources")


class ComparisonRow(_Out):
    key: str = Field(description="A stable key: drug_class, half_life... or a section field")
    label: str
    cells: list[ComparisonCell]


class ComparedSource(Source):
    medication: Slug = Field(description="The id of the medication whose source this is")


class ComparisonDocument(_Out):
    schema_version: Literal[2]
    kind: Literal["comparison"]
    medications: list[MedicationRef]
    section: SectionName | None = Field(description="The section compared; null: the default rows")
    rows: list[ComparisonRow]
    sources: list[ComparedSource]


class CardSource(_Out):
    id: Slug
    citation: str = Field(description="The reference in full, but its address")
    url: str | None
    quote: str | None = Field(description="The source's exact words the card rests on")


class Card(_Out):
    key: str = Field(
        description="Stable across data edits (medication/section/field/entry): Anki GUIDs and "
        "the quiz's review state are keyed by it"
    )
    type: Literal["basic", "cloze"]
    medications: list[Slug] = Field(description="Its medication, or those a contrast card compares")
    section: SectionName | Literal["compare"]
    deck: str
    front: str = Field(description="The question; a cloze card shows […] for its gap")
    back: str = Field(description="The answer; a cloze card's is its whole text")
    cloze: str | None = Field(description="Cloze cards: the text with its gap as {{c1::words}}")
    tags: list[str]
    sources: list[CardSource]
    updated: str | None = Field(description="The newest `updated` date of its medications")


class CardsDocument(_Out):
    schema_version: Literal[2]
    kind: Literal["cards"]
    medications: list[Slug]
    sections: list[SectionName | Literal["compare"]] | None = Field(
        description="The sections chosen; null: every section"
    )
    cards: list[Card]


class SeenCard(_Out):
    key: str
    due: str = Field(description="When it is due next: ISO 8601, UTC, to the second")
    state: Literal["learning", "review", "relearning"]
    reviews: int


class QuizStatsDocument(_Out):
    schema_version: Literal[2]
    kind: Literal["quiz-stats"]
    medications: list[Slug]
    sections: list[SectionName | Literal["compare"]] | None
    state_file: str = Field(description="The review state file")
    cards: int = Field(description="Cards in the selection (retired ones never count)")
    seen: int = Field(description="Reviewed at least once")
    due_today: int = Field(description="Due before the end of the local day, overdue included")
    new: int = Field(description="Never reviewed")
    new_today: int = Field(description="New cards first reviewed today, in any selection")
    next_due: str | None
    retention: float | None = Field(
        description="Share of the last 30 days' reviews rated Hard or better; null: none"
    )
    reviews_last_30_days: int
    total_reviews: int
    seen_cards: list[SeenCard] = Field(description="Sorted by when they are due")


OutputDocument = Annotated[
    SectionDocument
    | MedicationDocument
    | SearchDocument
    | ListDocument
    | SourcesDocument
    | ValidationDocument
    | ComparisonDocument
    | CardsDocument
    | QuizStatsDocument
    | LabelsDocument,
    Field(discriminator="kind"),
]


def output_schema() -> dict[str, Any]:
    schema = TypeAdapter(OutputDocument).json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"clonafacts JSON output, schema_version {SCHEMA_VERSION}"
    return schema
