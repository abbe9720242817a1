"""The one text form of a moment in the table, the queues and the logs."""

from __future__ import annotations

from datetime import UTC, datetime


def iso_timestamp(moment: datetime) -> str:
    """UTC, millisecond precision, sortable as text: 2026-11-22T05:50:12.123Z.

    A naive moment is taken as UTC (the package makes none; a test or an old caller might).
    """
    utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
