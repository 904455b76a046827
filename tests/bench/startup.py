"""Start-up benchmark: how long whole `clonafacts` processes take, against budgets.

    python tests/bench/startup.py            # full run: 15 rounds, 1,000 synthetic medications
    python tests/bench/startup.py --quick    # smoke run for CI: 3 rounds, 100 medications, exit 0
    python tests/bench/startup.py --json     # also print the results as JSON (table to stderr)
    python tests/bench/startup.py --cases scale_lookup_id,scale_lookup_brand
                                             # only those cases and what their budgets compare to

Every case is a fresh process, timed by wall clock (time.perf_counter) from start to exit. The
runs of all cases are interleaved round-robin (the order rotates each round), so a slow moment
of the machine hits every case alike; a case's time is the median of its runs. Before the timed
rounds each case runs in warm-up rounds against a dedicated cache folder, so every timed lookup
finds the store current. Two first runs are measured apart, COLD_RUNS times each, for time and
peak memory: after a change (one of the N files edited, so the store is updated: that file
parsed and validated, the others' data reused) and from an empty cache folder (every file
parsed, validated and stored: the first run ever, or after an upgrade).

Budgets are ratios to a floor (the bare imports the tool cannot avoid) or absolute times. The
full run exits 1 when any budget is over; --quick always exits 0. The suite never runs this
file (pytest collects only test_*.py, and tests/bench has no __init__.py).
"""

from __future__ import annotations

import argparse
import copy
import importlib
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Variables that change what the tool does; the benchmark sets its own.
_CLEARED_ENV = (
    "CLONAFACTS_DATA",
    "CLONAFACTS_CACHE_DIR",
    "CLONAFACTS_STATE_DIR",
    "CLONAFACTS_NO_CACHE",
    "CLONAFACTS_DEBUG",
    "NO_COLOR",
    "FORCE_COLOR",
    "COLUMNS",
)
WARMUP_ROUNDS = 2
COLD_RUNS = 3
CHANGED_BUDGET_MS = 1500  # the first run after one of N synthetic files changed
CHANGED_BUDGET_MIB = 150
FLOOR_JSON_CODE = "import typer, yaml, json; from pydantic import BaseModel"
FLOOR_TEXT_CODE = FLOOR_JSON_CODE + "; from rich.console import Console"


@dataclass
class Budget:
    """Either at most `ratio` times the median of case `against`, or at most `ms` milliseconds."""

    against: str | None = None
    ratio: float | None = None
    ms: float | None = None

    def describe(self) -> str:
        if self.against is not None and self.ratio is not None:
            return f"<= {self.ratio:.2f}x {self.against}"
        if self.ms is not None:
            return f"< {self.ms:,.0f} ms"
        return "-"


@dataclass
class Case:
    name: str
    argv: list[str]
    env: dict[str, str]
    budget: Budget = field(default_factory=Budget)
    times_ms: list[float] = field(default_factory=list)
    rss_kib: list[int] = field(default_factory=list)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def median_rss_kib(self) -> float | None:
        return statistics.median(self.rss_kib) if self.rss_kib else None


@dataclass
class Run:
    ms: float
    code: int
    rss_kib: int | None  # peak resident set size of the child, when the platform reports it


# Running processes ----------------------------------------------------------------------------


def clonafacts_command() -> tuple[list[str], str]:
    """The console script beside this Python when there is one, else `python -m clonafacts`."""
    folder = Path(sys.executable).parent
    for name in ("clonafacts", "clonafacts.exe"):
        script = folder / name
        if script.is_file() and os.access(script, os.X_OK):
            return [str(script)], f"console script {script}"
    return [sys.executable, "-m", "clonafacts"], f"{sys.executable} -m clonafacts"


def _maxrss_kib(raw: int) -> int:
    # Linux reports kibibytes, macOS bytes.
    return raw // 1024 if sys.platform == "darwin" else raw


