"""Backups: the database (SQLite's online backup API, or ``pg_dump`` in its custom
format) and the media folder in one ``.tar.gz`` with a manifest, optionally
encrypted (Fernet, in chunks), kept in a folder or uploaded to S3; and the restore
into an empty instance. ``portal backup`` / ``portal restore``; docs/deploy.md
"Backups and recovery"."""

import datetime as dt
import json
import os
import shutil
import sqlite3
import struct
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.utils import timezone

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
MEDIA_DIR = "media"
ENCRYPTED_SUFFIX = ".enc"
CHUNK_BYTES = 16 * 1024 * 1024
END_MARK = b"PORTAL-BACKUP-END"


class BackupError(Exception):
    """A problem the operator must fix; the message says what (in Japanese)."""


@dataclass
class BackupResult:
    location: str
    size: int
    seconds: float
    manifest: dict


# --- The database -------------------------------------------------------------------


def _database(alias="default") -> dict:
    return settings.DATABASES[alias]


def engine_name(alias="default") -> str:
    engine = _database(alias)["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if "postgresql" in engine:
        return "postgresql"
    raise BackupError(
        f"このデータベース（{engine}）のバックアップには対応していません。"
    )


def _pg_env(db: dict) -> tuple[list[str], dict]:
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def dump_database(folder: Path, alias="default") -> str:
    db = _database(alias)
    if engine_name(alias) == "sqlite":
        source = sqlite3.connect(str(db["NAME"]))
        target = sqlite3.connect(str(folder / SQLITE_FILE))
        try:
            source.backup(target)  # consistent even while the site writes
        finally:
            target.close()
            source.close()
        return SQLITE_FILE
    args, env = _pg_env(db)
    _run(
        [
            "pg_dump",
            *args,
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            "--file",
            str(folder / PG_FILE),
            db["NAME"],
        ],
        env,
    )
    return PG_FILE


def database_is_empty(alias="default") -> bool:
    connection = connections[alias]
    if engine_name(alias) == "sqlite":
        name = str(_database(alias)["NAME"])
        if not Path(name).exists() or Path(name).stat().st_size == 0:
            return True
    return not connection.introspection.table_names()


def load_database(folder: Path, filename: str, alias="default") -> None:
    db = _database(alias)
    connections[alias].close()
    if engine_name(alias) == "sqlite":
        target_path = Path(str(db["NAME"]))
        target_path.parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(str(folder / filename))
        target = sqlite3.connect(str(target_path))
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        return
    args, env = _pg_env(db)
    _run(
        [
            "pg_restore",
            *args,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "--dbname",
            db["NAME"],
            str(folder / filename),
        ],
        env,
    )


def _run(command: list[str], env: dict) -> None:
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True)
    except FileNotFoundError as error:
        raise BackupError(
            f"{command[0]} が見つかりません。PostgreSQL のクライアント（postgresql-client）を入れてください。"
        ) from error
    if result.returncode != 0:
        raise BackupError(
            f"{command[0]} が失敗しました: {result.stderr.strip()[:2000]}"
        )


# --- Encryption (Fernet in chunks, so media of any size streams) --------------------


def generate_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


def _fernet(key: str):
    from cryptography.fernet import Fernet

    try:
        return Fernet(key.encode() if isinstance(key, str) else key)
    except ValueError as error:
        raise BackupError(
            "暗号化キーの形式が正しくありません（portal backup --generate-key で作ったキーを使ってください）。"
        ) from error


def encrypt_file(source: Path, target: Path, key: str) -> None:
    fernet = _fernet(key)
    with source.open("rb") as plain, target.open("wb") as sealed:
        for chunk in iter(lambda: plain.read(CHUNK_BYTES), b""):
            token = fernet.encrypt(chunk)
            sealed.write(struct.pack(">I", len(token)) + token)
        token = fernet.encrypt(END_MARK)
        sealed.write(struct.pack(">I", len(token)) + token)


def decrypt_file(source: Path, target: Path, key: str) -> None:
    from cryptography.fernet import InvalidToken

    fernet = _fernet(key)
    ended = False
    with source.open("rb") as sealed, target.open("wb") as plain:
        while header := sealed.read(4):
            (length,) = struct.unpack(">I", header)
            try:
                chunk = fernet.decrypt(sealed.read(length))
            except InvalidToken as error:
                raise BackupError(
                    "復号できません。暗号化キーが違うか、ファイルが壊れています。"
                ) from error
            if chunk == END_MARK:
                ended = True
                break
            plain.write(chunk)
    if not ended:
        raise BackupError("バックアップファイルが途中で切れています。")


# --- Archive ------------------------------------------------------------------------


def _migration_state() -> dict[str, str]:
    from django.db.migrations.recorder import MigrationRecorder

    latest = {}
    for app, name in MigrationRecorder(connections["default"]).applied_migrations():
        latest[app] = max(latest.get(app, ""), name)
    return dict(sorted(latest.items()))


def _media_files(root: Path) -> list[Path]:
    if not root.exists():
        return []
    return [p for p in root.rglob("*") if p.is_file()]


def backup_name(now: dt.datetime | None = None) -> str:
    now = timezone.localtime(now or timezone.now())
    return f"portal-backup-{now:%Y%m%d-%H%M%S}.tar.gz"


