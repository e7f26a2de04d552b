"""The forecast's path as a small inline SVG chart: one line per outcome, one point per step.

Pure: numbers in, SVG out (presentation attributes only, no inline style, so the pages' CSP
holds). A withheld step (amnesia) breaks the lines; the chart shows what the viewer may see.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

__all__ = ["COLOURS", "path_chart"]

COLOURS = ("#1f6feb", "#d1242f", "#1a7f37", "#9a6700", "#8250df", "#57606a")
WIDTH, HEIGHT, PAD = 320, 120, 16


def path_chart(outcomes: Sequence[str], steps: Sequence[Sequence[float] | None], label: str) -> str:
    """An SVG of the probabilities of ``outcomes`` over ``steps`` (None: withheld)."""
    n = max(len(steps), 2)
    x = [PAD + i * (WIDTH - 2 * PAD) / (n - 1) for i in range(n)]

    def y(p: float) -> float:
        return HEIGHT - PAD - p * (HEIGHT - 2 * PAD)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(label)}" '
        'data-testid="forecast-chart">',
        f"<title>{escape(label)}</title>",
        f'<line x1="{PAD}" y1="{y(0)}" x2="{WIDTH - PAD}" y2="{y(0)}" stroke="#8c959f"/>',
        f'<line x1="{PAD}" y1="{y(1)}" x2="{WIDTH - PAD}" y2="{y(1)}" stroke="#d0d7de"/>',
    ]
    for k, outcome in enumerate(outcomes):
        colour = COLOURS[k % len(COLOURS)]
        runs: list[list[str]] = [[]]
        for i, step in enumerate(steps):
            if step is None:
                runs.append([])
                continue
            runs[-1].append(f"{x[i]:.1f},{y(step[k]):.1f}")
        for run in runs:
            if len(run) > 1:
                parts.append(
                    f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" '
                    f'stroke-width="2"><title>{escape(outcome)}</title></polyline>'
                )
            for point in run:
                cx, cy = point.split(",")
                parts.append(
                    f'<circle cx="{cx}" cy="{cy}" r="3" fill="{colour}">'
                    f"<title>{escape(outcome)}</title></circle>"
                )
    parts.append("</svg>")
    return "".join(parts)
