"""Login lockout with django-axes, for logins that come through a web request.

django-axes refuses ``authenticate()`` calls without a request; those come from code
(Django's test client, management commands), never from a visitor, so
``LockoutBackend`` leaves them to the next backend instead of failing them."""

from axes.backends import AxesStandaloneBackend

from cms.core.ratelimit import client_ip as _client_ip


class LockoutBackend(AxesStandaloneBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


def client_ip(request) -> str:
    """The address axes counts failures for: the same one the rate limits use."""
    return _client_ip(request) or "0.0.0.0"
