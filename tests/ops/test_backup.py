"""Backup and restore round trip, on SQLite and on PostgreSQL: a fresh portal gets
an account, a page, an image and a booking; ``portal backup`` archives it
(encrypted); ``portal restore`` loads it into an empty database and media folder;
the restored portal still has all four. Real ``portal`` processes, real pg_dump."""

import json
import os
import uuid
from pathlib import Path

import psycopg
import pytest

from cms.ops.backup import generate_key
from tests.commands import run_portal

PG_SERVER = "postgres://postgres@127.0.0.1:5432"


def portal(*args, env, check=True):
    result = run_portal(args, env, timeout=300)
    if check:
        assert result.returncode == 0, result.stderr[-3000:]
    return result


def instance_env(folder: Path, database_url: str, **extra) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "PORTAL_BACKUP_KEY"}
        and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(
        DJANGO_SETTINGS_MODULE="cms.settings",
        PORTAL_ENV="test",
        PORTAL_VAR_DIR=str(folder),
        PORTAL_MEDIA_ROOT=str(folder / "media"),
        DATABASE_URL=database_url,
        **extra,
    )
    folder.mkdir(parents=True, exist_ok=True)
    return env


def surviving(env) -> dict:
    script = "from tests.ops.backup_parts import report; report()"
    output = portal("shell", "-c", script, env=env).stdout
    return json.loads(output.strip().splitlines()[-1])


def round_trip(tmp_path, source_url, target_url):
    key = generate_key()
    backups = tmp_path / "backups"
    source = instance_env(tmp_path / "source", source_url, PORTAL_BACKUP_KEY=key)
    portal("migrate", "--noinput", "-v0", env=source)
    portal("shell", "-c", "from tests.ops.backup_parts import seed; seed()", env=source)
    before = surviving(source)
    made = portal("backup", "--to", str(backups), env=source)
    archives = list(backups.glob("portal-backup-*.tar.gz.enc"))
    assert len(archives) == 1, made.stdout

    target = instance_env(tmp_path / "target", target_url)
    refused = portal("restore", str(archives[0]), env=target, check=False)
    assert refused.returncode != 0
    assert "暗号化キー" in refused.stderr
    wrong = portal(
        "restore", str(archives[0]), f"--key={generate_key()}", env=target, check=False
    )
    assert "復号できません" in wrong.stderr

    portal("restore", str(archives[0]), f"--key={key}", env=target)
    portal("migrate", "--noinput", "-v0", env=target)
    survived = surviving(target)
    assert survived == before
    assert survived["password_ok"] and survived["page_live"]
    assert survived["image_bytes"] > 0

    again = portal("restore", str(archives[0]), f"--key={key}", env=target, check=False)
    assert again.returncode != 0
    assert "空ではありません" in again.stderr


def test_backup_and_restore_round_trip_on_sqlite(tmp_path):
    round_trip(
        tmp_path,
        f"sqlite:///{tmp_path / 'source.sqlite3'}",
        f"sqlite:///{tmp_path / 'target.sqlite3'}",
    )


@pytest.fixture
def two_postgres_databases():
    names = [f"portal_ops_bk_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    try:
        admin = psycopg.connect(
            f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=3
        )
    except psycopg.OperationalError as error:
        pytest.skip(f"no PostgreSQL server at {PG_SERVER}: {error}")
    with admin:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield [f"{PG_SERVER}/{name}" for name in names]
        finally:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_and_restore_round_trip_on_postgresql(tmp_path, two_postgres_databases):
    source_url, target_url = two_postgres_databases
    round_trip(tmp_path, source_url, target_url)
