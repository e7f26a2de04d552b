"""Benchmark: how long the ``volition`` command takes to start (issue 14, "A lighter house").

Three commands, each a fresh process, timed wall-clock from start to exit:

- ``volition --help`` (lists every command: imports every command module, which must stay
  light);
- ``volition voi examples/fact_checking.yaml --info I1`` (a tiny world: the computation takes
  about a millisecond, so this is start-up, typer, the kernel's imports and the printing);
- the baseline ``python -c "import numpy, yaml, typer, rich.console"``: what any volition
  command needs at least.

The runs go round-robin (one of each, then again) so that a burst of load on a shared machine
spoils all three alike; each figure is the minimum over ``--repeats`` runs (5), the median is
printed beside it, and so is the minimum CPU time (user + system) of the process. Target:
both volition commands within 2x of the baseline. The load average is read at the start and
at the end.

Run from the repository root: ``.venv/bin/python benchmarks/bench_startup.py`` (about 20 s);
``--no-bytecode`` measures as if the packages had been installed without compiled bytecode.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

COMMANDS: dict[str, list[str]] = {
    "volition --help": [str(BIN / "volition"), "--help"],
    "volition voi examples/fact_checking.yaml --info I1": [
        str(BIN / "volition"),
        "voi",
        "examples/fact_checking.yaml",
        "--info",
        "I1",
    ],
    'python -c "import numpy, yaml, typer, rich.console"': [
        sys.executable,
        "-c",
        "import numpy, yaml, typer, rich.console",
    ],
}
BASELINE = 'python -c "import numpy, yaml, typer, rich.console"'


def run_once(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of one run of ``argv`` from the
    repository root (it must succeed). CPU time suffers less than wall time from other
    processes on a shared machine, though they still slow it (caches, memory bandwidth)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def cpu_model() -> str:
    """The ``Model name`` line of ``lscpu`` (or the platform's processor string)."""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return platform.processor() or "unknown"
    for line in out.splitlines():
        if line.startswith("Model name:"):
            return line.split(":", 1)[1].strip()
    return "unknown"


def bytecode_compiled() -> bool:
    """Whether the installed packages come with compiled bytecode (``uv sync
    --compile-bytecode``); with ``PYTHONDONTWRITEBYTECODE`` set nothing else writes it."""
    import typer

    return any((Path(typer.__file__).parent / "__pycache__").glob("main.*.pyc"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per command")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument(
        "--no-bytecode",
        action="store_true",
        help="as without `uv sync --compile-bytecode`: point PYTHONPYCACHEPREFIX at an empty "
        "folder, so that every module is compiled from source (and, with "
        "PYTHONDONTWRITEBYTECODE, never written)",
    )
    args = parser.parse_args()
    env = None
    if args.no_bytecode:
        if not os.environ.get("PYTHONDONTWRITEBYTECODE"):
            parser.error("--no-bytecode needs PYTHONDONTWRITEBYTECODE=1 (else runs write it)")
        env = {**os.environ, "PYTHONPYCACHEPREFIX": tempfile.mkdtemp(prefix="no-pyc-")}

    load_start = os.getloadavg()
    for argv in COMMANDS.values():  # warm the file cache once, untimed
        run_once(argv, env)
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    cpu: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(args.repeats):
        for name, argv in COMMANDS.items():
            wall, used = run_once(argv, env)
            times[name].append(wall)
            cpu[name].append(used)
    load_end = os.getloadavg()

    base, base_cpu = min(times[BASELINE]), min(cpu[BASELINE])
    report = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "bytecode_compiled": bytecode_compiled() and not args.no_bytecode,
        "PYTHONDONTWRITEBYTECODE": os.environ.get("PYTHONDONTWRITEBYTECODE", ""),
        "load_average_start": [round(x, 2) for x in load_start],
        "load_average_end": [round(x, 2) for x in load_end],
        "repeats": args.repeats,
        "commands": {
            name: {
                "min_s": round(min(runs), 3),
                "median_s": round(statistics.median(runs), 3),
                "x_baseline": round(min(runs) / base, 2),
                "cpu_min_s": round(min(cpu[name]), 3),
                "cpu_x_baseline": round(min(cpu[name]) / base_cpu, 2),
            }
            for name, runs in times.items()
        },
    }
    print(
        f"{report['date']}, {report['cpu']} ({report['cores']} cores), Python "
        f"{report['python']}, bytecode compiled: {report['bytecode_compiled']}, "
        f"load average {load_start[0]:.2f} -> {load_end[0]:.2f}"
    )
    print(
        f"\n| command | wall, min of {args.repeats} (s) | wall, median (s) | min / baseline "
        "| CPU, min (s) | CPU min / baseline |"
    )
    print("|---|---|---|---|---|---|")
    for name, row in report["commands"].items():
        print(
            f"| `{name}` | {row['min_s']:.3f} | {row['median_s']:.3f} | {row['x_baseline']} "
            f"| {row['cpu_min_s']:.3f} | {row['cpu_x_baseline']} |"
        )
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
