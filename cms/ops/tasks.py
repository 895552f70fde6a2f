"""Scheduled jobs on the task queue, for deployments that schedule through it
rather than the systemd timers in deploy/ (both run the same functions)."""

from django_tasks import task


@task(backend="background")
def purge_operation_log() -> dict:
    from .retention import purge_operation_log as purge

    return {key: value for key, value in purge().items()}


@task(backend="background")
def run_backup() -> str:
    from .backup import create_backup

    return create_backup().location
