"""What the HTTP benchmarks share: a free port, a set-up step run as a child
process, and the app served by gunicorn until it answers (not a benchmark itself:
``portal bench`` skips names starting with ``_``)."""

import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_step(env: dict, command: list[str], label: str, timeout: int = 3600) -> str:
    """Run a set-up command; its stdout, or an error with the end of its stderr."""
    print(f"… {label}", flush=True)
    started = time.monotonic()
    result = subprocess.run(
        command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        raise RuntimeError(f"{label} failed:\n{result.stderr[-4000:]}")
    print(f"  {label}: {time.monotonic() - started:.0f}s", flush=True)
    return result.stdout


def start_gunicorn(
    env: dict,
    workdir: Path,
    *,
    workers: int,
    threads: int,
    ready: Callable[[int], bool],
    backlog: int = 2048,
    wait_seconds: int = 180,
) -> tuple[subprocess.Popen, int]:
    """Serve ``cms.wsgi`` on a free port (gthread workers, or sync ones when
    ``threads`` is 0) and wait until ``ready(port)`` is true. Returns the process
    and the port; raises with the end of gunicorn's log if it never gets ready."""
    port = free_port()
    log_path = workdir / "gunicorn.log"
    log = log_path.open("w")
    workers_args = (
        ["--worker-class", "gthread", "--threads", str(threads)]
        if threads
        else ["--worker-class", "sync"]
    )
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "cms.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            *workers_args,
            "--backlog",
            str(backlog),
            "--timeout",
            "120",
        ],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + wait_seconds
    while server.poll() is None and time.monotonic() < deadline:
        try:
            if ready(port):
                return server, port
        except OSError:
            pass
        time.sleep(0.3)
    server.kill()
    raise RuntimeError(log_path.read_text()[-4000:])
