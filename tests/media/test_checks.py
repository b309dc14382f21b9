"""The pure evidence checks: when a photo was taken."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from media.checks import TimeReference, device_window, evidence_flags, time_flag

T0 = datetime(2024, 6, 3, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)


# --- when -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("started", "submitted", "taken", "captured", "expected"),
    [
        # the phone's start only: as before, within a day of it
        (T0, None, T0 + 23 * H, None, None),
        (T0, None, T0 - 30 * H, None, ("inspection", 30.0)),
        # an inspection spread over three days is one span from its start to its submission
        (T0, T0 + 72 * H, T0 + 50 * H, None, None),
        (T0, T0 + 72 * H, T0 + 100 * H, None, ("inspection", 28.0)),
        # no start sent (offline client): the submission alone
        (None, T0, T0 - 20 * H, None, None),
        (None, T0, T0 - 720 * H, None, ("inspection", 720.0)),
        # no device time at all: EXIF against the phone's own capture stamp, else nothing to compare with
        (None, None, T0 - 720 * H, T0, ("captured_at", 720.0)),
        (None, None, T0 - 720 * H, None, None),
        (None, None, None, T0, None),
        # no EXIF time: the phone's capture stamp is the capture time
        (T0, None, None, T0 + 48 * H, ("inspection", 48.0)),
        (T0, None, None, None, None),
        # the device span wins over the capture stamp when both exist
        (T0, None, T0 + H, T0 + 500 * H, None),
    ],
)
def test_time_far_compares_the_phones_own_times(started, submitted, taken, captured, expected) -> None:  # type: ignore[no-untyped-def]
    flag = time_flag(
        taken_at=taken, captured_at=captured, reference=device_window(started, submitted), hours=24
    )
    got = (flag.details["reference"], flag.value) if flag and flag.details else None
    assert got == expected


def test_a_repairs_reference_can_be_its_upload() -> None:
    flag = time_flag(
        taken_at=T0,
        captured_at=None,
        reference=TimeReference(T0 + 50 * H, T0 + 50 * H, "uploaded_at"),
        hours=24,
    )
    assert flag is not None and flag.message == "拍摄时间与上传时间相差 50.0 小时"


moments = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC))


@given(start=moments, span=st.integers(0, 24 * 30), offset=st.integers(-24 * 60, 24 * 90))
def test_time_far_is_exactly_the_distance_outside_the_span(start, span, offset) -> None:  # type: ignore[no-untyped-def]
    end = start + span * H
    taken = start + offset * H
    flag = time_flag(taken_at=taken, captured_at=None, reference=device_window(start, end), hours=24)
    outside = max(0, -offset, offset - span)
    assert (flag is not None) == (outside > 24)
    if flag is not None:
        assert flag.value == outside and flag.code == "time_far"
    # the order the phone's two times come in does not matter
    swapped = time_flag(taken_at=taken, captured_at=None, reference=device_window(end, start), hours=24)
    assert swapped == flag


def test_evidence_flags_without_any_time_reference_raise_no_time_flag() -> None:
    flags = evidence_flags(
        exif_gps=None, exif_gps_status="missing", exif_taken_at=T0 - 1000 * H, phone=None,
        phone_accuracy_m=None, subject=None,
    )  # fmt: skip
    assert [f.code for f in flags] == ["no_gps"]
    assert flags[0].as_dict() == {"code": "no_gps", "message": "照片与手机均无可用定位", "value": None}
