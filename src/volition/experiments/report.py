"""Summaries over seeds, plots and a self-contained HTML report of an experiment's results.

:func:`summarise` groups the rows by (world, regime, learner) and gives each measure's mean
and 95% CI over seeds (:func:`~.metrics.mean_ci`), the mean offer shares, and the exact
equilibrium value for comparison. :func:`write_report` draws learning curves, offer shares
and true value by regime (matplotlib, Agg) and inlines them as base64 in ``report.html``.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from volition.errors import InputError
from volition.experiments.game import CATEGORIES
from volition.experiments.metrics import mean_ci

__all__ = ["MEASURES", "headline_markdown", "read_results", "summarise", "write_report"]

MEASURES = ("true_value", "gain", "ex_post", "revenue", "surplus", "policy_distance")


def read_results(path: str | Path) -> list[dict[str, Any]]:
    """The rows of a results directory (or its ``results.parquet``)."""
    import pyarrow.parquet as pq

    path = Path(path)
    file = path / "results.parquet" if path.is_dir() else path
    if not file.is_file():
        raise InputError(f"no results at {str(file)!r}; run `volition experiment run SPEC` first")
    rows: list[dict[str, Any]] = pq.read_table(file).to_pylist()
    return rows


def summarise(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per (world, regime, learner): measures as {mean, lo, hi} over seeds."""
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault((row["world"], row["regime"], row["learner"]), []).append(row)
    out = []
    for (world, regime, learner), members in groups.items():
        entry: dict[str, Any] = {
            "world": world,
            "regime": regime,
            "learner": learner,
            "seeds": len(members),
        }
        for name in MEASURES:
            m, lo, hi = mean_ci([float(r[name]) for r in members])
            entry[name] = {"mean": m, "lo": lo, "hi": hi}
        entry["shares"] = {
            c: float(np.mean([r[f"share_{c}"] for r in members])) for c in CATEGORIES
        }
        entry["exact_true_value"] = float(members[0]["exact_true_value"])
        entry["exact_gain"] = float(members[0]["exact_gain"])
        entry["episodes_per_second"] = float(np.mean([r["episodes_per_second"] for r in members]))
        out.append(entry)
    return out


