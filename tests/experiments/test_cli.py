"""``volition experiment run`` and ``report``: JSON summary, Parquet, reruns, HTML."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.experiments.helpers import small_spec
from volition.cli import run


def _run_json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> dict[str, object]:
    assert run(argv) == 0
    data: dict[str, object] = json.loads(capsys.readouterr().out)
    return data


def test_run_writes_parquet_and_prints_the_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = small_spec(tmp_path)
    out = tmp_path / "out"
    data = _run_json(
        capsys, ["experiment", "run", str(spec), "--out", str(out), "--workers", "1", "--json"]
    )
    summary = data["summary"]
    assert isinstance(summary, list) and len(summary) == 2
    for entry in summary:
        tv = entry["true_value"]
        assert tv["lo"] <= tv["mean"] <= tv["hi"]
        assert sum(entry["shares"].values()) == pytest.approx(1.0)
        assert entry["seeds"] == 2
    table = pq.read_table(out / "results.parquet")
    assert table.num_rows == 4
    assert (out / "spec.yaml").read_text() == spec.read_text()
    assert "numpy" in json.loads((out / "versions.json").read_text())
    # a rerun computes nothing: every row, timings included, comes back from the file
    before = table.to_pylist()
    _run_json(
        capsys, ["experiment", "run", str(spec), "--out", str(out), "--workers", "1", "--json"]
    )
    assert pq.read_table(out / "results.parquet").to_pylist() == before


def test_two_local_processes_give_the_numbers_of_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = small_spec(tmp_path)
    one = _run_json(
        capsys,
        ["experiment", "run", str(spec), "--out", str(tmp_path / "a"), "--workers", "1", "--json"],
    )
    two = _run_json(
        capsys,
        ["experiment", "run", str(spec), "--out", str(tmp_path / "b"), "--workers", "2", "--json"],
    )
    strip = {"episodes_per_second"}
    assert [{k: v for k, v in e.items() if k not in strip} for e in one["summary"]] == [  # type: ignore[union-attr]
        {k: v for k, v in e.items() if k not in strip}
        for e in two["summary"]  # type: ignore[union-attr]
    ]


def test_report_writes_plots_and_a_self_contained_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert (
        run(["experiment", "run", str(small_spec(tmp_path)), "--out", str(out), "--workers", "1"])
        == 0
    )
    capsys.readouterr()
    data = _run_json(capsys, ["experiment", "report", str(out), "--json"])
    page = Path(str(data["report"]))
    text = page.read_text()
    assert text.count("data:image/png;base64,") == 3
    assert "src='http" not in text and "<link" not in text
    assert sorted(p.name for p in out.glob("*.png")) == [
        "fact_checking_learning.png",
        "fact_checking_offers.png",
        "fact_checking_true_value.png",
    ]


def test_bad_input_is_one_line_and_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["experiment", "run", str(small_spec(tmp_path, seeds=0))]) == 2
    assert "seeds" in capsys.readouterr().err
    assert run(["experiment", "report", str(tmp_path / "nothing")]) == 2
    assert "no results" in capsys.readouterr().err
    assert run(["experiment", "run", str(small_spec(tmp_path)), "--backend", "spark"]) == 2


def test_importing_the_cli_does_not_import_the_experiments_layer() -> None:
    """pyarrow may come in through pandas (which scikit-learn loads, and which loads pyarrow
    when installed); nothing else of the experiments layer does."""
    heavy = ("volition.experiments", "matplotlib", "ray", "pettingzoo", "gymnasium")
    code = (
        "import sys, volition.cli; "
        f"print(sorted(m for m in {heavy!r} if m in sys.modules), "
        "'pyarrow' not in sys.modules or 'pandas' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[] True"
