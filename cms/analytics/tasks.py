"""Background jobs of site analytics on the task queue, for deployments that
schedule tasks rather than cron (the commands in ``portal analytics`` do the same)."""

from django_tasks import task

from .mail import send_due_report
from .rollup import rollup


@task()
def rollup_task() -> dict:
    done = rollup()
    return {"days": [str(d) for d in done["days"]], "pruned": done["pruned_events"]}


@task()
def send_due_report_task() -> str:
    return send_due_report()
