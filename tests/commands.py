"""The ``portal`` command run as a process of its own, as an operator runs it."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def portal(*args, env_overrides, tmp_path):
    """``portal *args`` with the default settings, a database in ``tmp_path`` and
    none of this test process's own configuration (``env_overrides`` adds some)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {"PORTAL_ENV", "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "DATABASE_URL"}
        # Set by the browser fixture (tests/real_parts.py) for the test process only;
        # the deploy check rightly refuses it in production.
        and key != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "cms.settings",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'check.sqlite3'}",
            "PORTAL_VAR_DIR": str(tmp_path),
            **env_overrides,
        }
    )
    return run_portal(args, env, timeout=120)


def run_portal(args, env: dict, timeout: float) -> subprocess.CompletedProcess:
    """``portal *args`` from the checkout with exactly ``env``, its output kept."""
    return subprocess.run(
        [sys.executable, "-m", "cms.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
