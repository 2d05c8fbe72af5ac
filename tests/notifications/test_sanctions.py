"""What followed a notice: the police unit or the court a dropout,
expulsion or non-compliance notice reached records the outcome (warning,
fine, community service, order extension, court hearing, no action and
why); one per notice, corrections kept; the case's timeline shows it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from accounts.scope import Scope
from core.models import TimelineEntry
from notifications.models import Notice, SafetyEvent, Sanction
from notifications.sanctions import current_sanction, sanction_record, sanctions_of
from referrals.selectors import police_status_history, timeline_for
from referrals.services import referral_extend_order
from tests import factories as f
from tests.notifications.conftest import SURVIVOR_SECRETS, notice_of, record

E = SafetyEvent.Kind
TODAY = timezone.localdate()


@pytest.fixture
def case(users, orgs):
    return f.make_open_case(police=users["police"], provider=orgs["provider"], by=users["psychologist"])


@pytest.fixture
def event(case):
    return record(E.NON_COMPLIANCE, case, facts={"missed_on": TODAY.isoformat(), "session_number": 3})


@pytest.fixture
def notice(event, orgs):
    """The referring police unit's notice."""
    return notice_of(event, orgs["police"])


@pytest.fixture
def court_notice(event, orgs):
    """The same event's notice to the court that ordered the programme."""
    return Notice.objects.create(event=event, organisation=orgs["court"], role_hint=Notice.Recipient.POLICE)


def url(notice) -> str:
    return reverse("notifications:record_sanction", args=[notice.pk])


# --- values --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "given", "stored", "detail"),
    [
        ("warning", {}, {}, ""),
        (
            "fine",
            {"fine_amount": Decimal("5000"), "fine_currency": "KGS"},
            {"fine_amount": Decimal("5000"), "fine_currency": "KGS"},
            "5000.00 KGS",
        ),
        ("fine", {"fine_amount": Decimal("750.50")}, {"fine_amount": Decimal("750.50"), "fine_currency": ""}, "750.50"),
        ("community_service", {"service_hours": 40}, {"service_hours": 40}, "40"),
        ("community_service", {"service_hours": 400}, {"service_hours": 400}, "400"),
        ("community_service", {"service_hours": 1}, {"service_hours": 1}, "1"),
        (
            "order_extension",
            {"extended_until": TODAY + dt.timedelta(days=180)},
            {"extended_until": TODAY + dt.timedelta(days=180)},
            f"until {TODAY + dt.timedelta(days=180):%d.%m.%Y}",
        ),
        (
            "court_hearing",
            {"hearing_on": TODAY + dt.timedelta(days=14)},
            {"hearing_on": TODAY + dt.timedelta(days=14)},
            f"{TODAY + dt.timedelta(days=14):%d.%m.%Y}",
        ),
        ("no_action", {"no_action_reason": "resumed"}, {"no_action_reason": "resumed"}, ""),
    ],
)
def test_each_outcome_keeps_its_parameters_and_writes_its_timeline_entry(notice, users, kind, given, stored, detail):
    row = sanction_record(notice=notice, by=users["police"], kind=kind, **given)
    row.refresh_from_db()
    assert row.kind == kind
    assert {name: getattr(row, name) for name in stored} == stored
    assert row.recorded_by == users["police"]
    assert row.corrects is None
    entry = TimelineEntry.objects.filter(referral=notice.event.case.referral).order_by("-id").first()
    assert entry.kind == f"sanction_{kind}"
    assert entry.detail_text == detail
    assert entry.detail == ""
    assert entry.actor_organisation == notice.organisation


def test_parameters_of_another_kind_are_not_stored(notice, users):
    row = sanction_record(
        notice=notice,
        by=users["police"],
        kind="warning",
        fine_amount=Decimal("100"),
        service_hours=40,
        hearing_on=TODAY,
        no_action_reason="resumed",
    )
    row.refresh_from_db()
    assert (row.fine_amount, row.service_hours, row.hearing_on, row.no_action_reason) == (None, None, None, "")


