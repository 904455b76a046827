"""The shipped clonazepam data covers every claim of the primary source, the overview text.

`tests/seed/overview.txt` is a copy of the project's primary source. Every sentence of it (and
every bullet) has an entry in CLAIMS below: the part of the seed it stands in, the opening words
of the sentence, the data section it must be in, and keywords that must all appear in one
fact-like entry of that section. A sentence added to the seed without an entry here fails
`test_claims_table_matches_seed`.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from clonafacts.facts.validation import validate_document
from clonafacts.facts.yamlfile import load
from clonafacts.store.discovery import shipped_data_dir

TESTS_DIR = Path(__file__).resolve().parent
REPO_ROOT = TESTS_DIR.parent
SEED = TESTS_DIR / "seed" / "overview.txt"
# The original seed, when the shared folder sits beside the checkout.
ORIGINAL_SEED = REPO_ROOT / ".." / "shared" / "seeds" / "000_e19e57f34940ed71.txt"

#: The seed's headings, in order, and the part of the seed each one opens.
HEADINGS = {
    "The Primary Clinical Uses of Clonazepam": "indications",
    "Pharmacological Classification and Action": "mechanism",
    "Adjunctive Use in Depression Treatment": "adjunctive",
    "Understanding Dependence and Withdrawal": "withdrawal",
}
FIRST_PART = "overview"  # the text before the first heading
PARTS = (FIRST_PART, *HEADINGS.values())

#: Where the claims of each seed part belong in the data.
SECTION_OF_PART = {part: part for part in PARTS}

# Keys of an entry whose values are not its wording.
_NOT_WORDING = {"sources", "tags", "status", "key"}

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_DOSE = re.compile(r"\b\d+(\.\d+)?\s*(mg|mcg|µg|milligram)", re.IGNORECASE)


def claim(
    part: str, opening: str, section: str, keywords: tuple[str, ...], slug: str
) -> Any:  # a pytest ParameterSet
    return pytest.param(part, opening, section, keywords, id=f"{part}-{slug}")


# One entry per seed sentence or bullet, in seed order: part, opening words of the sentence,
# data section, keywords (lowercase; all must appear in one entry of the section).
CLAIMS = [
    # --- overview: classification and role
    claim(
        "overview",
        "Clonazepam (Klonopin) is not classified",
        "overview",
        ("not", "primary antidepressant", "major depressive disorder"),
        "not-a-primary-antidepressant",
    ),
    claim(
        "overview",
        "The medication belongs to a class",
        "overview",
        ("central nervous system depressant", "slow", "brain"),
        "cns-depressant-slows-brain",
    ),
    claim(
        "overview",
        "When prescribed for depression",
        "overview",
        ("depression", "symptoms", "not at the core mood disorder"),
        "targets-symptoms-not-core-disorder",
    ),
    claim(
        "overview",
        "Its use is secondary",
        "overview",
        ("secondary", "relief", "other treatments"),
        "secondary-role",
    ),
    # --- indications: primary clinical uses
    claim(
        "indications",
        "Clonazepam is officially approved",
        "indications",
        ("approved", "seizure disorders", "lennox-gastaut", "akinetic", "myoclonic"),
        "approved-seizure-disorders",
    ),
    claim(
        "indications",
        "Its anticonvulsant properties help",
        "indications",
        ("anticonvulsant", "abnormal electrical", "brain"),
        "controls-abnormal-electrical-activity",
    ),
    claim(
        "indications",
        "For this reason, it is frequently used",
        "indications",
        ("children", "epilepsy", "other treatments"),
        "children-resistant-epilepsy",
    ),
    claim(
        "indications",
        "The drug is also a widely recognized",
        "indications",
        ("panic disorder", "agoraphobia"),
        "panic-disorder",
    ),
    claim(
        "indications",
        "It provides fast and effective relief",
        "indications",
        ("fear", "palpitations", "physical symptoms", "panic attacks", "quickly"),
        "fast-relief-of-panic-attacks",
    ),
    claim(
        "indications",
        "Clonazepam is considered a high-potency",
        "indications",
        ("high-potency", "long-acting", "sustained"),
        "high-potency-long-acting",
    ),
    claim(
        "indications",
        "Importantly, these primary indications",
        "indications",
        ("acute symptoms", "neurological", "anxiety", "chronic mood disorders are not"),
        "acute-symptoms-not-mood-disorders",
    ),
    # --- mechanism: pharmacological classification and action
    claim(
        "mechanism",
        "Clonazepam belongs to the benzodiazepine class",
        "mechanism",
        ("benzodiazepine", "psychoactive", "structure", "conventional antidepressants"),
        "benzodiazepine-class",
    ),
    claim(
        "mechanism",
        "The primary mechanism of action",
        "mechanism",
        ("main action", "strengthen", "gamma-aminobutyric acid", "gaba"),
        "enhances-gaba",
    ),
    claim(
        "mechanism",
        "GABA is the main inhibitory",
        "mechanism",
        ("gaba", "principal inhibitory", "central nervous system", "excitable"),
        "gaba-main-inhibitory-messenger",
    ),
    claim(
        "mechanism",
        "The medication acts by binding",
        "mechanism",
        ("binds", "specific sites", "gaba-a receptors", "nerve cells"),
        "binds-gaba-a-receptor",
    ),
    claim(
        "mechanism",
        "This binding acts as a positive",
        "mechanism",
        ("positive allosteric modulator", "responds more strongly to gaba"),
        "positive-allosteric-modulator",
    ),
    claim(
        "mechanism",
        "By strengthening GABA",
        "mechanism",
        ("chloride", "hyperpolarised", "less able to fire"),
        "chloride-hyperpolarisation-less-firing",
    ),
    claim(
        "mechanism",
        "This generalized slowing of nerve activity",
        "mechanism",
        ("slowing of nerve activity", "sedative", "anxiolytic", "muscle-relaxant"),
        "sedative-anxiolytic-muscle-relaxant",
    ),
    claim(
        "mechanism",
        "Unlike antidepressants, which typically target",
        "mechanism",
        ("monoamines", "serotonin", "norepinephrine", "biochemical imbalances", "mdd"),
        "not-monoaminergic",
    ),
    # --- adjunctive: use in depression
    claim(
        "adjunctive",
        "The clinical rationale for prescribing",
        "adjunctive",
        ("depression", "mood disorders", "anxiety disorders", "comorbid"),
        "rationale-comorbidity",
    ),
    claim(
        "adjunctive",
        "Major Depressive Disorder frequently co-occurs",
        "adjunctive",
        ("mdd", "severe anxiety", "panic attacks", "insomnia", "recovery", "prognosis"),
        "co-occurring-anxiety-panic-insomnia",
    ),
    claim(
        "adjunctive",
        "In these cases, clonazepam is used",
        "adjunctive",
        ("adjunctive", "limited time", "antidepressant regimen"),
        "added-temporarily-to-antidepressant",
    ),
    claim(
        "adjunctive",
        "Antidepressants, such as Selective Serotonin",
        "adjunctive",
        ("ssris", "several weeks", "anxiety", "agitation"),
        "antidepressant-latency",
    ),
    claim(
        "adjunctive",
        "Clonazepam can be used during this latency",
        "adjunctive",
        ("latency period", "quickly", "agitation", "sleep", "functioning"),
        "relief-during-latency",
    ),
    claim(
        "adjunctive",
        "This combination therapy can speed",
        "adjunctive",
        ("combination", "speed up", "response", "early dropout"),
        "faster-response-less-dropout",
    ),
    claim(
        "adjunctive",
        "This co-therapy is generally intended",
        "adjunctive",
        ("short-term", "few weeks", "few months", "antidepressant", "sleep"),
        "short-term-duration",
    ),
    claim(
        "adjunctive",
        "The temporary nature helps mitigate",
        "adjunctive",
        ("temporary", "risks", "long-term benzodiazepine use"),
        "temporary-limits-risks",
    ),
    claim(
        "adjunctive",
        "This strategy allows clinicians",
        "adjunctive",
        ("clinicians", "stabilise", "quickly", "underlying mood disorder"),
        "stabilise-quickly-long-term-focus",
    ),
    # --- withdrawal: dependence and withdrawal
    claim(
        "withdrawal",
        "The potential for developing tolerance",
        "withdrawal",
        ("tolerance", "physical dependence", "biggest concern", "long-term"),
        "tolerance-dependence-main-concern",
    ),
    claim(
        "withdrawal",
        "Tolerance occurs when the body adapts",
        "withdrawal",
        ("tolerance", "adapts", "higher doses", "effect it first had"),
        "tolerance-defined",
    ),
    claim(
        "withdrawal",
        "Physical dependence is a physiological state",
        "withdrawal",
        ("physical dependence", "function normally", "withdrawal symptoms", "abruptly"),
        "physical-dependence-defined",
    ),
    claim(
        "withdrawal",
        "Dependence is a common consequence",
        "withdrawal",
        ("dependence", "commonly", "long-term benzodiazepine", "addiction", "compulsive"),
        "dependence-not-addiction",
    ),
    claim(
        "withdrawal",
        "Abrupt cessation of clonazepam",
        "withdrawal",
        ("abruptly", "few weeks", "severe withdrawal syndrome", "gabaergic inhibition"),
        "abrupt-stop-withdrawal-syndrome",
    ),
    claim(
        "withdrawal",
        "This rebound effect causes",
        "withdrawal",
        ("rebound", "neurons", "hyperexcitability"),
        "rebound-hyperexcitability",
    ),
    claim(
        "withdrawal",
        "The most severe and potentially life-threatening",
        "withdrawal",
        ("seizures", "most severe", "life-threatening", "stopping suddenly"),
        "seizures-most-severe-risk",
    ),
    claim(
        "withdrawal",
        "Withdrawal symptoms can include:",
        "withdrawal",
        ("withdrawal symptoms", "rebound anxiety", "muscle cramps", "blood pressure"),
        "symptom-list",
    ),
    claim(
        "withdrawal",
        "- Severe rebound anxiety.",
        "withdrawal",
        ("severe rebound anxiety",),
        "symptom-rebound-anxiety",
    ),
    claim("withdrawal", "- Insomnia.", "withdrawal", ("insomnia",), "symptom-insomnia"),
    claim(
        "withdrawal",
        "- Tremors and sweating.",
        "withdrawal",
        ("tremor", "sweating"),
        "symptom-tremor-sweating",
    ),
    claim(
        "withdrawal",
        "- Muscle cramps.",
        "withdrawal",
        ("muscle cramps",),
        "symptom-muscle-cramps",
    ),
    claim(
        "withdrawal",
        "- Dangerous elevations in heart rate",
        "withdrawal",
        ("dangerous", "heart rate", "blood pressure"),
        "symptom-heart-rate-blood-pressure",
    ),
    claim(
        "withdrawal",
        "For this reason, clonazepam should never",
        "withdrawal",
        ("never stop", "suddenly", "medical advice"),
        "never-stop-suddenly",
    ),
    claim(
        "withdrawal",
        "A safe cessation process involves",
        "withdrawal",
        ("gradual", "medically supervised", "tapering", "central nervous system", "readjust"),
        "supervised-taper",
    ),
]

#: Each bullet of the seed's withdrawal-symptom list, and what its `symptoms` item must say.
SYMPTOM_BULLETS = {
    "Severe rebound anxiety.": ("rebound anxiety",),
    "Insomnia.": ("insomnia",),
    "Tremors and sweating.": ("tremor", "sweating"),
    "Muscle cramps.": ("muscle cramps",),
    "Dangerous elevations in heart rate and blood pressure.": ("heart rate", "blood pressure"),
}


# --- reading the seed


def seed_parts() -> dict[str, list[str]]:
    """The seed's lines, grouped by part (headings dropped, blank lines skipped)."""
    parts: dict[str, list[str]] = {FIRST_PART: []}
    current = FIRST_PART
    for raw in SEED.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            continue
        if line in HEADINGS:
            current = HEADINGS[line]
            assert current not in parts, f"heading {line!r} appears twice"
            parts[current] = []
            continue
        parts[current].append(line)
    return parts


