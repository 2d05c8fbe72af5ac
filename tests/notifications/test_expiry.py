"""The protection-order expiry sweep: the window of NOTIFY_ORDER_EXPIRY_DAYS
days before the expiry (as extended), unfinished programmes only, one
event per referral and expiry date however often it runs.

With N = 5: an order expiring in 6 days is not yet warned of; in 5 days it
is (the first day of the window); a sweep that missed that day still warns
on the days after, up to the expiry day itself; an expired order is not."""

from __future__ import annotations

import datetime as dt

import pytest

from notifications.services import order_expiry_sweep
from programmes.models import Enrolment, ProgrammeTemplate
from referrals.models import Referral
from referrals.services import referral_extend_order
from tests.notices import case_events
from tests.notifications.conftest import recipients

TODAY = dt.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def _window(settings):
    settings.NOTIFY_ORDER_EXPIRY_DAYS = 5


def _expires_in(case, days: int) -> Referral:
    referral = case.referral
    referral.order_issued_on = TODAY - dt.timedelta(days=20)
    referral.order_expires_on = TODAY + dt.timedelta(days=days)
    referral.save()
    return referral


@pytest.mark.parametrize(("days", "warned"), [(6, False), (5, True), (4, True), (0, True), (-1, False)])
def test_the_window_starts_n_days_before_the_expiry(case_with_service, days, warned):
    _expires_in(case_with_service, days)
    assert order_expiry_sweep(TODAY) == int(warned)
    assert case_events().filter(kind="order_expiring").exists() is warned


def test_day_n_plus_one_no_then_day_n_yes(case_with_service):
    referral = _expires_in(case_with_service, 6)
    assert order_expiry_sweep(TODAY) == 0
    assert order_expiry_sweep(TODAY + dt.timedelta(days=1)) == 1
    event = case_events().get()
    assert event.dedupe_key == f"order_expiring:referral:{referral.pk}:{referral.order_expires_on.isoformat()}"
    assert event.facts == {"order_expires_on": referral.order_expires_on.isoformat(), "days_left": 5}
    assert event.created_by is None
    assert set(recipients(event)) == {"Bishkek City Police, Pervomaisky district", "Bishkek Consultation Room"}


def test_the_window_comes_from_the_setting(settings, case_with_service):
    """With NOTIFY_ORDER_EXPIRY_DAYS = 3 an order 4 days from expiry (inside
    the default 5-day window) is not yet warned of; at 3 days it is."""
    settings.NOTIFY_ORDER_EXPIRY_DAYS = 3
    referral = _expires_in(case_with_service, 4)
    assert order_expiry_sweep(TODAY) == 0
    assert not case_events().exists()
    assert order_expiry_sweep(TODAY + dt.timedelta(days=1)) == 1
    assert case_events().get().facts == {
        "order_expires_on": referral.order_expires_on.isoformat(),
        "days_left": 3,
    }


def test_it_warns_once_however_often_it_runs(case_with_service):
    _expires_in(case_with_service, 3)
    assert [order_expiry_sweep(TODAY + dt.timedelta(days=d)) for d in (0, 0, 1, 2, 3)] == [1, 0, 0, 0, 0]
    assert case_events().count() == 1


def test_an_extension_moves_the_expiry_and_warns_again(case_with_service, users):
    referral = _expires_in(case_with_service, 2)
    assert order_expiry_sweep(TODAY) == 1
    referral_extend_order(
        referral=referral,
        by=users["police"],
        extended_on=TODAY,
        new_expiry=TODAY + dt.timedelta(days=30),
        obliges_programme=True,
    )
    assert order_expiry_sweep(TODAY) == 0  # the order now runs a month longer
    assert order_expiry_sweep(TODAY + dt.timedelta(days=24)) == 0
    assert order_expiry_sweep(TODAY + dt.timedelta(days=25)) == 1
    events = case_events().order_by("id")
    assert [e.facts["order_expires_on"] for e in events] == [
        (TODAY + dt.timedelta(days=2)).isoformat(),
        (TODAY + dt.timedelta(days=30)).isoformat(),
    ]


def test_a_completed_programme_is_not_warned_of(case_with_service, users):
    _expires_in(case_with_service, 3)
    template = ProgrammeTemplate.objects.filter(provider=None).order_by("id").first()
    Enrolment.objects.create(
        case=case_with_service,
        template=template,
        provider=case_with_service.provider,
        psychologist=users["psychologist"],
        starts_on=TODAY - dt.timedelta(days=60),
        enrolled_by=users["psychologist"],
        status=Enrolment.Status.COMPLETED,
    )
    assert order_expiry_sweep(TODAY) == 0


def test_a_completed_referral_or_a_closed_case_is_not_warned_of(case_with_service):
    referral = _expires_in(case_with_service, 3)
    referral.status = Referral.Status.COMPLETED
    referral.save()
    assert order_expiry_sweep(TODAY) == 0
    referral.status = Referral.Status.ENROLLED
    referral.save()
    case_with_service.status = "closed"
    case_with_service.save()
    assert order_expiry_sweep(TODAY) == 0


def test_a_referral_without_a_case_or_an_order_is_not_warned_of(users, orgs, case_with_service):
    from tests import factories as f

    f.make_referral(
        police=users["police"],
        provider=orgs["provider"],
        order=f.order_data(order_issued_on=TODAY - dt.timedelta(days=3), order_expires_on=TODAY + dt.timedelta(days=1)),
    )
    referral = case_with_service.referral
    referral.order_number = ""
    referral.order_issued_on = referral.order_expires_on = None
    referral.order_obliges_programme = False
    referral.save()
    assert order_expiry_sweep(TODAY) == 0
