"""An "order extended" outcome moves the order's window: its date is
recorded on the referral as the order's extension (the same service and
rules as the referral's "Extend the order" page), or it names an extension
recorded there already. A date the extension rules refuse comes back on the
date field, and nothing is recorded."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from core.models import TimelineEntry
from notifications.models import SafetyEvent, Sanction
from notifications.sanctions import sanction_record
from referrals.models import ProtectionOrderExtension
from referrals.services import referral_extend_order
from tests import factories as f
from tests.notifications.conftest import notice_of, record

E = SafetyEvent.Kind
TODAY = timezone.localdate()


@pytest.fixture
def case(users, orgs):
    """A police referral whose order obliges the person to attend and runs
    for another 28 days."""
    return f.make_open_case(police=users["police"], provider=orgs["provider"], by=users["psychologist"])


@pytest.fixture
def notice(case, orgs):
    return notice_of(record(E.DROPOUT, case), orgs["police"])


def url(notice) -> str:
    return reverse("notifications:record_sanction", args=[notice.pk])


def test_the_date_is_recorded_as_the_orders_extension_and_the_window_follows(notice, users):
    referral = notice.event.case.referral
    until = referral.order_current_expiry + dt.timedelta(days=90)

    row = sanction_record(notice=notice, by=users["police"], kind="order_extension", extended_until=until)

    extension = ProtectionOrderExtension.objects.get(referral=referral)
    assert (extension.extended_on, extension.new_expiry, extension.recorded_by) == (TODAY, until, users["police"])
    assert extension.obliges_programme  # the order obliged attendance; its extension still does
    assert row.order_extension == extension
    assert row.extended_until == until
    referral.refresh_from_db()
    assert referral.order_current_expiry == until
    kinds = [
        (entry.kind, entry.detail_text) for entry in TimelineEntry.objects.filter(referral=referral).order_by("id")
    ]
    assert kinds[-2:] == [
        ("order_extended", f"until {until:%d.%m.%Y}"),
        ("sanction_order_extension", f"until {until:%d.%m.%Y}"),
    ]


def test_choosing_a_recorded_extension_records_no_other(notice, users):
    referral = notice.event.case.referral
    until = referral.order_current_expiry + dt.timedelta(days=60)
    extension = referral_extend_order(
        referral=referral, by=users["police2"], extended_on=TODAY, new_expiry=until, obliges_programme=True
    )

    row = sanction_record(notice=notice, by=users["police"], kind="order_extension", order_extension=extension.pk)

    assert row.order_extension == extension
    assert ProtectionOrderExtension.objects.filter(referral=referral).count() == 1


def test_a_date_not_after_the_current_expiry_is_refused_on_the_date_field(notice, users):
    referral = notice.event.case.referral
    current = referral.order_current_expiry

    with pytest.raises(ValidationError) as exc:
        sanction_record(notice=notice, by=users["police"], kind="order_extension", extended_until=current)

    assert exc.value.message_dict == {
        "extended_until": [f"The new expiry date must be after the current one ({current})."]
    }
    assert not Sanction.objects.exists()
    assert not ProtectionOrderExtension.objects.exists()
    assert not TimelineEntry.objects.filter(kind__in=["order_extended", "sanction_order_extension"]).exists()


def test_an_uzbek_court_extends_to_at_most_a_year_from_the_orders_issue(users, orgs):
    court = f.make_org("court", country="UZ", name="Tashkent Inter-District Court", region="Tashkent")
    clerk = f.make_user(court, Role.COURT_CLERK, "uz_clerk")
    issued = TODAY - dt.timedelta(days=10)
    referral = f.make_referral(
        police=clerk,
        provider=orgs["provider"],
        order={
            **f.order_data(order_issued_on=issued, order_expires_on=TODAY + dt.timedelta(days=20)),
            "court_decision_number": "5-9/2026",
            "court_decision_date": issued,
        },
    )
    notice = notice_of(record(E.DROPOUT, f.open_case(referral, users["psychologist"])), court)
    limit = issued.replace(year=issued.year + 1)

    with pytest.raises(ValidationError) as exc:
        sanction_record(notice=notice, by=clerk, kind="order_extension", extended_until=limit + dt.timedelta(days=1))
    assert exc.value.message_dict["extended_until"] == [
        f"A court extends a protection order to at most one year from its issue: until {limit} at the latest."
    ]

    row = sanction_record(notice=notice, by=clerk, kind="order_extension", extended_until=limit)
    referral.refresh_from_db()
    assert referral.order_current_expiry == limit == row.order_extension.new_expiry


def test_a_resend_records_the_extension_once(notice, users):
    until = notice.event.case.referral.order_current_expiry + dt.timedelta(days=30)
    first = sanction_record(notice=notice, by=users["police"], kind="order_extension", extended_until=until)

    again = sanction_record(notice=notice, by=users["police"], kind="order_extension", extended_until=until)

    assert again == first
    assert ProtectionOrderExtension.objects.count() == 1
    assert Sanction.objects.count() == 1


def test_a_correction_to_a_later_date_extends_the_order_again(notice, users):
    referral = notice.event.case.referral
    first_until = referral.order_current_expiry + dt.timedelta(days=30)
    first = sanction_record(notice=notice, by=users["police"], kind="order_extension", extended_until=first_until)
    later = first_until + dt.timedelta(days=30)

    second = sanction_record(
        notice=notice, by=users["police"], kind="order_extension", extended_until=later, replaces=first.pk
    )

    assert second.corrects == first
    assert second.order_extension.new_expiry == later
    referral.refresh_from_db()
    assert referral.order_current_expiry == later


def test_the_page_records_the_extension_and_says_a_refusal_on_the_date_field(login, notice, users):
    client = login(users["police"])
    referral = notice.event.case.referral
    current = referral.order_current_expiry
    page = client.get(url(notice)).content.decode()
    assert "this date is recorded on the referral as the order's extension" in page

    response = client.post(url(notice), {"kind": "order_extension", "extended_until": current.isoformat()})
    assert response.status_code == 200
    assert response.context["form"].errors["extended_until"] == [
        f"The new expiry date must be after the current one ({current})."
    ]
    assert f'value="{current.isoformat()}"' in response.content.decode()
    assert not ProtectionOrderExtension.objects.exists()

    until = current + dt.timedelta(days=45)
    response = client.post(url(notice), {"kind": "order_extension", "extended_until": until.isoformat()})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.order_current_expiry == until