def sentences(lines: list[str]) -> list[str]:
    """A part's sentences: prose split on sentence ends; each bullet line counts as one."""
    out: list[str] = []
    for line in lines:
        if line.startswith("- "):
            out.append(line)
        else:
            out += [piece for piece in _SENTENCE_END.split(line) if piece]
    return out


def bullets(lines: list[str]) -> list[str]:
    return [line.removeprefix("- ").strip() for line in lines if line.startswith("- ")]


# --- reading the data


@cache
def medication() -> dict[str, Any]:
    doc = load(shipped_data_dir() / "clonazepam.yaml")
    med, problems = validate_document(doc)
    assert med is not None, "\n".join(map(str, problems))
    data: dict[str, Any] = med.model_dump(mode="json")
    return data


def wording(entry: Any) -> str:
    """All the wording of one entry (fact, item, condition, step, parameter), lowercased."""
    if isinstance(entry, str):
        return entry.lower()
    if isinstance(entry, list):
        return " ".join(wording(value) for value in entry)
    if isinstance(entry, dict):
        return " ".join(wording(value) for key, value in entry.items() if key not in _NOT_WORDING)
    return ""


def entries(section: str) -> list[str]:
    """The wording of every fact-like entry of a section (title and summary excluded)."""
    data = medication()["sections"][section]
    assert data is not None, f"the data has no {section!r} section"
    found: list[str] = []
    for field, value in data.items():
        if field in ("title", "summary") or value is None:
            continue
        if isinstance(value, list):
            found += [wording(entry) for entry in value]
        else:  # a single fact: stop_warning, intended_duration
            found.append(wording(value))
    return found


