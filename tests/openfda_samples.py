"""Small label files in openFDA's exact shape, written for the tests: fictional medications,
with the quirks of the real files (headings inside the text, subsections, lost line breaks,
HTML tables) and hostile records."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

HOLDER_SET_ID = "aaaaaaaa-1111-4000-8000-000000000001"
REPACKAGER_SET_ID = "aaaaaaaa-1111-4000-8000-000000000002"
OTC_SET_ID = "aaaaaaaa-1111-4000-8000-000000000003"
DUO_X_SET_ID = "aaaaaaaa-1111-4000-8000-000000000004"
DUO_Y_SET_ID = "aaaaaaaa-1111-4000-8000-000000000005"


def _openfda(brand: str, generic: str, maker: str, application: str, kind: str) -> dict[str, Any]:
    return {
        "brand_name": [brand],
        "generic_name": [generic],
        "substance_name": [generic.split(" ")[0]],
        "manufacturer_name": [maker],
        "product_type": [kind],
        "route": ["ORAL"],
        "pharm_class_epc": ["Fictional Reuptake Inhibitor [EPC]"],
        "application_number": [application],
        "spl_set_id": ["ignored"],
    }


def holder_label(effective: str = "20230115", version: str = "7") -> dict[str, Any]:
    return {
        "id": "label-holder-v" + version,
        "set_id": HOLDER_SET_ID,
        "version": version,
        "effective_time": effective,
        "openfda": _openfda(
            "Examplor",
            "EXAMPLOXETINE HYDROCHLORIDE",
            "Holder Pharma",
            "NDA012345",
            "HUMAN PRESCRIPTION DRUG",
        ),
        "boxed_warning": [
            "WARNING: SUICIDAL THOUGHTS AND BEHAVIORS\nExamplor increased the risk of"
            " imaginary thoughts in tests [see Warnings and Precautions (5.1)]."
        ],
        "indications_and_usage": [
            "1 INDICATIONS AND USAGE\n\n\n1.1 Testing Disorder\nEXAMPLOR is indicated for the"
            " treatment of testing disorder in adults.\n\n\n1.2 Fixture Anxiety\nEXAMPLOR is"
            " indicated for fixture anxiety."
        ],
        "dosage_and_administration": ["2 DOSAGE AND ADMINISTRATION 2.1 Take 50 mg daily."],
        "mechanism_of_action": [
            "12.1 Mechanism of Action The mechanism of examploxetine is presumed to be linked"
            " to imaginary reuptake inhibition."
        ],
        "clinical_pharmacology": [
            "12 CLINICAL PHARMACOLOGY 12.1 Mechanism of Action The mechanism of examploxetine"
            " is presumed to be linked to imaginary reuptake inhibition. 12.3 Pharmacokinetics"
            " Examploxetine has a half-life of about 26 hours in tests."
        ],
        "pharmacokinetics": [
            "12.3 Pharmacokinetics Examploxetine has a half-life of about 26 hours in tests."
        ],
        "warnings_and_cautions": [
            "5 WARNINGS AND PRECAUTIONS 5.1 Suicidal Thoughts Monitor all patients. 5.2 Falls"
            " Examplor may cause imaginary falls."
        ],
        "adverse_reactions": [
            "6 ADVERSE REACTIONS The most common adverse reactions were nausea and fictional"
            " insomnia."
        ],
        "adverse_reactions_table": [
            "<table><tr><th>Reaction</th><th>Examplor</th></tr><tr><td>Nausea<script>alert(1)"
            "</script></td><td>25%</td></tr></table>"
        ],
        "contraindications": ["4 CONTRAINDICATIONS Use of MAOIs with Examplor is imaginary."],
        "overdosage": ["10 OVERDOSAGE Fictional overdose was seen in tests."],
        "description": ["11 DESCRIPTION Examploxetine is a made-up compound."],
    }


def repackager_label() -> dict[str, Any]:
    label = holder_label("20240301", "2")
    label["id"] = "label-repackager"
    label["set_id"] = REPACKAGER_SET_ID
    label["openfda"] = _openfda(
        "Examplor",
        "EXAMPLOXETINE HYDROCHLORIDE",
        "Repack Co",
        "ANDA076543",
        "HUMAN PRESCRIPTION DRUG",
    )
    return label


def otc_label() -> dict[str, Any]:
    return {
        "id": "label-otc",
        "set_id": OTC_SET_ID,
        "version": "1",
        "effective_time": "20220101",
        "openfda": _openfda(
            "Sniffless", "FICTIONAL SALINE", "Shop Brand", "part341", "HUMAN OTC DRUG"
        ),
        "indications_and_usage": ["Uses temporarily relieves imaginary sniffles"],
    }


def duo_labels() -> list[dict[str, Any]]:
    """One brand name on two different products."""
    first = holder_label()
    first["id"], first["set_id"] = "label-duo-x", DUO_X_SET_ID
    first["openfda"] = _openfda(
        "Duobrand", "XENOFAKE", "Maker X", "NDA000001", "HUMAN PRESCRIPTION DRUG"
    )
    second = holder_label()
    second["id"], second["set_id"] = "label-duo-y", DUO_Y_SET_ID
    second["openfda"] = _openfda(
        "Duobrand", "YOFAKE", "Maker Y", "NDA000002", "HUMAN PRESCRIPTION DRUG"
    )
    return [first, second]


def hostile_records() -> list[Any]:
    return [
        {
            "id": "bad-type",
            "set_id": "bad-type-set",
            "version": "1",
            "effective_time": "20230101",
            "indications_and_usage": "a string, not a list",
        },
        {
            "id": "bad-date",
            "set_id": "bad-date-set",
            "version": "1",
            "effective_time": "2023-01-01",
        },
        {"id": "no-set-id", "version": "1", "effective_time": "20230101"},
        {
            "id": "bad-openfda",
            "set_id": "bad-openfda-set",
            "version": "1",
            "effective_time": "20230101",
            "openfda": ["not", "an", "object"],
        },
        "not even an object",
        {
            "id": "no-openfda",
            "set_id": "no-openfda-set",
            "version": "1",
            "effective_time": "20230101",
            "indications_and_usage": ["Some text\u0007 with a bell"],
        },
    ]


def part(records: list[Any]) -> dict[str, Any]:
    return {"meta": {"disclaimer": "test", "results": {"total": len(records)}}, "results": records}


def write_json(path: Path, records: list[Any]) -> Path:
    path.write_text(json.dumps(part(records), indent=1), encoding="utf-8")
    return path


def write_zip(path: Path, records: list[Any], member: str = "drug-label-0001-of-0001.json") -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, json.dumps(part(records)))
    return path


def standard_records() -> list[Any]:
    return [holder_label(), repackager_label(), otc_label(), *duo_labels(), *hostile_records()]