def headline_markdown(summary: Sequence[dict[str, Any]], measure: str = "gain") -> str:
    """A Markdown table: (regime, learner) rows, one column per world, each cell the mean
    and 95% CI over seeds of ``measure`` (default: the true value before payments)."""
    worlds = list(dict.fromkeys(s["world"] for s in summary))
    rows = list(dict.fromkeys((s["regime"], s["learner"]) for s in summary))
    by = {(s["world"], s["regime"], s["learner"]): s for s in summary}
    lines = [
        "| regime | learner | " + " | ".join(worlds) + " |",
        "|---|---|" + "---|" * len(worlds),
    ]
    for regime, learner in rows:
        cells = []
        for w in worlds:
            s = by.get((w, regime, learner))
            if s is None:
                cells.append("")
                continue
            v = s[measure]
            cells.append(f"{v['mean']:.4f} [{v['lo']:.4f}, {v['hi']:.4f}] ({s['exact_gain']:.4f})")
        lines.append(f"| {regime} | {learner} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _figure_png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def write_report(results: str | Path, out: str | Path | None = None) -> Path:
    """Plots (PNG files) and ``report.html`` (images inlined) for a results directory."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    results = Path(results)
    rows = read_results(results)
    out_dir = Path(out) if out else (results if results.is_dir() else results.parent)
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = summarise(rows)
    images: list[tuple[str, str]] = []
    for world in dict.fromkeys(r["world"] for r in rows):
        mine = [s for s in summary if s["world"] == world]
        labels = [f"{s['regime']}\n{s['learner']}" for s in mine]
        x = np.arange(len(mine))
        # true value by regime, before and net of payments, with CIs and the exact value
        fig, ax = plt.subplots(figsize=(max(6, len(mine) * 0.9), 4))
        for offset, measure, label in (
            (-0.2, "gain", "before payments (95% CI)"),
            (0.2, "true_value", "net of payments (95% CI)"),
        ):
            means = np.array([s[measure]["mean"] for s in mine])
            err = np.array(
                [
                    [s[measure]["mean"] - s[measure]["lo"] for s in mine],
                    [s[measure]["hi"] - s[measure]["mean"] for s in mine],
                ]
            )
            ax.bar(x + offset, means, width=0.4, yerr=err, capsize=3, label=label)
        ax.scatter(
            x - 0.2,
            [s["exact_gain"] for s in mine],
            color="black",
            marker="_",
            s=200,
            label="equilibrium, before payments (exact)",
        )
        ax.set_xticks(x, labels, fontsize=7)
        ax.set_ylabel("buyer's true value (eq. 1)")
        ax.set_title(f"{world}: true value to the buyer by regime")
        ax.axhline(0, color="grey", lw=0.5)
        ax.legend(fontsize=7)
        images.append(
            (f"{world}: true value by regime", _save(fig, out_dir / f"{world}_true_value.png"))
        )
        plt.close(fig)
        # offer shares
        fig, ax = plt.subplots(figsize=(max(6, len(mine) * 0.9), 4))
        bottom = np.zeros(len(mine))
        for c in CATEGORIES:
            share = np.array([s["shares"][c] for s in mine])
            ax.bar(x, share, bottom=bottom, label=c)
            bottom += share
        ax.set_xticks(x, labels, fontsize=7)
        ax.set_ylabel("share of offers")
        ax.set_title(f"{world}: what the trained informer offers")
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1, 1))
        images.append((f"{world}: offer shares", _save(fig, out_dir / f"{world}_offers.png")))
        plt.close(fig)
        # learning curves (mean over seeds) of the learners
        fig, ax = plt.subplots(figsize=(7, 4))
        for s in mine:
            curves = [
                r["curve_true_value"]
                for r in rows
                if (r["world"], r["regime"], r["learner"]) == (world, s["regime"], s["learner"])
            ]
            if (
                curves
                and len(curves[0]) > 1
                and any(r["learner_kind"] != "fixed" for r in rows if r["learner"] == s["learner"])
            ):
                length = min(len(c) for c in curves)
                ax.plot(
                    np.mean([c[:length] for c in curves], axis=0),
                    label=f"{s['regime']} / {s['learner']}",
                )
        ax.set_xlabel("training batch")
        ax.set_ylabel("buyer's true value (eq. 1), batch mean")
        ax.set_title(f"{world}: learning curves")
        ax.legend(fontsize=6, loc="upper left", bbox_to_anchor=(1, 1))
        images.append((f"{world}: learning curves", _save(fig, out_dir / f"{world}_learning.png")))
        plt.close(fig)
    page = out_dir / "report.html"
    page.write_text(_html(summary, images))
    return page


def _save(fig: Any, path: Path) -> str:
    fig.savefig(path, dpi=100, bbox_inches="tight")
    return _figure_png(fig)


def _html(summary: Sequence[dict[str, Any]], images: Sequence[tuple[str, str]]) -> str:
    head = [
        "world",
        "regime",
        "learner",
        "seeds",
        "true value (95% CI)",
        "exact eq.",
        "gain",
        "revenue",
        "distance",
        *CATEGORIES,
    ]
    body = []
    for s in summary:
        tv = s["true_value"]
        cells = [
            s["world"],
            s["regime"],
            s["learner"],
            str(s["seeds"]),
            f"{tv['mean']:.4g} [{tv['lo']:.4g}, {tv['hi']:.4g}]",
            f"{s['exact_true_value']:.4g}",
            f"{s['gain']['mean']:.4g}",
            f"{s['revenue']['mean']:.4g}",
            f"{s['policy_distance']['mean']:.3g}",
            *(f"{s['shares'][c]:.2f}" for c in CATEGORIES),
        ]
        body.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    figs = "".join(
        f"<h2>{html.escape(title)}</h2>"
        f"<img alt='{html.escape(title)}' src='data:image/png;base64,{data}'>"
        for title, data in images
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>volition experiment</title>"
        "<style>body{font-family:sans-serif;margin:2em}"
        "td,th{padding:2px 6px;border-bottom:1px solid #ddd}</style>"
        "</head><body><h1>Experiment report</h1><table><tr>"
        + "".join(f"<th>{html.escape(h)}</th>" for h in head)
        + "</tr>"
        + "".join(body)
        + f"</table>{figs}</body></html>"
    )
