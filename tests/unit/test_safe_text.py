"""No lone surrogate reaches DynamoDB or a log line, whatever produced it."""

from __future__ import annotations

import io
import json
import logging

from inquiry_router.adapters.serialization import to_attribute, to_attributes
from inquiry_router.base.observability import logger, mask_email
from inquiry_router.base.safe_text import without_surrogates

ESCAPED = "jos\udcc3\udca9@correos-sur.es"  # how the stdlib parser hands over raw 8-bit bytes


def test_without_surrogates_replaces_only_surrogates() -> None:
    assert without_surrogates(ESCAPED) == "jos\ufffd\ufffd@correos-sur.es"
    assert without_surrogates("\ud800 询价 José 😀") == "\ufffd 询价 José 😀"
    plain = "plain ascii"
    assert without_surrogates(plain) is plain


def test_every_string_of_an_item_is_encodable_as_utf8() -> None:
    item = {
        "PK": f"CONTACT#{ESCAPED}",
        ESCAPED: "key with a surrogate",
        "from": {"name": "Jos\udce9", "address": ESCAPED},
        "to": [{"address": ESCAPED}],
        "ids": {ESCAPED, "b"},
        "n": 3,
    }

    serialised = to_attributes(item)

    json.dumps(serialised, ensure_ascii=False).encode("utf-8")  # what botocore sends
    assert serialised["from"]["M"]["address"]["S"] == "jos\ufffd\ufffd@correos-sur.es"
    assert to_attribute(ESCAPED) == {"S": "jos\ufffd\ufffd@correos-sur.es"}


def test_a_log_line_with_a_surrogate_is_written_not_dropped() -> None:
    stream = io.BytesIO()
    handler = logging.StreamHandler(io.TextIOWrapper(stream, encoding="utf-8", errors="strict"))
    handler.setFormatter(logger.registered_formatter)
    logger.addHandler(handler)
    try:
        logger.info("mail received \ud800", extra={"sender": mask_email(ESCAPED), "subject": "Re\udcff"})
        handler.flush()
    finally:
        logger.removeHandler(handler)

    line = json.loads(stream.getvalue().decode("utf-8"))
    assert line["message"] == "mail received \ufffd"
    assert line["subject"] == "Re\ufffd"
    assert line["sender"].endswith("@correos-sur.es")
