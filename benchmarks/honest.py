"""What every benchmark prints with its figures (issue 15, "Honest benchmarks").

A figure states the command that produced it, the load average at the start and the end of the
run, and is the median of several runs with their spread. ``Session`` records the first two;
``spread`` formats the third.
"""

from __future__ import annotations

import os
import shlex
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, as ``uptime`` prints them."""
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def spread(values: Sequence[float], digits: int = 1) -> str:
    """``median (min-max, n runs)``: the figure to quote and how far the runs were apart."""
    if not values:
        return "-"
    med = statistics.median(values)
    if len(values) == 1:
        return f"{med:.{digits}f} (1 run)"
    return (
        f"{med:.{digits}f} ({min(values):.{digits}f}-{max(values):.{digits}f}, {len(values)} runs)"
    )


@dataclass
class Session:
    """The command and the machine's load at the start of a benchmark and at its end."""

    command: str = field(default_factory=lambda: shlex.join([sys.executable, *sys.argv]))
    started: str = field(
        default_factory=lambda: time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    )
    load_start: str = field(default_factory=load_average)
    cores: int = field(default_factory=lambda: os.cpu_count() or 0)

    def header(self) -> str:
        return (
            f"command: {self.command}\n"
            f"started {self.started} on {self.cores} cores; load average at the start "
            f"{self.load_start}"
        )

    def footer(self) -> str:
        ended = time.strftime("%H:%M:%S UTC", time.gmtime())
        return (
            f"ended {ended}; load average at the start {self.load_start}, "
            f"at the end {load_average()}"
        )
