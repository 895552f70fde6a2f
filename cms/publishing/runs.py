"""Running a build and its deploy, and recording both in a ``BuildRun``."""

import logging
import threading
import traceback

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from builders.build import BuildFailed, BuildOptions, build_site

from .deploy import deploy_target
from .models import BuildRun
from .settings import build_paths

logger = logging.getLogger(__name__)
#: One build at a time per process (builds share the output folder and state).
_LOCK = threading.Lock()


def run_build(run: BuildRun, options: BuildOptions | None = None) -> BuildRun:
    """Build (incremental unless ``run.full``), deploy, and record the result."""
    lines: list[str] = []
    options = options or BuildOptions()
    options.full = options.full or run.full
    if options.workers is None and settings.PORTAL_BUILD_WORKERS:
        options.workers = settings.PORTAL_BUILD_WORKERS
    paths = build_paths()
    options.output_dir = options.output_dir or paths.output
    options.state_path = options.state_path or paths.state
    options.cache_dir = options.cache_dir or paths.cache
    options.log = lines.append
    run.status = BuildRun.Status.RUNNING
    run.started_at = timezone.now()
    run.deploy_target = settings.PORTAL_DEPLOY_TARGET
    run.save()
    summary = None
    try:
        target = deploy_target()
        with _LOCK:
            try:
                summary = build_site(options)
            except BuildFailed as failure:
                summary = failure.summary
                raise
            lines.append(
                f"構築: {summary.pages_rendered} ページを描画、"
                f"{summary.files_written} ファイルを書き込み、"
                f"{summary.files_unchanged} ファイルは変更なし、"
                f"{summary.files_deleted} ファイルを削除（{summary.seconds} 秒）"
            )
            _refresh_connection()
            result = target.deploy(options.output_dir, summary)
            run.files_uploaded = result.uploaded
            lines.append(f"公開（{target.label}）: {result.message}")
        run.status = BuildRun.Status.SUCCEEDED
    except BuildFailed as failure:
        run.status = BuildRun.Status.FAILED
        run.errors = "\n".join(failure.summary.broken_links) or str(failure)
        lines.append("リンク切れがあるため公開しませんでした。")
    except Exception as error:  # recorded for staff; the task itself must not die
        logger.exception("Build %s failed", run.pk)
        run.status = BuildRun.Status.FAILED
        run.errors = f"{type(error).__name__}: {error}\n\n{traceback.format_exc()}"
    if summary is not None:
        run.pages_rendered = summary.pages_rendered
        run.pages_total = summary.pages_total
        run.files_written = summary.files_written
        run.files_unchanged = summary.files_unchanged
        run.files_deleted = summary.files_deleted
        run.summary = summary.as_json()
        lines += [f"注意: {w}" for w in summary.warnings]
    run.finished_at = timezone.now()
    run.log = "\n".join(lines)
    _refresh_connection()
    run.save()
    return run


def _refresh_connection() -> None:
    """A long build may outlive the database connection: drop it if it is stale.
    Never inside a transaction (a test's, or a caller's), which would be lost."""
    if not connection.in_atomic_block:
        close_old_connections()
