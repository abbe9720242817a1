"""A small authoritative DNS server on 127.0.0.1 for the doctor's tests: zone texts in, answers
over UDP from a thread, as a real server gives them (dnspython on both sides)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from textwrap import dedent

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.zone

_ZONE_HEAD = """\
$TTL 300
@ SOA ns1 hostmaster 1 3600 600 86400 300
@ NS ns1
ns1 A 127.0.0.1
"""


def zone(origin: str, records: str) -> dns.zone.Zone:
    return dns.zone.from_text(_ZONE_HEAD + dedent(records), origin=origin, relativize=False)


class ZoneServer:
    """Answers for every zone given; NXDOMAIN for names outside them or absent from them."""

    def __init__(self, zones: Mapping[str, str]) -> None:
        self._zones = [zone(origin, text) for origin, text in zones.items()]
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.settimeout(0.05)
        self._running = True
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self.queries: list[str] = []

    @property
    def address(self) -> str:
        host, port = self._socket.getsockname()
        return f"{host}:{port}"

    def __enter__(self) -> ZoneServer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._running = False
        self._thread.join(timeout=2)
        self._socket.close()

    def _serve(self) -> None:
        while self._running:
            try:
                wire, client = self._socket.recvfrom(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            query = dns.message.from_wire(wire)
            self._socket.sendto(self._answer(query).to_wire(max_size=65535), client)

    def _answer(self, query: dns.message.Message) -> dns.message.Message:
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        question = query.question[0]
        self.queries.append(f"{question.name} {dns.rdatatype.to_text(question.rdtype)}")
        holding = [z for z in self._zones if question.name.is_subdomain(z.origin)]
        node = None
        if holding:
            best = max(holding, key=lambda z: len(z.origin))
            node = best.get_node(question.name)
        if node is None:
            response.set_rcode(dns.rcode.NXDOMAIN)
            return response
        found = node.get_rdataset(dns.rdataclass.IN, question.rdtype)
        if found is None and question.rdtype != dns.rdatatype.CNAME:
            found = node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.CNAME)
        if found is not None:
            rrset = response.find_rrset(
                response.answer, question.name, dns.rdataclass.IN, found.rdtype, create=True
            )
            rrset.update(found)
        return response


@contextmanager
def silent_server() -> Iterator[str]:
    """A UDP port that takes queries and never answers: a resolver that times out."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    try:
        host, port = sock.getsockname()
        yield f"{host}:{port}"
    finally:
        sock.close()
