"""The inquiry reference a buyer and a rep read, say and copy by hand: INQ- and six characters."""

from __future__ import annotations

import re
import secrets

# Unambiguous when read aloud or copied by hand: no 0/O, 1/I/L, U.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_LENGTH = 6
_CHARACTER = f"[{REFERENCE_ALPHABET}]"
# A whole reference (the API's answer, a CLI argument) ...
REFERENCE_SCHEMA_PATTERN = f"^INQ-{_CHARACTER}{{{REFERENCE_LENGTH}}}$"
# ... and one inside text (a mail's subject: "Re: Your inquiry [INQ-7KQ2MX]"), of any letters and
# digits: a reference quoted by hand is looked up as written (no such inquiry: a new one).
REFERENCE_IN_TEXT = re.compile(rf"\bINQ-[0-9A-Z]{{{REFERENCE_LENGTH}}}\b")


def new_reference() -> str:
    """Drawn from the OS random source per inquiry (never at import: safe to snapshot)."""
    return "INQ-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
