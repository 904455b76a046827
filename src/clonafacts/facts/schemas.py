"""JSON Schemas: of a data file (for editors) and of the JSON output (for scripts)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from clonafacts.documents import SCHEMA_VERSION
from clonafacts.facts.models import (
    AdjunctiveSection,
    IndicationsSection,
    MechanismSection,
    Medication,
    Name,
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
    id: Slug
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
    | PharmacokineticsSection
)


class SectionDocument(_Out):
    schema_version: Literal[1]
    kind: Literal["section"]
    medication: MedicationRef
    section: SectionName
    content: AnySection
    sources: list[Source] = Field(
        description="Every source cited by the content or by the medication reference, in full"
    )


class MedicationDocument(_Out):
    schema_version: Literal[1]
    kind: Literal["medication"]
    medication: MedicationRef
    sections: Sections
    sources: list[Source]


class HitMedication(_Out):
    id: Slug
    name: str


class SearchHit(_Out):
    medication: HitMedication
    section: SectionName
    path: str = Field(description="Where in the section, e.g. symptoms[2]")
    text: str
    sources: list[Slug]


class SearchDocument(_Out):
    schema_version: Literal[1]
    kind: Literal["search"]
    query: list[str]
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
    schema_version: Literal[1]
    kind: Literal["list"]
    medications: list[MedicationSummary]


class CitedSource(Source):
    cited_by: list[str] = Field(description="Sections (or 'schedules') that cite the source")


class SourcesDocument(_Out):
    schema_version: Literal[1]
    kind: Literal["sources"]
    medication: MedicationRef
    sources: list[CitedSource]


OutputDocument = Annotated[
    SectionDocument | MedicationDocument | SearchDocument | ListDocument | SourcesDocument,
    Field(discriminator="kind"),
]


def output_schema() -> dict[str, Any]:
    schema = TypeAdapter(OutputDocument).json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"clonafacts JSON output, schema_version {SCHEMA_VERSION}"
    return schema
