"""Label import benchmark: realistic openFDA parts, imported and looked up, against budgets.

    python tests/bench/labels.py       # full: a 20,000-record part, a 150,000-label store
    python tests/bench/labels.py --records 2000 --store 20000   # smaller, to try things
    python tests/bench/labels.py --json
    python tests/bench/labels.py --quick          # smoke run for CI: 300 records, exit 0

Cases (each a fresh process, wall clock; lookups are medians of ROUNDS runs):
- import of one part of --records records (label-sized sections, zipped like the real ones):
  time and peak memory (ru_maxrss of the process);
- with a store of --store labels: a name lookup against the same lookup with no labels
  imported (a curated medication; then a label's name), ranked search, and the first byte of
  `list --labels --json`.

The parts are written to a temporary folder (several GB for the full run) and removed after.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

ROUNDS = 9
BUDGETS = {
    "import_s": 120.0,
    "import_mib": 300.0,
    "lookup_ratio": 1.20,
    "search_ms": 100.0,
    "list_first_byte_ms": 200.0,
}
# Section sizes in characters, about those of a full prescription label.
SIZES = {
    "boxed_warning": 1_500,
    "indications_and_usage": 2_500,
    "dosage_and_administration": 5_000,
    "contraindications": 800,
    "warnings_and_cautions": 18_000,
    "adverse_reactions": 14_000,
    "drug_interactions": 6_000,
    "clinical_pharmacology": 9_000,
    "mechanism_of_action": 900,
    "pharmacokinetics": 7_000,
    "overdosage": 1_500,
    "description": 1_800,
    "drug_abuse_and_dependence": 2_500,
}
GENERICS = 3_000  # distinct medications; the rest are other labellers' labels of them


def _vocabulary(rng: random.Random) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = ["".join(rng.choice(letters) for _ in range(rng.randint(3, 11))) for _ in range(20_000)]
    return [
        *words,
        *["patients", "dose", "risk", "hepatic", "renal", "seizures", "sedation", "clearance"],
    ]


def _paragraphs(rng: random.Random, words: list[str], count: int) -> list[str]:
    """A pool of paragraphs (about 600 characters each) that sections are made of."""
    pool = []
    for _ in range(count):
        sentences = []
        for _ in range(6):
            sentence = " ".join(rng.choice(words) for _ in range(rng.randint(8, 16)))
            sentences.append(sentence.capitalize() + ".")
        pool.append(" ".join(sentences))
    return pool


def _section(rng: random.Random, pool: list[str], name: str, size: int, number: int) -> str:
    heading = f"{number} {name.replace('_', ' ').upper()}"
    parts = [heading]
    length = len(heading)
    sub = 1
    while length < size:
        paragraph = rng.choice(pool)
        if rng.random() < 0.2:
            paragraph = f"{number}.{sub} Subsection {sub}\n{paragraph}"
            sub += 1
        parts.append(paragraph)
        length += len(paragraph)
    return "\n\n".join(parts)


def record(rng: random.Random, pool: list[str], index: int) -> dict[str, Any]:
    generic = f"GENERIC{index % GENERICS:05d} HYDROCHLORIDE"
    labeller = index // GENERICS
    application = f"NDA{index % GENERICS:06d}" if labeller == 0 else f"ANDA{index:06d}"
    result: dict[str, Any] = {
        "id": f"id-{index:08d}",
        "set_id": f"{index:08x}-0000-4000-8000-{index:012x}",
        "version": str(1 + index % 9),
        "effective_time": f"20{10 + index % 15:02d}{1 + index % 12:02d}{1 + index % 28:02d}",
        "openfda": {
            "brand_name": [f"Brand{index % GENERICS:05d}"],
            "generic_name": [generic],
            "substance_name": [generic.split(" ")[0]],
            "manufacturer_name": [f"Labeller {labeller}"],
            "product_type": ["HUMAN PRESCRIPTION DRUG"],
            "route": ["ORAL"],
            "application_number": [application],
        },
    }
    for number, (name, size) in enumerate(SIZES.items(), 1):
        result[name] = [_section(rng, pool, name, size, number)]
    result["adverse_reactions_table"] = [
        "<table>"
        + "".join(f"<tr><td>row {n}</td><td>{n}%</td></tr>" for n in range(40))
        + "</table>"
    ]
    return result


def write_part(path: Path, start: int, count: int, seed: int = 1) -> int:
    """A zipped part of `count` records from number `start`: written as it is made."""
    rng = random.Random(seed + start)
    words = _vocabulary(rng)
    pool = _paragraphs(rng, words, 3_000)
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive,
        archive.open(path.name.removesuffix(".zip"), "w", force_zip64=True) as member,
    ):
        member.write(b'{"meta": {"results": {"total": %d}}, "results": [\n' % count)
        for n in range(count):
            if n:
                member.write(b",\n")
            member.write(json.dumps(record(rng, pool, start + n)).encode())
        member.write(b"\n]}\n")
    return path.stat().st_size


def _run(
    argv: list[str], env: dict[str, str]
) -> tuple[float, int, subprocess.CompletedProcess[bytes]]:
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    done = subprocess.run(argv, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if done.returncode != 0:
        raise SystemExit(f"{argv} failed: {done.stderr.decode()[-500:]}")
    return elapsed, max(peak, before), done


def _median_ms(argv: list[str], env: dict[str, str]) -> float:
    _run(argv, env)  # warm
    return statistics.median(_run(argv, env)[0] for _ in range(ROUNDS)) * 1000


def _first_byte_ms(argv: list[str], env: dict[str, str]) -> float:
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        process = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        assert process.stdout is not None
        process.stdout.read(1)
        times.append((time.perf_counter() - start) * 1000)
        process.kill()
        process.wait()
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20_000, help="records in the imported part")
    parser.add_argument("--store", type=int, default=150_000, help="labels in the store")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--quick", action="store_true", help="300 records, 600 labels; exit 0")
    args = parser.parse_args()
    if args.quick:
        args.records, args.store = 300, 600
    tool = [str(Path(sys.executable).with_name("clonafacts"))]
    if not Path(tool[0]).exists():
        tool = [sys.executable, "-m", "clonafacts"]
    results: dict[str, Any] = {"records": args.records, "store": args.store}
    with tempfile.TemporaryDirectory(prefix="clonafacts-labels-bench-") as temporary:
        root = Path(temporary)
        env = {k: v for k, v in os.environ.items() if not k.startswith("CLONAFACTS_")}
        env |= {
            "CLONAFACTS_CACHE_DIR": str(root / "cache"),
            "CLONAFACTS_STATE_DIR": str(root / "state"),
        }
        part = root / "drug-label-0001-of-0001.json.zip"
        size = write_part(part, 0, args.records)
        results["part_mib"] = round(size / 2**20, 1)
        elapsed, peak_kib, _ = _run([*tool, "import", "openfda", str(part)], env)
        results["import_s"] = round(elapsed, 1)
        results["import_mib"] = round(peak_kib / 1024, 1)
        part.unlink()
        # The rest of the store, part by part.
        start = args.records
        while start < args.store:
            count = min(20_000, args.store - start)
            more = root / f"more-{start}.json.zip"
            write_part(more, start, count)
            _run([*tool, "import", "openfda", str(more)], env)
            more.unlink()
            start += count
        store = root / "state" / "labels.sqlite3"
        results["store_gib"] = round(store.stat().st_size / 2**30, 2)
        bare = env | {"CLONAFACTS_STATE_DIR": str(root / "empty-state")}
        curated_bare = _median_ms([*tool, "mechanism", "--json"], bare)
        curated = _median_ms([*tool, "mechanism", "--json"], env)
        label = _median_ms([*tool, "mechanism", "generic00042", "--json"], env)
        results["lookup_curated_ms"] = round(curated, 1)
        results["lookup_curated_no_labels_ms"] = round(curated_bare, 1)
        results["lookup_label_ms"] = round(label, 1)
        results["lookup_ratio"] = round(max(curated, label) / curated_bare, 2)
        results["search_ms"] = round(
            _median_ms(
                [*tool, "search", "hepatic", "clearance", "--origin", "label", "--json"], env
            ),
            1,
        )
        results["list_first_byte_ms"] = round(
            _first_byte_ms([*tool, "list", "--labels", "--json"], env), 1
        )
    verdicts = {key: results[key] <= budget for key, budget in BUDGETS.items()}
    for key, value in results.items():
        budget = BUDGETS.get(key)
        mark = "" if budget is None else f"  (budget {budget}: {'OK' if verdicts[key] else 'OVER'})"
        print(f"{key:28} {value}{mark}", file=sys.stderr)
    if args.json:
        print(json.dumps({"results": results, "within_budget": verdicts}, indent=2))
    return 0 if args.quick or all(verdicts.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