def test_an_order_extension_can_name_the_extension_recorded_on_the_referral(notice, users):
    referral = notice.event.case.referral
    new_expiry = referral.order_current_expiry + dt.timedelta(days=90)
    extension = referral_extend_order(
        referral=referral, by=users["police"], extended_on=TODAY, new_expiry=new_expiry, obliges_programme=True
    )
    row = sanction_record(notice=notice, by=users["police"], kind="order_extension", order_extension=extension)
    assert row.order_extension == extension
    assert row.extended_until == new_expiry


# --- bad input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "given", "field", "message"),
    [
        ("", {}, "kind", "Choose what followed."),
        ("prison", {}, "kind", "Choose what followed."),
        ("fine", {}, "fine_amount", "Enter the amount of the fine."),
        ("fine", {"fine_amount": Decimal("0")}, "fine_amount", "Enter an amount above zero."),
        ("fine", {"fine_amount": Decimal("10"), "fine_currency": "EUR"}, "fine_currency", "Choose a currency"),
        ("community_service", {}, "service_hours", "Enter the number of hours."),
        ("community_service", {"service_hours": 0}, "service_hours", "from 1 to 400"),
        ("community_service", {"service_hours": 401}, "service_hours", "from 1 to 400"),
        ("order_extension", {}, "extended_until", "Enter the date the order now runs until"),
        (
            "order_extension",
            {"extended_until": TODAY - dt.timedelta(days=3)},
            "extended_until",
            "before the notice",
        ),
        ("court_hearing", {}, "hearing_on", "Enter the date of the hearing."),
        ("court_hearing", {"hearing_on": TODAY - dt.timedelta(days=1)}, "hearing_on", "before the notice"),
        ("court_hearing", {"hearing_on": TODAY + dt.timedelta(days=800)}, "hearing_on", "within the next two years"),
        ("no_action", {}, "no_action_reason", "Say why no action was taken."),
        ("no_action", {"no_action_reason": "bored"}, "no_action_reason", "Choose a reason"),
    ],
)
def test_bad_input_is_refused_field_by_field(notice, users, kind, given, field, message):
    with pytest.raises(ValidationError) as exc:
        sanction_record(notice=notice, by=users["police"], kind=kind, **given)
    assert message in " ".join(exc.value.message_dict[field])
    assert not Sanction.objects.exists()
    assert not TimelineEntry.objects.filter(kind__startswith="sanction_").exists()


def test_an_extension_of_another_referral_is_refused(notice, users, orgs):
    other = f.make_referral(police=users["police"], provider=orgs["provider"])
    extension = referral_extend_order(
        referral=other,
        by=users["police"],
        extended_on=TODAY,
        new_expiry=other.order_current_expiry + dt.timedelta(days=30),
        obliges_programme=False,
    )
    with pytest.raises(ValidationError) as exc:
        sanction_record(notice=notice, by=users["police"], kind="order_extension", order_extension=extension.pk)
    assert exc.value.message_dict["order_extension"] == ["Choose an extension of this referral's order."]


