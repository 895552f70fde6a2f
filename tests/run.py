"""Run the whole suite the way `make test` and CI do: on SQLite, then again on
PostgreSQL.

PostgreSQL comes from TEST_DATABASE_URL, or the default local server
(postgres://postgres@127.0.0.1:5432/portal_test) when one answers. Without one the
PostgreSQL run is skipped with a clear message, unless PORTAL_REQUIRE_ALL=1 (set by
.ci/run), which turns every skip into a failure. pytest's exit code 5 ("no tests
collected") counts as a failure.
"""

import os
import subprocess
import sys
import time

DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/portal_test"


def postgres_url() -> tuple[str | None, str]:
    url = os.environ.get("TEST_DATABASE_URL") or DEFAULT_POSTGRES_URL
    try:
        import psycopg

        dsn = (
            url.replace("postgres://", "postgresql://", 1).rsplit("/", 1)[0]
            + "/postgres"
        )
        with psycopg.connect(dsn, connect_timeout=3):
            pass
    except Exception as error:  # any failure to connect means: no PostgreSQL here
        return None, f"{url}: {error}".strip()
    return url, ""


def run_suite(label: str, database_url: str | None, extra_args: list[str]) -> int:
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    workers = env.get("PYTEST_WORKERS", "auto")
    command = [sys.executable, "-m", "pytest", "-n", workers, "-p", "no:cacheprovider"]
    print(f"\n=== {label} ===", flush=True)
    started = time.monotonic()
    code = subprocess.call([*command, *extra_args], env=env)
    print(
        f"=== {label}: exit {code} in {time.monotonic() - started:.0f}s ===", flush=True
    )
    if code == 5:
        print(f"{label}: pytest collected no tests; that is a failure.", flush=True)
        return 1
    return code


def main(argv: list[str]) -> int:
    require_all = os.environ.get("PORTAL_REQUIRE_ALL") == "1"
    failures, skipped = [], []

    if run_suite("SQLite", None, argv) != 0:
        failures.append("SQLite")

    url, reason = postgres_url()
    if url is None:
        skipped.append(f"PostgreSQL suite skipped: no server reachable ({reason})")
    elif run_suite("PostgreSQL", url, argv) != 0:
        failures.append("PostgreSQL")

    print()
    for line in skipped:
        print(f"SKIPPED: {line}")
    if skipped and require_all:
        failures.append("required parts missing (PORTAL_REQUIRE_ALL=1)")
    if failures:
        print(f"FAILED: {', '.join(failures)}")
        return 1
    print("All test suites passed.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
