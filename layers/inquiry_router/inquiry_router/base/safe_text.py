"""Text that can always be written as UTF-8: the last guard before DynamoDB and the logs.

Python strings can hold lone surrogates (the stdlib's mail parser smuggles raw 8-bit bytes in as
surrogate escapes; a JSON body may spell one out as "\\ud800"). UTF-8 cannot encode them, so one
would make a table write or a log line fail. Readers decode properly where they can (see
inbound/headers.py); whatever still slips through is replaced here, in the one place every item
(adapters/serialization.py) and every log line (base/observability.py) passes.
"""

from __future__ import annotations

import re

_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def without_surrogates(text: str) -> str:
    """`text` with every lone surrogate replaced by U+FFFD; unchanged (the same object) otherwise."""
    if text.isascii():
        return text
    return _SURROGATE.sub(REPLACEMENT, text)
