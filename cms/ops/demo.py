"""Demo staff accounts with distinct rights, beside those of the core demo
(pref-admin, the municipality editors) and the reservations demo (kunitomi-staff).
docs/manual/admin.md lists all of them. Idempotent; the demo password as the others.

| account | group | may |
| --- | --- | --- |
| pref-sysadmin | superuser | everything: users and groups, 2FA resets, settings |
| pref-admin | 県職員 | all content, approval, builds, chatbot, mail, operation log |
| pref-auditor | 監査担当 | the operation log only (read and export) |
| pref-mail | メール配信担当 | the mail tool only |
| kunitomi-staff | 施設予約担当 | facility bookings only (residents' data) |
| mito-editor … | 市町村編集者 | their own municipality's pages |
"""

from collections import Counter

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from cms.core.permissions import sync_auditor_group

OPS_ACCOUNTS = (
    # username, last name, first name, group name (None: superuser)
    ("pref-sysadmin", "中村", "誠", None),
    ("pref-auditor", "山本", "恵子", "監査担当"),
    ("pref-mail", "伊藤", "直樹", "メール配信担当"),
)


def load_ops_demo(created: Counter) -> None:
    sync_auditor_group()
    users = get_user_model()
    password = settings.PORTAL_DEMO_PASSWORD
    for username, last_name, first_name, group_name in OPS_ACCOUNTS:
        group = Group.objects.filter(name=group_name).first() if group_name else None
        if group_name and group is None:
            continue  # that app is not installed
        user = users.objects.filter(username=username).first()
        if user is None:
            user = users.objects.create_user(
                username,
                email=f"{username}@example.jp",
                password=password,
                first_name=first_name,
                last_name=last_name,
            )
            created["職員アカウント"] += 1
        elif not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
        if group is None and not user.is_superuser:
            user.is_superuser = True
            user.save(update_fields=["is_superuser"])
        if group is not None:
            user.groups.add(group)
