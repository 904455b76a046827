"""Names that cannot impersonate: one key for a name however it is typed, and no name that
looks like another (invisible characters, look-alike letters from another script)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURE
from hypothesis import given
from hypothesis import strategies as st

from clonafacts.store.names import name_key


def with_brands(tmp_path: Path, *brands: str, name: str = "user.yaml") -> Path:
    """The examplazole fixture with other brands, written as JSON strings (escapes kept)."""
    path = tmp_path / name
    listed = ", ".join(json.dumps(brand) for brand in brands)
    path.write_text(FIXTURE.read_text().replace("[Testorin]", f"[{listed}]"), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("brands", "message"),
    [
        pytest.param(
            ["Kl\u043enopin"],
            "4:10: 'Kl\\u043enopin' mixes scripts with look-alike letters ('\\u043e' (cyrillic)"
            " looks like 'o'); write it in one script",
            id="cyrillic-o-in-a-latin-name",
        ),
        pytest.param(
            ["Clonazepam\u200b"],
            "4:10: 'Clonazepam\\u200b' has an invisible character (U+200B); names must show as"
            " written",
            id="zero-width-space",
        ),
        pytest.param(
            ["Testo\u00adrin"],
            "4:10: 'Testo\\u00adrin' has an invisible character (U+00AD); names must show as"
            " written",
            id="soft-hyphen",
        ),
        pytest.param(
            ["Caf\u00e9", "Cafe\u0301"],
            "4:23: 'Cafe\\u0301' is already used as the brand 'Caf\\u00e9'",
            id="decomposed-twin",
        ),
        pytest.param(
            ["\u041a\u0435\u0430", "Kea"],
            "4:32: 'Kea' is already used as the brand '\\u041a\\u0435\\u0430'",
            id="all-cyrillic-look-alike",
        ),
    ],
)
def test_validate_refuses_names_that_impersonate(
    cli: Any, tmp_path: Path, brands: list[str], message: str
) -> None:
    path = with_brands(tmp_path, *brands)
    result = cli("validate", str(path))
    assert result.exit_code == 1
    assert result.stderr == f"{path}:{message}\n"


def test_a_look_alike_in_another_file_is_refused(cli: Any, tmp_path: Path) -> None:
    first = with_brands(tmp_path, "Kea", name="a.yaml")
    second = tmp_path / "b.yaml"
    second.write_text(
        with_brands(tmp_path, "\u041a\u0435\u0430", name="b.yaml")
        .read_text()
        .replace("id: examplazole", "id: other")
        .replace("name: Examplazole", "name: Other")
        .replace("aliases: [EXZ-1]", "aliases: []"),
        encoding="utf-8",
    )
    result = cli("overview", "other", "--data", str(first), "--data", str(second))
    assert result.exit_code == 3
    assert result.stderr == (
        f"Error: {second}:4:10: the name '\\u041a\\u0435\\u0430' looks the same as 'Kea',"
        " a name of medication 'examplazole'\n"
    )


@pytest.mark.parametrize(
    ("brand", "message"),
    [
        pytest.param(
            "KLONOPIN",
            "the name 'KLONOPIN' is already used by medication 'clonazepam'",
            id="same-name-other-case",
        ),
        pytest.param(
            "\uff2b\uff4c\uff4f\uff4e\uff4f\uff50\uff49\uff4e",
            "the name '\\uff2b\\uff4c\\uff4f\\uff4e\\uff4f\\uff50\\uff49\\uff4e' is already used"
            " by medication 'clonazepam'",
            id="full-width",
        ),
    ],
)
def test_a_user_file_cannot_take_a_shipped_name(
    cli: Any, tmp_path: Path, brand: str, message: str
) -> None:
    path = with_brands(tmp_path, brand)
    result = cli("overview", "Klonopin", "--data", str(path))
    assert result.exit_code == 3
    assert result.stderr == f"Error: {path}:4:10: {message}\n"


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        pytest.param("Testorin", "examplazole", id="as-written"),
        pytest.param("cafe\u0301", "examplazole", id="decomposed"),
        pytest.param("CAF\u00c9", "examplazole", id="upper-case"),
        pytest.param("cafe", "examplazole", id="accent-left-out"),
        pytest.param("STRASSIN", "examplazole", id="sharp-s"),
        pytest.param("strassin", "examplazole", id="sharp-s-lower"),
        pytest.param("ilac", "examplazole", id="turkish-dotted-i"),
        pytest.param("\uff34\uff45\uff53\uff54\uff4f\uff52\uff49\uff4e", "examplazole", id="wide"),
    ],
)
def test_lookup_normalises_the_typed_name(cli: Any, tmp_path: Path, typed: str, found: str) -> None:
    path = with_brands(tmp_path, "Testorin", "Caf\u00e9", "Stra\u00dfin", "\u0130la\u00e7")
    document = cli.json("overview", typed, "--data", str(path))
    assert document["medication"]["id"] == found


def test_did_you_mean_escapes_a_look_alike(cli: Any) -> None:
    result = cli("overview", "Kl\u043enopin")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: no medication named 'Kl\\u043enopin'; did you mean 'Klonopin'?\n"
    )


def test_did_you_mean_leaves_plain_names_alone(cli: Any) -> None:
    result = cli("overview", "klonopn")
    assert result.stderr == "Error: no medication named 'klonopn'; did you mean 'Klonopin'?\n"


@pytest.mark.parametrize(
    "typed", [pytest.param(w, id=repr(w)) for w in ("café", "cafe\u0301", "CAFÉ", "cafe")]
)
def test_search_normalises_the_typed_words(cli: Any, tmp_path: Path, typed: str) -> None:
    path = tmp_path / "cafe.yaml"
    path.write_text(
        FIXTURE.read_text().replace(
            "Examplazole exists only in this test suite.", "Examplazole is served in a café."
        ),
        encoding="utf-8",
    )
    hits = cli.json("search", typed, "--data", str(path))["hits"]
    assert [hit["text"] for hit in hits] == ["Examplazole is served in a café."]


@given(st.text(max_size=30))
def test_the_name_key_is_stable(name: str) -> None:
    assert name_key(name_key(name)) == name_key(name)
