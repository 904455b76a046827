"""The section names and their order: shared by the models and the CLI (which must not import
pydantic just to know them)."""

from typing import Literal, get_args

SectionName = Literal[
    "overview",
    "indications",
    "mechanism",
    "adjunctive",
    "withdrawal",
    "warnings",
    "contraindications",
    "interactions",
    "adverse-effects",
    "overdose",
    "pharmacokinetics",
]

#: The order sections are shown in; `all` follows it.
SECTION_ORDER: tuple[SectionName, ...] = get_args(SectionName)

#: The commands that show sections: one each, and `all`.
LOOKUP_COMMANDS: tuple[str, ...] = (*SECTION_ORDER, "all")

#: The medication a lookup shows when none is named.
DEFAULT_DRUG = "clonazepam"
