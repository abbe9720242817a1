"""The doctor's DNS lookups through dnspython: the system's resolvers, or one named by
`--resolver IP[:PORT]` (an authoritative server, or a test's own)."""

from __future__ import annotations

import ipaddress
from typing import Any

import dns.exception
import dns.name
import dns.resolver

# Seconds for one lookup, retries included: a resolver that does not answer is reported, not waited on.
LOOKUP_SECONDS = 5.0


class DnsUnreachable(Exception):
    """The resolver did not answer (timeout, every server failing): the message names it."""


def parse_nameserver(text: str) -> tuple[str, int]:
    """`IP`, `IP:PORT`, `[IPv6]:PORT` or a bare IPv6 address -> (ip, port)."""
    host, port = text.strip(), "53"
    if host.startswith("["):
        host, _, rest = host[1:].partition("]")
        port = rest.removeprefix(":") or "53"
    elif host.count(":") == 1:
        host, port = host.split(":")
    try:
        address = ipaddress.ip_address(host)
        number = int(port)
    except ValueError:
        raise ValueError(f"{text!r} is not IP[:PORT], e.g. 192.0.2.53 or 127.0.0.1:5353") from None
    if not 0 < number < 65536:
        raise ValueError(f"{text!r}: port {number} is out of range")
    return str(address), number


class DnsResolver:
    """The `DnsLookup` of dns_checks.py over real DNS. No record (NXDOMAIN, no answer) is an empty
    list; a resolver that cannot be reached raises DnsUnreachable naming it."""

    def __init__(self, nameserver: str | None = None, lookup_seconds: float | None = None) -> None:
        seconds = LOOKUP_SECONDS if lookup_seconds is None else lookup_seconds
        if nameserver:
            host, port = parse_nameserver(nameserver)
            self._resolver = dns.resolver.Resolver(configure=False)
            self._resolver.nameservers = [host]
            self._resolver.port = port
            self.description = f"the DNS server {nameserver}"
        else:
            try:
                self._resolver = dns.resolver.Resolver()
            except dns.resolver.NoResolverConfiguration:
                raise DnsUnreachable(
                    "this machine has no DNS resolver configured (/etc/resolv.conf): pass --resolver IP"
                ) from None
            servers = ", ".join(str(s) for s in self._resolver.nameservers)
            self.description = f"the system's DNS resolver ({servers})"
        self._resolver.lifetime = seconds
        self._resolver.timeout = min(2.0, seconds)
        self._resolver.cache = None  # each run asks afresh: a record published a minute ago counts

    def txt(self, name: str) -> list[str]:
        return [
            b"".join(rdata.strings).decode("utf-8", errors="replace") for rdata in self._answer(name, "TXT")
        ]

    def mx(self, name: str) -> list[tuple[int, str]]:
        return [(int(rdata.preference), rdata.exchange.to_text()) for rdata in self._answer(name, "MX")]

    def cname(self, name: str) -> str | None:
        answers = self._answer(name, "CNAME")
        return answers[0].target.to_text() if answers else None

    def _answer(self, name: str, rdtype: str) -> list[Any]:
        try:
            answer = self._resolver.resolve(name, rdtype, search=False, raise_on_no_answer=False)
        except dns.resolver.NXDOMAIN:
            return []
        except dns.exception.Timeout:
            raise DnsUnreachable(
                f"{self.description} did not answer ({name} {rdtype}, {self._resolver.lifetime:g} s): "
                "check your network, or point the doctor at a reachable server with --resolver IP"
            ) from None
        except dns.resolver.NoNameservers as error:
            raise DnsUnreachable(
                f"{self.description} failed to answer {name} {rdtype} ({error}); "
                "try another with --resolver IP"
            ) from None
        except (dns.name.EmptyLabel, dns.name.LabelTooLong, dns.name.NameTooLong) as error:
            raise DnsUnreachable(f"{name!r} is not a valid DNS name: {error}") from None
        # A CNAME query answers the CNAME; other types arrive at the end of any CNAME chain.
        return list(answer.rrset) if answer.rrset is not None else []
