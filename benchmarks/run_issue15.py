"""Every measurement of issue 15 ("The platform at full speed") in one go, about 10 minutes.

Runs, one after the other, each as its own process with its own command recorded:

1. the mixed workload at 8 clients on SQLite, default ``serve`` against ``--no-inspections``,
   alternating, three runs each (target: default >= 0.9x the throughput of the other);
2. PostgreSQL at 32 clients, three runs (target: median >= 400 req/s and p99 < 100 ms);
3. inspections per second on SQLite, the full tree (``bench_inspection.py --buyer tree``),
   three runs (target: at least 8/s, double the 4/s measured when the issue was filed);
4. ``Problem.value`` against ``information_value`` on 10^6 x 16 x 1000 (target: within 1.5x)
   and a fresh process's first kernel call (target: under 0.5 s).

It prints one summary table (each figure the median of the runs with their range, the load
average at the start and end of each measurement) and writes it, with every command's full
output, to ``--out``. ``--quick`` runs tiny versions of each (a minute) to check the script.

    .venv/bin/python benchmarks/run_issue15.py --out benchmarks/issue15-run.txt
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from honest import Session, load_average, spread
from volition.cli.bazaar import default_workers

HERE = Path(__file__).resolve().parent


@dataclass
class Measurement:
    name: str
    args: list[str]
    summarise: Callable[[dict[str, object]], list[tuple[str, str, str, bool]]]
    output: str = ""
    load_start: str = ""
    load_end: str = ""
    seconds: float = 0.0
    rows: list[tuple[str, str, str, bool]] | None = None
    failed: str = ""

    def run(self, json_path: Path) -> None:
        command = [sys.executable, str(HERE / self.args[0]), *self.args[1:]]
        command += ["--json", str(json_path)]
        self.load_start = load_average()
        start = time.monotonic()
        print(f"== {self.name}: {' '.join(command)}", flush=True)
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        self.seconds = time.monotonic() - start
        self.load_end = load_average()
        self.output = done.stdout + done.stderr
        if done.returncode != 0 or not json_path.exists():
            self.failed = f"exit status {done.returncode}: {self.output[-2000:]}"
            print(self.failed, flush=True)
            return
        self.rows = self.summarise(json.loads(json_path.read_text()))
        for name, figure, target, met in self.rows:
            verdict = "" if target == "-" else f" (target {target}: {'met' if met else 'not met'})"
            print(f"   {name}: {figure}{verdict}", flush=True)

    @property
    def command(self) -> str:
        return " ".join([".venv/bin/python", f"benchmarks/{self.args[0]}", *self.args[1:]])


def _config(data: dict[str, object], suffix: str = "") -> dict[str, list[float]]:
    configurations = data["configurations"]
    assert isinstance(configurations, dict)
    for label, figures in configurations.items():
        if label.endswith(suffix) and (suffix or "--no-inspections" not in label):
            return figures  # type: ignore[no-any-return]
    raise KeyError(suffix)


def ab_rows(data: dict[str, object]) -> list[tuple[str, str, str, bool]]:
    on, off = _config(data), _config(data, "--no-inspections")
    ratio = statistics.median(on["rps"]) / statistics.median(off["rps"])
    return [
        ("SQLite, 8 clients: default serve req/s", spread(on["rps"], 0), "-", True),
        ("SQLite, 8 clients: --no-inspections req/s", spread(off["rps"], 0), "-", True),
        ("SQLite, 8 clients: ratio of the medians", f"{ratio:.2f}", ">= 0.9", ratio >= 0.9),
        (
            "SQLite, 8 clients: server CPU ms per request, default / --no-inspections",
            f"{spread(on['cpu_ms_per_request'], 2)} / {spread(off['cpu_ms_per_request'], 2)}",
            "-",
            True,
        ),
    ]


def pg_rows(data: dict[str, object]) -> list[tuple[str, str, str, bool]]:
    pg = _config(data)
    rps, p99 = statistics.median(pg["rps"]), statistics.median(pg["p99_ms"])
    clean = not pg["bad"] and not pg["violations"]
    return [
        (
            f"PostgreSQL, 32 clients ({default_workers('postgresql')} processes): req/s",
            spread(pg["rps"], 0),
            ">= 400",
            rps >= 400,
        ),
        ("PostgreSQL, 32 clients: p99 ms", spread(pg["p99_ms"]), "< 100", p99 < 100),
        ("PostgreSQL, 32 clients: p50 ms", spread(pg["p50_ms"]), "-", True),
        (
            "PostgreSQL, 32 clients: server CPU ms per request",
            spread(pg["cpu_ms_per_request"], 2),
            "-",
            True,
        ),
        (
            "PostgreSQL, 32 clients: 5xx, transport errors, invariant violations",
            f"{pg['bad']}, {pg['violations']}",
            "0",
            clean,
        ),
    ]


def inspection_rows(data: dict[str, object]) -> list[tuple[str, str, str, bool]]:
    rates = data["rates"]
    assert isinstance(rates, dict)
    values = rates["sqlite, tree"]
    rate = statistics.median(values)
    return [("inspections/s, SQLite, full tree", spread(values), ">= 8", rate >= 8)]


def kernel_rows(data: dict[str, object]) -> list[tuple[str, str, str, bool]]:
    ratio = data["ratio"]
    first = data["fresh_first_call_s"]
    assert isinstance(ratio, float) and isinstance(first, list)
    front, kernel = data["problem_value_s"], data["information_value_s"]
    assert isinstance(front, list) and isinstance(kernel, list)
    ms = [1e3 * x for x in first]
    cache = data["fresh_cache"]
    assert isinstance(cache, list)
    return [
        (
            f"Problem.value / information_value ms ({data['world']})",
            f"{spread([1e3 * x for x in front])} / {spread([1e3 * x for x in kernel])}",
            "-",
            True,
        ),
        (
            "Problem.value / information_value, ratio of medians",
            f"{ratio:.2f}",
            "<= 1.5",
            ratio <= 1.5,
        ),
        (
            "a fresh process's first kernel call ms (numba cache: "
            f"{', '.join(str(c) for c in cache)})",
            spread(ms),
            "< 500",
            statistics.median(ms) < 500,
        ),
    ]


def measurements(quick: bool, seconds: float) -> list[Measurement]:
    s = str(2 if quick else seconds)
    inspections = "4" if quick else "60"
    return [
        Measurement(
            "A/B, SQLite, 8 clients",
            [
                "bench_bazaar.py",
                "--database",
                "sqlite",
                "--clients",
                "8",
                "--seconds",
                s,
                "--inspections",
                "both",
                "--repeat",
                "3",
            ],
            ab_rows,
        ),
        Measurement(
            "PostgreSQL, 32 clients",
            [
                "bench_bazaar.py",
                "--database",
                "postgresql",
                "--clients",
                "32",
                "--seconds",
                s,
                "--workers",  # what ``volition serve`` starts on PostgreSQL on 2 cores
                str(default_workers("postgresql")),
                "--repeat",
                "3",
            ],
            pg_rows,
        ),
        Measurement(
            "inspections per second, SQLite, full tree",
            [
                "bench_inspection.py",
                "--setups",
                "sqlite",
                "--buyer",
                "tree",
                "--inspections",
                inspections,
                "--repeat",
                "3",
            ],
            inspection_rows,
        ),
        Measurement(
            "kernel front door and first call",
            [
                "bench_voi.py",
                "--api",
                "--api-runs",
                "3" if quick else "7",
                *(["--states", "1e5"] if quick else []),
            ],
            kernel_rows,
        ),
    ]


def report(session: Session, done: list[Measurement]) -> str:
    lines = [
        "# Issue 15 measurements",
        "",
        f"    {session.command}",
        "",
        f"{session.header().splitlines()[1]}; `uname -n`: {os.uname().nodename}",
        "",
        "| measurement | median (min-max, runs) | target | verdict | load average start -> end "
        "| command |",
        "|---|---|---|---|---|---|",
    ]
    for m in done:
        load = f"{m.load_start} -> {m.load_end}"
        if m.rows is None:
            lines.append(f"| {m.name} | FAILED (below) | - | not met | {load} | `{m.command}` |")
            continue
        for name, figure, target, met in m.rows:
            verdict = "-" if target == "-" else ("met" if met else "not met")
            lines.append(f"| {name} | {figure} | {target} | {verdict} | {load} | `{m.command}` |")
    lines += ["", session.footer(), ""]
    for m in done:
        lines += [f"## {m.name} ({m.seconds:.0f} s)", "", "```", m.output.rstrip(), "```", ""]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="issue15-run.txt", help="where to write the report")
    parser.add_argument("--seconds", type=float, default=20.0, help="timed phase of a load run")
    parser.add_argument("--quick", action="store_true", help="tiny runs, to check the script")
    args = parser.parse_args()
    session = Session()
    print(session.header(), flush=True)
    done = []
    with tempfile.TemporaryDirectory(prefix="issue15_") as folder:
        for i, m in enumerate(measurements(args.quick, args.seconds)):
            m.run(Path(folder) / f"{i}.json")
            done.append(m)
    text = report(session, done)
    Path(args.out).write_text(text)
    print(text.split("\n## ")[0])
    print(f"written to {args.out}")
    return 0 if all(m.rows is not None for m in done) else 1


if __name__ == "__main__":
    raise SystemExit(main())