def create_backup(
    target: str | None = None, key: str | None = None, include_media: bool = True
) -> BackupResult:
    started = time.monotonic()
    target = target or settings.PORTAL_BACKUP_TARGET
    key = settings.PORTAL_BACKUP_KEY if key is None else key
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="portal-backup-") as tmp:
        work = Path(tmp)
        database_file = dump_database(work)
        media = _media_files(media_root) if include_media else []
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": timezone.now().isoformat(),
            "engine": engine_name(),
            "database_file": database_file,
            "media_files": len(media),
            "media_bytes": sum(p.stat().st_size for p in media),
            "migrations": _migration_state(),
            "site_name": settings.WAGTAIL_SITE_NAME,
        }
        (work / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
        name = backup_name()
        archive = work / name
        with tarfile.open(archive, "w:gz", compresslevel=6) as tar:
            tar.add(work / MANIFEST, arcname=MANIFEST)
            tar.add(work / database_file, arcname=database_file)
            for path in media:
                tar.add(path, arcname=f"{MEDIA_DIR}/{path.relative_to(media_root)}")
        if key:
            sealed = work / (name + ENCRYPTED_SUFFIX)
            encrypt_file(archive, sealed, key)
            archive.unlink()
            archive = sealed
        size = archive.stat().st_size
        location = _deliver(archive, target)
    _record(location, manifest, size)
    return BackupResult(location, size, time.monotonic() - started, manifest)


def _deliver(archive: Path, target: str) -> str:
    if target.startswith("s3://"):
        bucket, _, prefix = target[5:].partition("/")
        key = f"{prefix.rstrip('/')}/{archive.name}".lstrip("/")
        _s3().upload_file(str(archive), bucket, key)
        return f"s3://{bucket}/{key}"
    folder = Path(target)
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    destination = folder / archive.name
    shutil.move(str(archive), destination)
    os.chmod(destination, 0o600)
    prune_folder(folder, settings.PORTAL_BACKUP_KEEP)
    return str(destination)


def prune_folder(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups in ``folder`` (0 keeps all)."""
    if keep <= 0:
        return []
    backups = sorted(folder.glob("portal-backup-*.tar.gz*"), key=lambda p: p.name)
    old = backups[:-keep]
    for path in old:
        path.unlink()
    return old


def _s3():
    import boto3

    return boto3.client(
        "s3",
        region_name=settings.AWS_S3_REGION,
        endpoint_url=getattr(settings, "AWS_S3_ENDPOINT_URL", None),
    )


def _record(location: str, manifest: dict, size: int) -> None:
    from . import oplog

    oplog.record(
        None,
        oplog.BACKUP,
        label=Path(location).name,
        data={
            "location": location,
            "bytes": size,
            "engine": manifest["engine"],
            "media_files": manifest["media_files"],
        },
    )


# --- Restore ------------------------------------------------------------------------


def _fetch(source: str, work: Path) -> Path:
    if source.startswith("s3://"):
        bucket, _, key = source[5:].partition("/")
        local = work / Path(key).name
        _s3().download_file(bucket, key, str(local))
        return local
    path = Path(source)
    if not path.is_file():
        raise BackupError(f"バックアップファイルが見つかりません: {source}")
    return path


def read_manifest(folder: Path) -> dict:
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise BackupError(
            "バックアップに manifest.json がありません（このポータルのバックアップではありません）。"
        ) from error
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(
            f"対応していない形式のバックアップです（format {manifest.get('format')}）。"
        )
    return manifest


def restore_backup(source: str, key: str | None = None, force: bool = False) -> dict:
    """Restore ``source`` into this (empty) instance; returns the manifest."""
    key = settings.PORTAL_BACKUP_KEY if key is None else key
    media_root = Path(settings.MEDIA_ROOT)
    if not force and not database_is_empty():
        raise BackupError(
            "復元先のデータベースが空ではありません。空のデータベースを用意するか、上書きしてよい場合は --force を付けてください。"
        )
    if not force and _media_files(media_root):
        raise BackupError(
            f"復元先のメディアフォルダ（{media_root}）が空ではありません。空にするか --force を付けてください。"
        )
    with tempfile.TemporaryDirectory(prefix="portal-restore-") as tmp:
        work = Path(tmp)
        archive = _fetch(source, work)
        if archive.name.endswith(ENCRYPTED_SUFFIX):
            if not key:
                raise BackupError(
                    "暗号化されたバックアップです。PORTAL_BACKUP_KEY か --key で暗号化キーを指定してください。"
                )
            plain = work / "archive.tar.gz"
            decrypt_file(archive, plain, key)
            archive = plain
        unpacked = work / "unpacked"
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(unpacked, filter="data")
        manifest = read_manifest(unpacked)
        if manifest["engine"] != engine_name():
            raise BackupError(
                f"{manifest['engine']} のバックアップは {engine_name()} には復元できません（同じ種類のデータベースに復元してください）。"
            )
        if force and engine_name() == "postgresql" and not database_is_empty():
            _drop_all_tables()
        load_database(unpacked, manifest["database_file"])
        media = unpacked / MEDIA_DIR
        if media.exists():
            shutil.copytree(media, media_root, dirs_exist_ok=True)
    _record_restore(source, manifest)
    return manifest


def _drop_all_tables() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    connections["default"].close()


def _record_restore(source: str, manifest: dict) -> None:
    from . import oplog

    connections["default"].close()
    oplog.record(
        None,
        oplog.RESTORE,
        label=Path(source).name,
        data={"source": source, "created_at": manifest["created_at"]},
    )
