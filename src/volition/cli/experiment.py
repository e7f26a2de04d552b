"""``volition experiment``: RL from information-market feedback, swept over a grid.

``run SPEC`` trains informers in every (world, regime, learner, seed) of an experiment file
and writes Parquet results; ``report RESULTS`` writes plots and a self-contained HTML page.
The experiments layer (pyarrow, matplotlib, pettingzoo, ray) is imported inside the commands
only, so ``import volition.cli`` stays light.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from volition.cli.errors import reports_errors
from volition.cli.output import console, print_json, print_table

__all__ = ["app"]

SummaryJson = Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")]

app = typer.Typer(
    name="experiment",
    help="Train informers on market feedback over a grid of worlds and regimes; report.",
    no_args_is_help=True,
    add_completion=False,
)


@app.command("run")
@reports_errors
def run(
    spec: Annotated[Path, typer.Argument(help="An experiment file (YAML or JSON).")],
    out: Annotated[
        Path | None, typer.Option(help="Results directory (default: results/<spec name>).")
    ] = None,
    backend: Annotated[str, typer.Option(help="local (processes) or ray.")] = "local",
    workers: Annotated[
        int | None, typer.Option(help="Processes / Ray CPUs (default: cores).")
    ] = None,
    address: Annotated[
        str | None, typer.Option(help="A Ray cluster's address (--backend ray).")
    ] = None,
    as_json: SummaryJson = False,
) -> None:
    """Run every cell of the grid not already done; print the summary per regime."""
    from rich.progress import Progress

    from volition.experiments.report import summarise
    from volition.experiments.runner import run_experiment
    from volition.experiments.spec import load_spec

    parsed, _ = load_spec(spec)
    target = out or Path("results") / parsed.name
    with Progress(console=console, transient=True, disable=as_json) as bar:
        task = bar.add_task(f"{parsed.name}: cells", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        rows = run_experiment(spec, target, backend, workers, address, progress)
    summary = summarise(rows)
    if as_json:
        print_json({"experiment": parsed.name, "results": str(target), "summary": summary})
        return
    _print(summary)
    console.print(f"results: {target}")


@app.command("report")
@reports_errors
def report(
    results: Annotated[Path, typer.Argument(help="A results directory (or results.parquet).")],
    out: Annotated[Path | None, typer.Option(help="Where to write (default: beside).")] = None,
    as_json: SummaryJson = False,
    markdown: Annotated[
        bool, typer.Option("--markdown", help="Print the headline table as Markdown.")
    ] = False,
) -> None:
    """Plots (learning curves, offer shares, true value by regime) and report.html."""
    from volition.experiments.report import headline_markdown, read_results, summarise, write_report

    page = write_report(results, out)
    summary = summarise(read_results(results))
    if markdown:
        print(headline_markdown(summary))
        return
    if as_json:
        print_json({"report": str(page), "summary": summary})
        return
    _print(summary)
    console.print(f"report: {page}")


def _print(summary: list[dict[str, Any]]) -> None:
    rows = []
    for s in summary:
        gain, net = s["gain"], s["true_value"]
        top = max(s["shares"], key=s["shares"].get)
        rows.append(
            [
                s["world"],
                s["regime"],
                s["learner"],
                f"{gain['mean']:.4g} [{gain['lo']:.4g}, {gain['hi']:.4g}]",
                f"{s['exact_gain']:.4g}",
                f"{net['mean']:.4g} [{net['lo']:.4g}, {net['hi']:.4g}]",
                f"{s['revenue']['mean']:.4g}",
                f"{top} {s['shares'][top]:.2f}",
            ]
        )
    print_table(
        "What the trained informer's offers are worth to the buyer (eq. 1; 95% CI over seeds)",
        [
            "world",
            "regime",
            "learner",
            "value",
            "equilibrium",
            "net of payments",
            "revenue",
            "main offer",
        ],
        rows,
    )
