"""Serve the real chat app in a subprocess on a free loopback port, for the load and latency benchmarks and
the server and browser tests (which import it from here; this module imports nothing from the tests)."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(project: Path, timeout: float = 240.0, env: dict[str, str] | None = None) -> Iterator[str]:
    """Run ``article-assistant chat`` in ``project`` (seeds copied in) and yield its URL; always stop it.

    ``env`` adds variables (e.g. ``ASSISTANT_AUTH``); the server counts as up once it answers at all.
    """
    if not (project / "seeds").exists():
        shutil.copytree(ROOT / "seeds", project / "seeds")
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "HF_HUB_OFFLINE": "1",
        "GRADIO_ANALYTICS_ENABLED": "False",
        "ANONYMIZED_TELEMETRY": "False",
        **(env or {}),
    }
    log = (project / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", "chat", "--port", str(port)],
        cwd=project,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the chat server exited ({proc.returncode}):\n{_tail(project)}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the chat server did not start in {timeout:.0f} s:\n{_tail(project)}")
            try:
                with urllib.request.urlopen(url + "config", timeout=2) as r:
                    if r.status == 200:
                        break
            except urllib.error.HTTPError:
                break  # it answers, only not without a login
            except OSError:
                time.sleep(0.5)
        yield url
    finally:
        stop_process(proc)
        log.close()


def stop_process(proc: subprocess.Popen, timeout: float = 15.0) -> None:
    """Terminate a server this process started, and kill it if it does not stop in ``timeout`` seconds."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _tail(project: Path) -> str:
    return (project / "server.log").read_text(encoding="utf-8", errors="replace")[-3000:]
