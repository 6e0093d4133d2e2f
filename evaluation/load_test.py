"""Load test of the served chat: N concurrent gradio_client sessions x M dev-set questions each via ``/ask``.

Serves the real app (``article-assistant chat`` on a free 127.0.0.1 port, in a temp project holding a copy
of seeds/), then starts ``--sessions`` threads, each with its own ``gradio_client.Client``, each asking
``--questions`` dev-set questions in turn (every session starts at a different question). Checks that no
request fails and that every citation is exact (``(project / source).read_text()[start:end] == quote``,
read from the app's project dir), and prints throughput (answers per second of wall time, counted from
when every session has connected) and p50/p95/p99 request latency (submit to result, queueing included).
Bounded: at most sessions x questions requests, each waited for at most ``--request-timeout`` s, the
whole load at most ``--deadline`` s. Loopback only: it refuses any other URL. Exits 1 on any error or
inexact citation. Not a timed test: ``tests/evaluation/test_load.py`` runs a short version and asserts
correctness only.

    .venv/bin/python -m evaluation.load_test [--sessions 20] [--questions 10] [--json out.json]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from evaluation.evalsets import dev_rows
from evaluation.metrics import percentile

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class LoadResult:
    sessions: int
    questions_per_session: int
    requests: int = 0
    answers: int = 0
    refused: int = 0
    citations: int = 0
    wall_s: float = 0.0
    throughput_per_s: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    errors: list[str] = field(default_factory=list)
    inexact: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.inexact and self.answers == self.requests

    def summary(self) -> str:
        counts = f"{self.answers}/{self.requests} answered ({self.refused} refused)"
        checks = f"{self.citations} citations, {len(self.errors)} errors, {len(self.inexact)} inexact"
        speed = f"{self.wall_s:.1f} s, {self.throughput_per_s:.1f} answers/s"
        ms = ", ".join(f"{k} {getattr(self, k + '_ms'):.0f} ms" for k in ("p50", "p95", "p99", "max"))
        load = f"{self.sessions} sessions x {self.questions_per_session} questions"
        return f"{load}: {counts}, {checks}; {speed}; latency {ms}"


def dev_questions() -> list[str]:
    """Dev-set questions that stand alone (answerable or not; follow-ups need their history)."""
    return [c["question"] for c in dev_rows() if not c["history_questions"]]


def check_citations(answer: dict, project: Path, texts: dict[str, str]) -> list[str]:
    """The citations of ``answer`` whose quote is not exactly ``source_text[start:end]``, described."""
    bad = []
    for c in answer.get("citations") or []:
        source = c["source"]
        if source not in texts:
            path = (project / source).resolve()
            if not path.is_relative_to(project.resolve()):
                bad.append(f"{source}: outside the project")
                continue
            texts[source] = path.read_text(encoding="utf-8")
        if texts[source][c["start"] : c["end"]] != c["quote"]:
            bad.append(f"{source}[{c['start']}:{c['end']}] != {c['quote'][:60]!r}")
    return bad


def _record(
    result: LoadResult, answer, question: str, tag: str, project: Path, texts: dict[str, str]
) -> None:
    """Count one answer to ``question``, and any way it is wrong: malformed, inexact, or uncited."""
    result.answers += 1
    if not isinstance(answer, dict) or answer.get("question") != question:
        result.errors.append(f"{tag}: wrong or malformed answer for {question!r}")
        return
    result.refused += bool(answer.get("refused"))
    result.citations += len(answer.get("citations") or [])
    result.inexact += check_citations(answer, project, texts)
    if not answer.get("refused") and not answer.get("citations"):
        result.inexact.append(f"{tag}: an answer without citations to {question!r}")


def run_load(
    url: str,
    project: Path,
    sessions: int = 20,
    per_session: int = 10,
    request_timeout: float = 120.0,
    deadline: float = 900.0,
    questions: list[str] | None = None,
) -> LoadResult:
    """Drive the app at ``url`` (loopback only) and check every answer against the files in ``project``."""
    from gradio_client import Client

    if urlparse(url).hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"refusing to load-test {url}: loopback only")
    pool = questions or dev_questions()
    result = LoadResult(sessions, per_session, requests=sessions * per_session)
    latencies: list[float] = []
    texts: dict[str, str] = {}
    lock = threading.Lock()
    started: list[float] = []  # the clock starts when every session has connected
    ready = threading.Barrier(sessions, action=lambda: started.append(time.monotonic()))
    stop_at = time.monotonic() + deadline

    def session(i: int) -> None:
        try:
            client = Client(url, verbose=False, analytics_enabled=False, download_files=False)
        except Exception as e:  # any failure to connect is a counted error, reported below
            with lock:
                result.errors += [f"session {i}: connect: {type(e).__name__}: {e}"] * per_session
            return
        finally:
            with contextlib.suppress(threading.BrokenBarrierError):
                ready.wait(timeout=request_timeout)
        for j in range(per_session):
            question = pool[(i + j) % len(pool)]
            if time.monotonic() > stop_at:
                with lock:
                    result.errors.append(f"session {i} q{j}: deadline of {deadline:.0f} s passed")
                continue
            t0 = time.perf_counter()
            try:
                job = client.submit(question, "[]", 0, api_name="/ask")
                answer = job.result(timeout=request_timeout)
            except Exception as e:  # AppError, timeouts, connection errors: all count
                with lock:
                    result.errors.append(f"session {i} q{j} {question!r}: {type(e).__name__}: {e}")
                continue
            ms = (time.perf_counter() - t0) * 1000
            with lock:
                latencies.append(ms)
                _record(result, answer, question, f"session {i} q{j}", project, texts)

    with ThreadPoolExecutor(max_workers=sessions) as ex:
        list(ex.map(session, range(sessions)))
    result.wall_s = time.monotonic() - (started[0] if started else stop_at - deadline)
    result.throughput_per_s = result.answers / result.wall_s if result.wall_s else 0.0
    if latencies:
        result.p50_ms, result.p95_ms, result.p99_ms = (percentile(latencies, p) for p in (50, 95, 99))
        result.max_ms = max(latencies)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--questions", type=int, default=10, help="questions per session")
    parser.add_argument("--request-timeout", type=float, default=120.0)
    parser.add_argument("--deadline", type=float, default=900.0, help="seconds for the whole load")
    parser.add_argument("--json", help="also write the result as JSON to this file")
    args = parser.parse_args()
    if not (1 <= args.sessions <= 100 and 1 <= args.questions <= 100):
        parser.error("--sessions and --questions must be 1..100")

    from evaluation.ui_server import serve

    with tempfile.TemporaryDirectory() as tmp, serve(Path(tmp)) as url:
        project = Path(tmp)
        run_load(url, project, 1, 1, args.request_timeout, args.deadline)  # warm-up, not counted
        result = run_load(url, project, args.sessions, args.questions, args.request_timeout, args.deadline)
    for line in (result.errors + result.inexact)[:20]:
        print(f"error: {line}", file=sys.stderr)
    print(result.summary())
    if args.json:
        from assistant.ui.app import CONCURRENCY

        data = {
            **asdict(result),
            "ok": result.ok,
            "date": time.strftime("%Y-%m-%d"),
            "concurrency": CONCURRENCY,
        }
        Path(args.json).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
