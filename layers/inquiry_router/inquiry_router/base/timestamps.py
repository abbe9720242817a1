"""The one text form of a moment in the table, the queues and the logs."""

from __future__ import annotations

from datetime import UTC, datetime


def iso_timestamp(moment: datetime) -> str:
    """UTC, millisecond precision, sortable as text: 2026-11-22T05:50:12.123Z.

    A naive moment is taken as UTC (the package makes none; a test or an old caller might).
    """
    utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def parse_timestamp(text: str) -> datetime:
    """An ISO 8601 time as an aware UTC datetime: ours (`…123Z`), AWS's (`…Z`, `+00:00`); one
    without an offset is taken as UTC, as `iso_timestamp` takes a naive moment."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
