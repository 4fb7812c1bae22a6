"""Version numbers of rule sets: ``YYYYMMDDNN``."""

from datetime import UTC, datetime, timedelta

from rules.constants import VERSION_COUNTER_MAX


def version_next(*, latest: str | None, now: datetime) -> str:
    """Return the version after ``latest`` for a publication at ``now``.

    The first version of a UTC day is ``YYYYMMDD01``. Versions only grow: when the latest
    is already today or later, the counter goes up; after ``NN`` = 99 it borrows the next
    day's ``01``, so a 100th publication in one day still gets a ten-digit, increasing
    version (its created_at keeps the real time).
    """
    today = now.astimezone(UTC).date()
    candidate = f"{today:%Y%m%d}01"
    if latest is None or latest < candidate:
        return candidate
    day = datetime.strptime(latest[:8], "%Y%m%d").date()
    counter = int(latest[8:]) + 1
    if counter > VERSION_COUNTER_MAX:
        day, counter = day + timedelta(days=1), 1
    return f"{day:%Y%m%d}{counter:02d}"
