"""Which `Host` headers the preview answers: the defence against DNS rebinding.

A web page on `evil.example` can make its own name resolve to 127.0.0.1 after it loaded;
its scripts then talk to the preview as a same-origin site and read every page, including
notes the author is still writing. The browser still sends `Host: evil.example`, so the
preview answers only to names that cannot be rebound:

- the host it was bound to (`--host`), `localhost` and any `*.localhost` name (browsers
  resolve those to loopback themselves, RFC 6761), and loopback addresses (127.0.0.0/8, ::1);
- when bound to every interface (`0.0.0.0`, `::`): any IP address as well (a page can only
  be served from an address it was really loaded from, so addresses cannot be rebound);
- the names given with `--allow-host` (a tunnel or a name on the local network), or any
  name at all with `--allow-host '*'`.

A request without a `Host` header (an HTTP/1.0 tool; browsers always send one) is answered.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _address(name: str) -> IPAddress | None:
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def host_name(header: str) -> str | None:
    """The name or address of a `Host` value, lower-cased, without port; None if malformed."""
    value = header.strip().lower()
    if value.startswith("["):
        inside, bracket, rest = value[1:].partition("]")
        if not bracket or (rest and not (rest[:1] == ":" and rest[1:].isdigit())):
            return None
        return inside if _address(inside) is not None else None
    name, colon, port = value.partition(":")
    if colon and not (port.isdigit() and ":" not in port):
        return None
    name = name.removesuffix(".")
    return name if name and all(c.isalnum() or c in "-._" for c in name) else None


class HostCheck:
    """`allows(header)`: True for the Host values this preview answers (see the module)."""

    def __init__(self, bound: str, allowed: Iterable[str] = ()) -> None:
        bound = bound.strip("[]").lower()
        self.any_name = "*" in allowed
        self.names = {"localhost", bound} | {
            name for host in allowed if host != "*" and (name := host_name(host)) is not None
        }
        self.bound_address = _address(bound)
        # "" binds every interface, as 0.0.0.0 does.
        self.any_address = bound == "" or (
            self.bound_address is not None and self.bound_address.is_unspecified
        )

    def allows(self, header: str | None) -> bool:
        if not header or self.any_name:
            return True
        name = host_name(header)
        if name is None:
            return False
        address = _address(name)
        if address is None:
            return name in self.names or name.endswith(".localhost")
        return address.is_loopback or self.any_address or address == self.bound_address
