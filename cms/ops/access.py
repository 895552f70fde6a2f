"""Which side of the portal a request belongs to and who may reach the admin side.
Pure functions of settings-like values, so the rules test without a server."""

import ipaddress
from functools import lru_cache

ADMIN = "admin"
PUBLIC = "public"
BOTH = "both"


def host_name(raw_host: str) -> str:
    """``cms.example.jp:443`` → ``cms.example.jp`` (IPv6 brackets kept)."""
    host = raw_host.strip().lower()
    if host.startswith("["):
        return host.split("]")[0] + "]"
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def side_for_host(
    host: str, admin_hosts: list[str], public_hosts: list[str], forced: str = BOTH
) -> str:
    """The URL set a host serves: ``admin``, ``public`` or ``both``."""
    if forced in (ADMIN, PUBLIC):
        return forced
    host = host_name(host)
    in_admin = host in {h.lower() for h in admin_hosts}
    in_public = host in {h.lower() for h in public_hosts}
    if in_public and not in_admin:
        return PUBLIC
    if in_admin and not in_public:
        return ADMIN
    return BOTH


def is_admin_path(path: str, admin_prefixes: list[str]) -> bool:
    return any(path.startswith(prefix) for prefix in admin_prefixes)


def is_public_path(
    path: str, admin_prefixes: list[str], public_prefixes: tuple[str, ...]
) -> bool:
    """The endpoints visitors call: ``/api/…`` (less the admin side's API) and the
    pages under the public URL set's other prefixes (``/reserve/``, ``/mail/``)."""
    if is_admin_path(path, admin_prefixes):
        return False
    return path.startswith(public_prefixes)


def url_prefixes(patterns) -> tuple[str, ...]:
    """``[path("api/", …), path("reserve/", …)]`` → ``("/api/", "/reserve/")``."""
    return tuple(f"/{pattern.pattern}" for pattern in patterns)


@lru_cache(maxsize=32)
def _networks(networks: tuple[str, ...]):
    return tuple(ipaddress.ip_network(n, strict=False) for n in networks)


def ip_allowed(ip: str, networks: list[str]) -> bool:
    """True when ``networks`` is empty (no allowlist) or ``ip`` is inside one."""
    if not networks:
        return True
    try:
        address = ipaddress.ip_address(ip.strip())
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address in network for network in _networks(tuple(networks)))


def invalid_networks(networks: list[str]) -> list[str]:
    bad = []
    for network in networks:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError:
            bad.append(network)
    return bad
