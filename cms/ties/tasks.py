"""Background jobs of the ties app (django_tasks, "background" backend)."""

from django_tasks import task


@task(backend="background")
def send_mail(subject: str, body: str, to: list[str]) -> int:
    from . import notify

    notify.send_now(subject, body, to)
    return len(to)


@task(backend="background")
def send_weekly_digests() -> int:
    from . import notify

    return notify.send_weekly_digests()