def all_fact_texts(node: Any) -> list[str]:
    """Every string anywhere in the data."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [text for value in node for text in all_fact_texts(value)]
    if isinstance(node, dict):
        return [text for value in node.values() for text in all_fact_texts(value)]
    return []


# --- tests


@pytest.mark.parametrize(("part", "opening", "section", "keywords"), CLAIMS)
def test_seed_claim_is_covered(
    part: str, opening: str, section: str, keywords: tuple[str, ...]
) -> None:
    assert section == SECTION_OF_PART[part], f"claims of {part!r} belong in that section"
    assert all(word == word.lower() for word in keywords)
    matching = [text for text in entries(section) if all(word in text for word in keywords)]
    assert matching, (
        f"no entry of section {section!r} holds all of {keywords} (seed: {opening!r}...)"
    )


def test_claims_table_matches_seed() -> None:
    parts = seed_parts()
    assert tuple(parts) == PARTS, "the seed's headings changed"
    table: dict[str, list[str]] = {part: [] for part in PARTS}
    for param in CLAIMS:
        part, opening, _section, _keywords = param.values
        table[part].append(opening)
    for part in PARTS:
        seed_sentences = sentences(parts[part])
        assert len(table[part]) == len(seed_sentences), (
            f"seed part {part!r} has {len(seed_sentences)} sentences and bullets,"
            f" the table {len(table[part])} entries"
        )
        for opening, sentence in zip(table[part], seed_sentences, strict=True):
            assert sentence.startswith(opening), (
                f"table entry {opening!r} does not match seed sentence {sentence!r}"
            )


def test_every_seed_symptom_has_an_item() -> None:
    seed_bullets = bullets(seed_parts()["withdrawal"])
    assert sorted(seed_bullets) == sorted(SYMPTOM_BULLETS), "the seed's symptom list changed"
    items = [wording(item) for item in medication()["sections"]["withdrawal"]["symptoms"]]
    for bullet, keywords in SYMPTOM_BULLETS.items():
        assert any(all(word in item for word in keywords) for item in items), (
            f"no withdrawal.symptoms item for {bullet!r}"
        )
    seizures = [
        item
        for item in medication()["sections"]["withdrawal"]["symptoms"]
        if "seizure" in item["name"].lower()
    ]
    assert seizures, "seizures, the most severe risk, must be a symptom item"
    assert all(item["key"] for item in seizures)


def test_data_holds_no_dose() -> None:
    doses = [text for text in all_fact_texts(medication()) if _DOSE.search(text)]
    assert not doses, f"doses have no place in the data: {doses}"


def test_seed_copy_matches_original() -> None:
    if not ORIGINAL_SEED.is_file():
        pytest.skip(f"original seed not beside the checkout: {ORIGINAL_SEED}")
    assert SEED.read_bytes() == ORIGINAL_SEED.read_bytes(), "tests/seed/overview.txt is stale"
