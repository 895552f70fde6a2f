"""Background jobs of the community (django_tasks, "background" backend): mails
after commit, and the daily digest (``portal community digest`` from cron, or this
task)."""

from django_tasks import task


@task(backend="background")
def send_mail(subject: str, body: str, to: list[str]) -> int:
    from . import notify

    notify.send_now(subject, body, to)
    return len(to)


@task(backend="background")
def send_registration_mail(user_id: int, token: str) -> bool:
    from django.contrib.auth import get_user_model

    from . import notify

    user = (
        get_user_model()
        .objects.select_related("community_profile")
        .filter(pk=user_id)
        .first()
    )
    if user is None:
        return False
    notify.send_registration_mail(user, token)
    return True


@task(backend="background")
def send_daily_digests() -> int:
    from . import notify

    return notify.send_daily_digests()
