"""``volition serve --demo --workers 2``: each server process computes analyses in its own
worker processes (started by forkserver, never by forking the server), and the demo allows
its users' local LLM URLs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx

from tests.support.servers import free_port, wait_until_ready
from volition.bazaar.demo import DEMO_LOGINS

PD = {
    "players": ["Row", "Column"],
    "strategies": [["C", "D"], ["C", "D"]],
    "payoffs": [[[3, 3], [0, 5]], [[5, 0], [1, 1]]],
}


def test_analyses_run_under_serve_with_two_server_processes(tmp_path: Path) -> None:
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("VOLITION_DATABASE_URL", "VOLITION_ALLOW_PRIVATE_URLS")
    }
    env["VOLITION_ANALYSIS_WORKERS"] = "1"
    command = [
        sys.executable, "-c", "from volition.cli import main; main()", "serve", "--demo",
        "--workers", "2", "--no-access-log", "--port", str(port),
        "--database", f"sqlite:///{tmp_path / 'demo.db'}",
    ]  # fmt: skip
    server = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(server, base, timeout=240)  # a loaded machine
        login = next(x for x in DEMO_LOGINS if x.name == "alice")
        r = httpx.post(f"{base}/api/tokens", json={"name": login.name, "password": login.password})
        headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
        with httpx.Client(base_url=base, headers=headers, timeout=120) as alice:
            for _ in range(4):  # over both server processes, most likely
                r = alice.post("/api/analysis/align", json={"game": PD, "pure_only": True})
                assert r.status_code == 200, r.text
                assert r.json()["players"] == ["Row", "Column"]
            assert httpx.post(f"{base}/api/analysis/align", json={"game": PD}).status_code == 401
            local = {"base_url": "http://127.0.0.1:9/v1", "model": "m", "api_key": "sk-local"}
            r = alice.put("/api/me/llm", json=local)
            assert r.status_code == 200, r.text  # the demo allows local model servers
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=120)
    assert "Traceback" not in output, output
