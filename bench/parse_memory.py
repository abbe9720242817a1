"""Peak memory of reading a 25 MB inbound message with attachments, as a multiple of its size.

    .venv/bin/python bench/parse_memory.py [--append]

A message of about 25 MB (a short text and five 3.6 MB PDF-like attachments, base64 as mail
clients send them) is read twice with `tracemalloc` on: as one bytes object handed to
`parse_message` (what a caller holding the whole object does), and in 1 MB pieces through
`parse_chunks` (what the receipt function does with S3's streaming body), and in pieces again with
every attachment decoded one after the other, as the function copies them out to S3. The peak counts what
parsing allocates, not the raw bytes the caller already holds. Target: under 3 times the size.
With `--append`, a dated section goes to bench/RESULTS.md.
"""

from __future__ import annotations

import io
import os
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make `bench` importable from the repository root
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ATTACHMENTS = 5
ATTACHMENT_BYTES = 3_600_000
TARGET_RATIO = 3.0


def large_message() -> bytes:
    message = EmailMessage()
    message["From"] = "Ana García <ana@importadora-sol.es>"
    message["To"] = "quotation@example.com"
    message["Subject"] = "Drawings for the 600x600 panel order"
    message.set_content("Please quote the attached drawings, CIF Valencia.\n")
    for number in range(ATTACHMENTS):
        message.add_attachment(
            os.urandom(ATTACHMENT_BYTES),
            maintype="application",
            subtype="pdf",
            filename=f"drawing-{number}.pdf",
        )
    return message.as_bytes(policy=policy.SMTP)


def _peak(read: Callable[[], Any]) -> tuple[int, float, Any]:
    tracemalloc.start()
    started = time.perf_counter()
    parsed = read()
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak, seconds, parsed


def main() -> dict[str, Any]:
    from inquiry_router.inbound.parse import CHUNK, parse_chunks, parse_message, read_chunks

    raw = large_message()
    whole_peak, whole_seconds, parsed = _peak(lambda: parse_message(raw))
    assert [a.size for a in parsed.attachments] == [ATTACHMENT_BYTES] * ATTACHMENTS, parsed.attachments
    stream = io.BytesIO(raw)
    chunked_peak, chunked_seconds, _ = _peak(lambda: parse_chunks(iter(lambda: stream.read(CHUNK), b"")))
    stream = io.BytesIO(raw)

    def read_and_copy_out() -> int:
        mail = read_chunks(iter(lambda: stream.read(CHUNK), b""))
        return sum(len(data) for _, _, data in mail.attachment_payloads())  # each dropped before the next

    copied_peak, copied_seconds, copied = _peak(read_and_copy_out)
    assert copied == ATTACHMENT_BYTES * ATTACHMENTS, copied
    result = {
        "size": len(raw),
        "whole_peak": whole_peak,
        "whole_ratio": whole_peak / len(raw),
        "whole_seconds": whole_seconds,
        "chunked_peak": chunked_peak,
        "chunked_ratio": chunked_peak / len(raw),
        "chunked_seconds": chunked_seconds,
        "copied_peak": copied_peak,
        "copied_ratio": copied_peak / len(raw),
        "copied_seconds": copied_seconds,
    }
    print(f"Parsing a {len(raw) / 1e6:.1f} MB message with {ATTACHMENTS} attachments")
    for way in ("whole", "chunked", "copied"):
        print(
            f"  {way:8} peak {result[f'{way}_peak'] / 1e6:.1f} MB = {result[f'{way}_ratio']:.2f}x its size "
            f"(target < {TARGET_RATIO}x), {result[f'{way}_seconds'] * 1000:.0f} ms"
        )
    return result


def rows(result: dict[str, Any]) -> list[tuple[str, str, str, bool]]:
    size = f"{result['size'] / 1e6:.1f} MB"
    return [
        (
            f"Peak memory parsing a {size} message, 1 MB pieces (receipt function)",
            f"{result['chunked_ratio']:.2f}x ({result['chunked_peak'] / 1e6:.1f} MB)",
            f"< {TARGET_RATIO}x",
            result["chunked_ratio"] < TARGET_RATIO,
        ),
        (
            "same, and every attachment decoded in turn (copied out to S3)",
            f"{result['copied_ratio']:.2f}x ({result['copied_peak'] / 1e6:.1f} MB)",
            f"< {TARGET_RATIO}x",
            result["copied_ratio"] < TARGET_RATIO,
        ),
        (
            "same, handed over as one bytes object",
            f"{result['whole_ratio']:.2f}x ({result['whole_peak'] / 1e6:.1f} MB)",
            f"< {TARGET_RATIO}x",
            result["whole_ratio"] < TARGET_RATIO,
        ),
    ]


if __name__ == "__main__":
    figures = main()
    if "--append" in sys.argv[1:]:
        from bench.run_all import Row, append_results, machine, markdown

        table = [Row(figure, measured, target, passed) for figure, measured, target, passed in rows(figures)]
        append_results(markdown(table, machine(), datetime.now(UTC)))
        print("appended to bench/RESULTS.md")
