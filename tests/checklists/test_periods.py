"""The period rule (checklists/periods.py): pure, no database."""

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checklists.periods import FIRST_PERIOD, PeriodChoice, PeriodMismatch, check_period, choose_period

TODAY = date(2023, 1, 5)
years = st.integers(min_value=0, max_value=10_000)
maybe_year = st.none() | years
maybe_started = st.none() | st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2100, 1, 1))


@pytest.mark.parametrize(
    ("assignment", "client", "started", "expected"),
    [
        (2022, None, datetime(2023, 1, 4), PeriodChoice(2022, "assignment")),
        (2022, 2022, None, PeriodChoice(2022, "assignment")),
        (None, 2022, datetime(2023, 1, 4), PeriodChoice(2022, "client")),
        (None, None, datetime(2022, 12, 31, 23, 59), PeriodChoice(2022, "device")),  # synced in January
        (None, None, None, PeriodChoice(2023, "server")),
    ],
)
def test_precedence(assignment, client, started, expected) -> None:  # type: ignore[no-untyped-def]
    assert (
        choose_period(assignment=assignment, client=client, device_started_at=started, today=TODAY)
        == expected
    )


@given(assignment=years, client=years)
def test_a_client_contradicting_the_assignment_is_refused(assignment: int, client: int) -> None:
    if client == assignment:
        assert (
            choose_period(assignment=assignment, client=client, device_started_at=None, today=TODAY).period
            == client
        )
    else:
        with pytest.raises(PeriodMismatch) as exc:
            choose_period(assignment=assignment, client=client, device_started_at=None, today=TODAY)
        assert exc.value.required == assignment and str(assignment) in str(exc.value)


@given(period=years, schemes=st.none() | st.frozensets(years, min_size=1), source=st.sampled_from(
    ["assignment", "client", "device", "server"]
))  # fmt: skip
def test_check(period: int, schemes: frozenset[int] | None, source: str) -> None:
    refusal = check_period(PeriodChoice(period, source), today=TODAY, scheme_years=schemes)
    if not FIRST_PERIOD <= period <= TODAY.year + 1:
        assert refusal is not None and refusal.code == "period_out_of_range"  # nonsense, whatever the schemes
    elif schemes is not None and period not in schemes:
        assert (
            refusal is not None and refusal.code == "period_out_of_scheme" and str(period) in refusal.message
        )
    else:
        assert refusal is None
    if refusal is not None and source in {"device", "server"}:
        assert refusal.message.startswith("未填写考核年度")  # the phone learns where the year came from


@given(assignment=maybe_year, client=maybe_year, started=maybe_started)
def test_the_choice_is_always_one_of_the_inputs(assignment, client, started) -> None:  # type: ignore[no-untyped-def]
    try:
        choice = choose_period(assignment=assignment, client=client, device_started_at=started, today=TODAY)
    except PeriodMismatch:
        assert assignment is not None and client not in {None, assignment}
        return
    first = next(
        v for v in (assignment, client, started.year if started else None, TODAY.year) if v is not None
    )
    assert choice.period == first
