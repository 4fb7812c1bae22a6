from datetime import UTC, datetime

from rules.services.versions import version_next

MORNING = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)


def test_first_version_of_a_day_is_01():
    assert version_next(latest=None, now=MORNING) == "2026112101"
    assert version_next(latest="2026112007", now=MORNING) == "2026112101"


def test_counter_grows_within_a_day():
    assert version_next(latest="2026112101", now=MORNING) == "2026112102"
    assert version_next(latest="2026112141", now=MORNING) == "2026112142"


def test_the_date_is_utc():
    late_evening_in_shanghai = datetime(2026, 11, 20, 23, 30, tzinfo=UTC)
    assert version_next(latest=None, now=late_evening_in_shanghai) == "2026112001"


def test_the_hundredth_version_of_a_day_borrows_the_next_days_numbers():
    assert version_next(latest="2026112199", now=MORNING) == "2026112201"
    # Still increasing on the borrowed day, and the real next day continues after it.
    assert version_next(latest="2026112201", now=MORNING) == "2026112202"
    next_day = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
    assert version_next(latest="2026112202", now=next_day) == "2026112203"
    assert version_next(latest="2026123199", now=MORNING) == "2027010101"