def run_once(argv: Sequence[str], env: dict[str, str]) -> Run:
    """Run one process to its end, output discarded; its wall time and peak memory."""
    start = time.perf_counter()
    process = subprocess.Popen(
        argv,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    if hasattr(os, "wait4"):
        # Reap the child ourselves to read its own rusage (RUSAGE_CHILDREN would be the maximum
        # over every child so far, not this one's).
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        rss: int | None = _maxrss_kib(usage.ru_maxrss)
    else:  # pragma: no cover - Windows
        process.wait()
        elapsed = time.perf_counter() - start
        rss = None
    if process.returncode != 0:
        raise SystemExit(f"benchmark: `{shlex.join(argv)}` exited {process.returncode}")
    return Run(elapsed * 1000, process.returncode, rss)


def check_output(case: Case) -> None:
    """Run a case once with its output captured, to be sure it does the work it claims."""
    result = subprocess.run(
        case.argv, env=case.env, capture_output=True, check=False, stdin=subprocess.DEVNULL
    )
    if result.returncode != 0:
        raise SystemExit(
            f"benchmark: case {case.name} exited {result.returncode}:\n"
            + result.stderr.decode(errors="replace")
        )
    if "--json" in case.argv:
        json.loads(result.stdout)  # a lookup that printed nothing useful would be very fast
    elif not case.name.startswith("floor") and not result.stdout.strip():
        raise SystemExit(f"benchmark: case {case.name} printed nothing")
    if result.stderr.strip():
        raise SystemExit(
            f"benchmark: case {case.name} wrote to stderr:\n"
            + result.stderr.decode(errors="replace")
        )


def _clonafacts(module: str) -> Any:
    # By name: the package ships no type information, and this script must type-check alone.
    return importlib.import_module(f"clonafacts.{module}")


# Synthetic data -------------------------------------------------------------------------------


def write_synthetic(folder: Path, count: int) -> int:
    """`count` copies of the shipped medication under new ids and names; the digits used."""
    import yaml

    shipped = Path(_clonafacts("store.discovery").shipped_data_dir()) / "clonazepam.yaml"
    original = yaml.safe_load(shipped.read_text(encoding="utf-8"))
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # safe_dump, in C when available
    digits = max(4, len(str(count)))
    for number in range(1, count + 1):
        tag = f"{number:0{digits}d}"
        medication = copy.deepcopy(original)
        medication["id"] = f"synth-{tag}"
        medication["name"] = f"Synthazepam {tag}"
        medication["brands"] = [f"Synthbrand {tag}"]
        medication["aliases"] = [f"SYN-{tag}"]
        text = yaml.dump(medication, Dumper=dumper, sort_keys=False, allow_unicode=True, width=100)
        (folder / f"synth-{tag}.yaml").write_text(text, encoding="utf-8")
    return digits


# Cases ----------------------------------------------------------------------------------------


def base_env(cache: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in _CLEARED_ENV}
    env["CLONAFACTS_CACHE_DIR"] = str(cache)
    # A state folder of its own, empty: no imported labels or review state of the user's.
    env["CLONAFACTS_STATE_DIR"] = str(cache.parent / "state")
    return env


def make_cases(tool: list[str], env: dict[str, str], synthetic: Path, target: str) -> list[Case]:
    python = sys.executable
    text_env = {**env, "FORCE_COLOR": "1", "COLUMNS": "100"}
    scale_env = {**env, "CLONAFACTS_DATA": str(synthetic)}
    return [
        Case("floor_json", [python, "-c", FLOOR_JSON_CODE], env),
        Case("floor_text", [python, "-c", FLOOR_TEXT_CODE], env),
        Case("lookup_json", [*tool, "withdrawal", "--json"], env, Budget("floor_json", 0.50)),
        Case("lookup_text", [*tool, "withdrawal"], text_env, Budget("floor_text", 1.10)),
        Case(
            "scale_lookup_id",
            [*tool, "withdrawal", f"synth-{target}", "--json"],
            scale_env,
            Budget("lookup_json", 1.50),
        ),
        Case(
            "scale_lookup_brand",
            [*tool, "withdrawal", f"Synthbrand {target}", "--json"],
            scale_env,
            Budget("lookup_json", 1.50),
        ),
        Case(
            "scale_search",
            [*tool, "search", "seizures", "withdrawal", "--json"],
            scale_env,
            Budget(ms=50),
        ),
        Case("scale_list", [*tool, "list", "--json"], scale_env, Budget(ms=100)),
    ]


def select_cases(cases: list[Case], wanted: str | None) -> list[Case]:
    """The cases named in `wanted` (comma-separated; None: all), with those their budgets need."""
    if wanted is None:
        return cases
    by_name = {case.name: case for case in cases}
    names = {name.strip() for name in wanted.split(",") if name.strip()}
    unknown = sorted(names - by_name.keys())
    if unknown or not names:
        raise SystemExit(f"benchmark: unknown case {unknown}; the cases are {sorted(by_name)}")
    for name in list(names):
        against = by_name[name].budget.against
        while against is not None:
            names.add(against)
            against = by_name[against].budget.against
    return [case for case in cases if case.name in names]


def empty_folder(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)


# Results --------------------------------------------------------------------------------------


@dataclass
class Verdict:
    name: str
    median_ms: float
    min_ms: float
    spread_ms: float  # interquartile range of the runs
    ratio: float | None
    budget: str
    ok: bool | None  # None: no budget


def judge(cases: list[Case]) -> list[Verdict]:
    by_name = {case.name: case for case in cases}
    verdicts = []
    for case in cases:
        times = sorted(case.times_ms)
        quartiles = statistics.quantiles(times, n=4) if len(times) > 1 else [times[0]] * 3
        ratio: float | None = None
        ok: bool | None = None
        budget = case.budget
        if budget.against is not None and budget.ratio is not None:
            ratio = case.median_ms / by_name[budget.against].median_ms
            ok = ratio <= budget.ratio
        elif budget.ms is not None:
            if "floor_json" in by_name:
                ratio = case.median_ms / by_name["floor_json"].median_ms
            ok = case.median_ms < budget.ms
        verdicts.append(
            Verdict(
                case.name,
                case.median_ms,
                times[0],
                quartiles[2] - quartiles[0],
                ratio,
                budget.describe(),
                ok,
            )
        )
    return verdicts


def memory_verdict(cases: list[Case], limit: float) -> dict[str, Any] | None:
    by_name = {case.name: case for case in cases}
    if "lookup_json" not in by_name or "scale_lookup_id" not in by_name:
        return None
    shipped = by_name["lookup_json"].median_rss_kib
    scaled = by_name["scale_lookup_id"].median_rss_kib
    if shipped is None or scaled is None:
        return None
    floor = by_name["floor_json"].median_rss_kib if "floor_json" in by_name else None
    return {
        "lookup_json_kib": shipped,
        "scale_lookup_id_kib": scaled,
        "floor_json_kib": floor,
        "ratio": scaled / shipped,
        "budget": f"<= {limit:.2f}x lookup_json",
        "ok": scaled / shipped <= limit,
    }


def per_file_growth(cases: list[Case], files: int) -> float | None:
    """What each user data file adds to a warm lookup, in microseconds (medians' difference)."""
    by_name = {case.name: case for case in cases}
    if "lookup_json" not in by_name or "scale_lookup_id" not in by_name:
        return None
    extra_ms = by_name["scale_lookup_id"].median_ms - by_name["lookup_json"].median_ms
    return extra_ms * 1000 / files


def _status(ok: bool | None) -> str:
    return "-" if ok is None else ("OK" if ok else "OVER")


def table(verdicts: list[Verdict]) -> str:
    rows = [["case", "median ms", "min ms", "IQR ms", "ratio", "budget", "status"]]
    for v in verdicts:
        rows.append(
            [
                v.name,
                f"{v.median_ms:.1f}",
                f"{v.min_ms:.1f}",
                f"{v.spread_ms:.1f}",
                "-" if v.ratio is None else f"{v.ratio:.2f}x",
                v.budget,
                _status(v.ok),
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for number, row in enumerate(rows):
        cells = [
            cell.ljust(width) if i in (0, 5) else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if number == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


# Main -----------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=None, help="timed runs per case (15)")
    parser.add_argument("--n", type=int, default=None, help="synthetic medications (1000)")
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: 3 runs, 100 medications, always exit 0"
    )
    parser.add_argument("--json", action="store_true", help="print results as JSON on stdout")
    parser.add_argument(
        "--cases",
        default=None,
        help="comma-separated case names to run (with the cases their budgets compare to)",
    )
    args = parser.parse_args(argv)
    if args.runs is None:
        args.runs = 3 if args.quick else 15
    if args.n is None:
        args.n = 100 if args.quick else 1000
    if args.runs < 1 or args.n < 2:
        parser.error("--runs must be at least 1 and --n at least 2")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    # With --json the JSON alone goes to stdout, so it can be piped; the report goes to stderr.
    out = sys.stderr if args.json else sys.stdout

    def say(line: str = "") -> None:
        print(line, file=out, flush=True)

    version: str = _clonafacts("_version").__version__
    tool, tool_how = clonafacts_command()
    reproduce = shlex.join([sys.executable, *sys.argv]) if argv is None else ""
    say(f"clonafacts {version} start-up benchmark")
    say(f"machine: {platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs")
    python = f"{platform.python_implementation()} {platform.python_version()}"
    say(f"python:  {python} ({sys.executable})")
    say(f"tool:    {tool_how}")
    if reproduce:
        say(f"repro:   cd {shlex.quote(str(Path.cwd()))} && {reproduce}")
    say(f"runs:    {args.runs} timed per case after {WARMUP_ROUNDS} warm-up rounds; N={args.n}")

    work = Path(tempfile.mkdtemp(prefix="clonafacts-bench-"))
    try:
        synthetic = work / "data"
        synthetic.mkdir()
        cache = work / "cache"
        cache.mkdir()
        started = time.perf_counter()
        digits = write_synthetic(synthetic, args.n)
        target = f"{args.n // 2:0{digits}d}"
        say(f"data:    {args.n} synthetic files in {time.perf_counter() - started:.1f} s")

        env = base_env(cache)
        cases = select_cases(make_cases(tool, env, synthetic, target), args.cases)
        by_name = {case.name: case for case in cases}

        # Cold: the cache folder empty, so the data is parsed, validated and stored.
        cold: dict[str, list[Run]] = {}
        for name in [name for name in ("lookup_json", "scale_lookup_id") if name in by_name]:
            case = by_name[name]
            cold[name] = []
            for _ in range(COLD_RUNS):
                empty_folder(cache)
                cold[name].append(run_once(case.argv, case.env))
        # After a change: the store is current, then one file is edited.
        if "scale_lookup_id" in by_name:
            case = by_name["scale_lookup_id"]
            edited = synthetic / f"synth-{target}.yaml"
            original = edited.read_text(encoding="utf-8")
            cold["changed"] = []
            for number in range(COLD_RUNS):
                run_once(case.argv, case.env)
                edited.write_text(f"{original}# edit {number}\n", encoding="utf-8")
                cold["changed"].append(run_once(case.argv, case.env))
            edited.write_text(original, encoding="utf-8")

        for case in cases:
            check_output(case)  # also warms the cache for its data
        for _ in range(WARMUP_ROUNDS):
            for case in cases:
                run_once(case.argv, case.env)
        warm_files = sorted(p.name for p in cache.glob("store-*.sqlite3"))
        if hasattr(os, "sync"):
            # The set-up wrote ~20 MB (data and cache files); flush it now, so the kernel's
            # write-back does not land in the middle of the timed rounds.
            os.sync()

        for round_number in range(args.runs):
            shift = round_number % len(cases)
            for case in cases[shift:] + cases[:shift]:
                result = run_once(case.argv, case.env)
                case.times_ms.append(result.ms)
                if result.rss_kib is not None:
                    case.rss_kib.append(result.rss_kib)
        after_files = sorted(p.name for p in cache.glob("store-*.sqlite3"))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    verdicts = judge(cases)
    memory = memory_verdict(cases, 1.2)
    say()
    say(table(verdicts))
    say()
    if memory is None:
        say("peak memory: not measured (no os.wait4 here, or its cases were not run)")
    else:
        floor_rss = memory["floor_json_kib"]
        say(
            "peak memory (median max RSS): "
            + ("" if floor_rss is None else f"floor_json {floor_rss / 1024:.1f} MiB, ")
            + f"lookup_json {memory['lookup_json_kib'] / 1024:.1f} MiB, "
            f"scale_lookup_id {memory['scale_lookup_id_kib'] / 1024:.1f} MiB -> "
            f"{memory['ratio']:.2f}x ({memory['budget']}) {_status(memory['ok'])}"
        )
    growth = per_file_growth(cases, args.n)
    if growth is not None:
        say(
            f"growth (informational): scale_lookup_id - lookup_json = {growth * args.n / 1000:.2f}"
            f" ms over {args.n} files = {growth:.2f} us per data file"
        )
    cold_report: dict[str, Any] = {}
    for cold_name, runs in cold.items():
        ms = statistics.median(run.ms for run in runs)
        rss = [run.rss_kib for run in runs if run.rss_kib is not None]
        mib = max(rss) / 1024 if rss else None
        cold_report[cold_name] = {"median_ms": round(ms, 1), "peak_mib": mib}
        what = (
            f"first run after one of {args.n} files changed, scale_lookup_id"
            if cold_name == "changed"
            else f"cold {cold_name} (empty cache)"
        )
        line = f"{what}, median of {len(runs)}: {ms:.0f} ms"
        line += "" if mib is None else f", peak {mib:.1f} MiB"
        if cold_name == "changed":
            ok = ms <= CHANGED_BUDGET_MS and (mib is None or mib <= CHANGED_BUDGET_MIB)
            cold_report[cold_name]["ok"] = ok
            line += f" (budget <= {CHANGED_BUDGET_MS} ms, <= {CHANGED_BUDGET_MIB} MiB)"
            line += f" {_status(ok)}"
        say(line)
    data_sets = {case.env.get("CLONAFACTS_DATA") for case in cases if case.name[:5] != "floor"}
    if warm_files != after_files or len(after_files) != len(data_sets):
        say(
            "warning: the cache changed during the timed rounds "
            f"({warm_files} -> {after_files}); was the source edited meanwhile?"
        )

    over = [v.name for v in verdicts if v.ok is False]
    if cold_report.get("changed", {}).get("ok") is False:
        over.append("first_run_after_a_change")
    if memory is not None and not memory["ok"]:
        over.append("memory")
    if args.json:
        report = {
            "version": version,
            "machine": {
                "platform": platform.platform(),
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
            },
            "tool": tool,
            "runs": args.runs,
            "n": args.n,
            "cases": [
                {
                    "name": v.name,
                    "median_ms": round(v.median_ms, 2),
                    "min_ms": round(v.min_ms, 2),
                    "iqr_ms": round(v.spread_ms, 2),
                    "ratio": None if v.ratio is None else round(v.ratio, 3),
                    "budget": v.budget,
                    "ok": v.ok,
                    "times_ms": [round(t, 2) for t in by_name[v.name].times_ms],
                }
                for v in verdicts
            ],
            "memory": memory,
            "cold": cold_report,
            "growth_us_per_file": None if growth is None else round(growth, 3),
            "over": over,
        }
        print(json.dumps(report, indent=2))
    if over:
        say(f"OVER budget: {', '.join(over)}" + (" (--quick: exit 0 anyway)" if args.quick else ""))
    else:
        say("all budgets OK")
    return 0 if args.quick or not over else 1


if __name__ == "__main__":
    sys.exit(main())
