"""System checks for the operations settings: a mistyped network in the admin
allowlist must stop the server, not silently open or close the admin."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from .access import invalid_networks


@register(Tags.security)
def check_admin_networks(app_configs, **kwargs):
    bad = invalid_networks(settings.PORTAL_ADMIN_ALLOWED_NETWORKS)
    if bad:
        return [
            Error(
                f"PORTAL_ADMIN_ALLOWED_NETWORKS has invalid entries: {', '.join(bad)}",
                hint="Use addresses or CIDR ranges such as 203.0.113.0/24.",
                id="ops.E001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_production_switches(app_configs, **kwargs):
    problems = []
    if not settings.PORTAL_2FA_REQUIRED:
        problems.append(
            Warning(
                "Two-factor authentication is not required for prefecture staff.",
                hint="Unset PORTAL_2FA_REQUIRED (on by default in production).",
                id="ops.W001",
            )
        )
    if settings.PORTAL_CSP != "enforce":
        problems.append(
            Warning(
                "The Content Security Policy is not enforced.",
                hint="Unset PORTAL_CSP (enforce by default in production).",
                id="ops.W002",
            )
        )
    return problems