def test_the_database_holds_the_hours_and_one_first_outcome_per_notice(notice, users):
    with pytest.raises(IntegrityError), transaction.atomic():
        Sanction.objects.create(notice=notice, kind="community_service", service_hours=401, recorded_by=users["police"])
    Sanction.objects.create(notice=notice, kind="warning", recorded_by=users["police"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Sanction.objects.create(notice=notice, kind="warning", recorded_by=users["police2"])


# --- who may -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["police", "police2"])
def test_the_police_unit_the_notice_reached_records_it(notice, users, who):
    assert sanction_record(notice=notice, by=users[who], kind="warning").recorded_by == users[who]


@pytest.mark.parametrize("who", ["judge", "court_clerk"])
def test_a_courts_judge_or_clerk_records_it_on_the_courts_notice(court_notice, users, who):
    row = sanction_record(notice=court_notice, by=users[who], kind="court_hearing", hearing_on=TODAY)
    assert row.notice == court_notice


@pytest.mark.parametrize(
    "who", ["other_police", "judge", "court_clerk", "psychologist", "manager", "survivor_worker", "monitoring"]
)
def test_nobody_else_records_what_followed_a_police_notice(notice, users, who):
    with pytest.raises(PermissionDenied):
        sanction_record(notice=notice, by=users[who], kind="warning")


@pytest.mark.parametrize("who", ["police", "probation_officer", "child_protection"])
def test_nobody_else_records_what_followed_a_court_notice(court_notice, users, who):
    with pytest.raises(PermissionDenied):
        sanction_record(notice=court_notice, by=users[who], kind="warning")


@pytest.mark.parametrize("kind", [E.RISK_RAISED, E.ORDER_EXPIRING, E.COMPLETION, E.NEW_VIOLENCE])
def test_other_notices_have_no_outcome_to_record(case, orgs, users, kind):
    notice = notice_of(record(kind, case, key=f"{kind}:sanction-test"), orgs["police"])
    with pytest.raises(PermissionDenied):
        sanction_record(notice=notice, by=users["police"], kind="warning")


@pytest.mark.parametrize("kind", [E.DROPOUT, E.EXPULSION])
def test_dropout_and_expulsion_notices_take_an_outcome(case, orgs, users, kind):
    notice = notice_of(record(kind, case, key=f"{kind}:sanction-test"), orgs["police"])
    assert sanction_record(notice=notice, by=users["police"], kind="warning").kind == "warning"


# --- one per notice, corrections kept ------------------------------------------------


def test_a_second_record_without_naming_the_first_is_refused(notice, users):
    sanction_record(notice=notice, by=users["police"], kind="warning")
    with pytest.raises(ValidationError) as exc:
        sanction_record(notice=notice, by=users["police2"], kind="no_action", no_action_reason="excused")
    assert "recorded by someone else in the meantime" in exc.value.message_dict["__all__"][0]
    assert Sanction.objects.count() == 1


def test_a_correction_supersedes_and_the_history_stays(notice, users):
    first = sanction_record(notice=notice, by=users["police"], kind="warning")
    second = sanction_record(
        notice=notice, by=users["police2"], kind="community_service", service_hours=40, replaces=first.pk
    )
    assert second.corrects == first
    assert current_sanction(notice) == second
    assert sanctions_of(notice) == [first, second]
    assert notice.last_sanction() == second
    entries = TimelineEntry.objects.filter(referral=notice.event.case.referral, kind__startswith="sanction_")
    kinds = [(entry.kind, entry.detail_text) for entry in entries]
    assert kinds == [("sanction_warning", ""), ("sanction_community_service", "40")]


def test_a_resend_of_the_same_correction_returns_the_row_it_made(notice, users):
    first = sanction_record(notice=notice, by=users["police"], kind="warning")
    kwargs = {
        "notice": notice,
        "by": users["police"],
        "kind": "fine",
        "fine_amount": Decimal("3000"),
        "replaces": first.pk,
    }
    second = sanction_record(**kwargs)
    assert sanction_record(**kwargs) == second
    assert Sanction.objects.count() == 2


def test_a_correction_that_changes_nothing_is_refused(notice, users):
    first = sanction_record(notice=notice, by=users["police"], kind="warning")
    with pytest.raises(ValidationError) as exc:
        sanction_record(notice=notice, by=users["police"], kind="warning", replaces=first.pk)
    assert exc.value.message_dict["__all__"] == ["Nothing changed: this is what is recorded already."]


# --- the timeline ---------------------------------------------------------------------


def test_the_provider_and_the_referring_police_see_it_on_the_timeline(notice, users):
    sanction_record(notice=notice, by=users["police"], kind="fine", fine_amount=Decimal("5000"), fine_currency="KGS")
    referral = notice.event.case.referral
    provider_view = timeline_for(Scope.for_user(users["psychologist"]), referral)
    entry = provider_view.get(kind="sanction_fine")
    assert (str(entry.kind_label), entry.detail_text) == ("After the notice: administrative fine", "5000.00 KGS")
    police_view = police_status_history(Scope.for_user(users["police"]), referral)
    assert police_view.filter(kind="sanction_fine").exists()
    with translation.override("ru"):
        assert str(entry.kind_label) == "После уведомления: административный штраф"


# --- the page ---------------------------------------------------------------------------


def test_the_page_records_what_followed(login, notice, users):
    client = login(users["police"])
    page = client.get(url(notice))
    assert page.status_code == 200
    assert "Record what followed" in page.content.decode()
    response = client.post(url(notice), {"kind": "community_service", "service_hours": "40"})
    assert response.status_code == 302
    assert response["Location"] == reverse("notifications:notice_detail", args=[notice.pk])
    row = Sanction.objects.get()
    assert (row.kind, row.service_hours, row.recorded_by) == ("community_service", 40, users["police"])
    detail = client.get(response["Location"]).content.decode()
    assert "What followed" in detail
    assert "Community service: 40 hours" in detail
    assert "Correct what followed" in detail


def test_bad_input_comes_back_field_by_field_with_what_was_typed(login, notice, users):
    client = login(users["police"])
    response = client.post(
        url(notice), {"kind": "community_service", "service_hours": "401", "fine_amount": "123.45", "hearing_on": ""}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "service_hours" in form.errors
    html = response.content.decode()
    assert 'value="401"' in html
    assert 'value="123.45"' in html
    assert not Sanction.objects.exists()


def test_a_service_error_lands_on_its_field(login, notice, users):
    client = login(users["police"])
    response = client.post(url(notice), {"kind": "court_hearing", "hearing_on": "2001-01-01"})
    assert response.status_code == 200
    assert response.context["form"].errors["hearing_on"] == ["The hearing cannot be before the notice."]
    assert 'value="2001-01-01"' in response.content.decode()


def test_the_correction_form_starts_from_what_is_recorded(login, notice, users):
    first = sanction_record(notice=notice, by=users["police"], kind="fine", fine_amount=Decimal("5000"))
    client = login(users["police2"])
    page = client.get(url(notice))
    html = page.content.decode()
    assert "Correct what followed" in html
    assert 'value="5000.00"' in html
    assert f'name="replaces" value="{first.pk}"' in html
    response = client.post(url(notice), {"kind": "warning", "replaces": str(first.pk)})
    assert response.status_code == 302
    assert current_sanction(notice).kind == "warning"


def test_the_court_records_on_its_notice(login, court_notice, users):
    client = login(users["court_clerk"])
    response = client.post(url(court_notice), {"kind": "court_hearing", "hearing_on": TODAY.isoformat()})
    assert response.status_code == 302
    assert Sanction.objects.get().notice == court_notice


def test_the_inbox_offers_the_form_then_shows_what_followed(login, notice, users):
    client = login(users["police"])
    inbox = client.get(reverse("notifications:inbox")).content.decode()
    assert url(notice) in inbox
    sanction_record(notice=notice, by=users["police"], kind="no_action", no_action_reason="resumed")
    inbox = client.get(reverse("notifications:inbox"), {"state": "all"}).content.decode()
    assert "No action: The person is back in the programme" in inbox


@pytest.mark.parametrize(("who", "status"), [("other_police", 404), ("judge", 404), ("survivor_worker", 403)])
def test_others_get_403_or_404(login, notice, users, who, status):
    assert login(users[who]).get(url(notice)).status_code == status


def test_a_notice_without_an_outcome_has_no_page(login, case, orgs, users):
    notice = notice_of(record(E.RISK_RAISED, case, key="risk:sanction-page"), orgs["police"])
    client = login(users["police"])
    assert client.get(url(notice)).status_code == 404
    assert url(notice) not in client.get(reverse("notifications:notice_detail", args=[notice.pk])).content.decode()


def test_no_survivor_data_on_the_page(login, notice, users):
    sanction_record(notice=notice, by=users["police"], kind="warning")
    html = login(users["police"]).get(url(notice)).content.decode()
    for secret in SURVIVOR_SECRETS:
        assert secret not in html


def test_the_page_in_russian(login, notice, users):
    client = login(users["police"])
    # The middleware activates Russian for the rest of the thread: put the language back after.
    with translation.override(translation.get_language()):
        html = client.get(url(notice), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Записать, что последовало" in html
    assert "Общественные работы" in html


def test_the_case_page_and_the_referrers_page_show_it(login, notice, users):
    sanction_record(notice=notice, by=users["police"], kind="fine", fine_amount=Decimal("5000"), fine_currency="KGS")
    case = notice.event.case
    html = login(users["psychologist"]).get(reverse("casework:case_detail", args=[case.pk])).content.decode()
    assert "After the notice: administrative fine" in html
    assert "5000.00 KGS" in html
    html = login(users["police2"]).get(reverse("referrals:police_detail", args=[case.referral_id])).content.decode()
    assert '<span class="fw-semibold">After the notice: administrative fine</span>: 5000.00 KGS' in html
