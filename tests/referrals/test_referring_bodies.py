"""Referrals from every referring body (seed 001): a court, the commission on
children's rights, a women's resource centre, local government and ministry
departments enter referrals through the same web form and API as the police,
with the source taken from their kind; a court's referral carries its
decision. Each body follows only its own referrals and hears of their course."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.models import Role
from notifications.models import Notice
from notifications.recipients import handling_members
from notifications.services import safety_event_record
from referrals import services
from referrals.models import Referral
from tests import factories as f
from tests.api.conftest import referral_body
from tests.referrals.test_views_police import CREATE, LIST, create_post, detail_url

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()
API = reverse("api-referral-create")


def court_post(provider, **overrides) -> dict:
    data = create_post(
        provider,
        source=None,
        court_decision_number="5-123/2026",
        court_decision_date=(TODAY - dt.timedelta(days=3)).isoformat(),
    )
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def api_post(client, body):
    return client.post(API, data=json.dumps(body), content_type="application/json")


# --- the web form -------------------------------------------------------------


def test_a_court_clerk_enters_a_court_referral_with_its_decision(client, login, users, orgs):
    login(users["court_clerk"])
    page = client.get(CREATE).content.decode()
    assert 'name="court_decision_number"' in page
    assert 'name="source"' not in page

    response = client.post(CREATE, court_post(orgs["provider"]))

    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(referral)
    assert (referral.referring_body, referral.source) == (orgs["court"], "court")
    assert (referral.court_decision_number, referral.court_decision_date) == (
        "5-123/2026",
        TODAY - dt.timedelta(days=3),
    )
    assert client.get(detail_url(referral)).status_code == 200


def test_a_court_referral_without_its_decision_says_what_is_missing(client, login, users, orgs):
    login(users["judge"])
    response = client.post(CREATE, court_post(orgs["provider"], court_decision_number="", court_decision_date=""))

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["court_decision_number"] == ["Enter the court decision number."]
    assert form.errors["court_decision_date"] == ["Enter the date of the court decision."]
    assert form["incident_description"].value() == "Threatened his wife with a knife."
    assert not Referral.objects.exists()


def test_a_court_decision_cannot_be_dated_in_the_future(client, login, users, orgs):
    login(users["judge"])
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()
    response = client.post(CREATE, court_post(orgs["provider"], court_decision_date=tomorrow))

    assert response.context["form"].errors["court_decision_date"] == ["This date is in the future."]
    assert not Referral.objects.exists()


@pytest.mark.parametrize(
    ("user", "org", "source"),
    [
        ("child_protection", "child_protection", "child_rights"),
        ("survivor_worker", "survivor_service", "womens_centre"),
        ("social_officer", "local_government", "other"),
        ("ministry_officer", "ministry", "other"),
    ],
)
def test_each_referring_body_is_its_own_source(client, login, users, orgs, user, org, source):
    login(users[user])
    page = client.get(CREATE).content.decode()
    assert 'name="court_decision_number"' not in page

    response = client.post(CREATE, create_post(orgs["provider"], source="police"))

    referral = Referral.objects.get()
    assert response.status_code == 302
    assert (referral.referring_body, referral.source, referral.created_by) == (orgs[org], source, users[user])


def test_a_police_officer_still_names_the_source_she_relays(client, login, users, orgs):
    login(users["police"])
    client.post(CREATE, create_post(orgs["provider"], source="child_rights"))
    assert Referral.objects.get().source == "child_rights"


@pytest.mark.parametrize("user", ["probation_officer", "facility_officer", "monitoring_officer", "psychologist"])
def test_a_body_that_does_not_refer_is_refused(client, login, users, orgs, user):
    login(users[user])
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, create_post(orgs["provider"])).status_code == 403
    assert client.get(LIST).status_code == 403
    assert not Referral.objects.exists()
    with pytest.raises(PermissionDenied, match="Only a referring body's officers enter referrals."):
        f.make_referral(police=users[user], provider=orgs["provider"])


# --- following one's own referrals ------------------------------------------------


def test_each_body_lists_and_opens_only_its_own_referrals(client, login, users, orgs):
    court_ref = f.make_referral(
        police=users["judge"],
        provider=orgs["provider"],
        order={**f.order_data(), "court_decision_number": "5-1/2026", "court_decision_date": TODAY},
    )
    police_ref = f.make_referral(police=users["police"], provider=orgs["provider"])
    other_court = f.make_org("court", country="TJ", name="Khujand City Court", region="Sughd")
    outsider = f.make_user(other_court, Role.JUDGE, "other_judge")

    login(users["court_clerk"])
    listed = client.get(LIST).context["page"].object_list
    assert [r.pk for r in listed] == [court_ref.pk]
    assert client.get(detail_url(court_ref)).status_code == 200
    assert client.get(detail_url(police_ref)).status_code == 404

    login(outsider)
    assert list(client.get(LIST).context["page"].object_list) == []
    assert client.get(detail_url(court_ref)).status_code == 404


def test_a_womens_centre_sees_its_own_referrals_not_the_cases_it_was_brought_into(
    client, login, users, orgs, case_with_service
):
    own = f.make_referral(police=users["survivor_worker"], provider=orgs["provider"])
    login(users["survivor_worker"])
    listed = client.get(LIST).context["page"].object_list
    assert [r.pk for r in listed] == [own.pk]
    assert client.get(detail_url(case_with_service.referral)).status_code == 404


def test_the_court_hears_of_its_referrals_course(users, orgs):
    referral = f.make_referral(
        police=users["court_clerk"],
        provider=orgs["provider"],
        order={**f.order_data(), "court_decision_number": "5-2/2026", "court_decision_date": TODAY},
    )
    case = f.open_case(referral, users["psychologist"])
    event = safety_event_record(kind="completion", case=case, facts={}, dedupe_key="completion:court-test")

    notice = event.notices.get(organisation=orgs["court"])
    assert notice.role_hint == Notice.Recipient.POLICE
    assert not event.notices.filter(organisation=orgs["police"]).exists()
    told = handling_members({orgs["court"].pk: Notice.Recipient.POLICE})[orgs["court"].pk]
    assert {m.user.username for m in told} == {"judge", "court_clerk"}


BODIES = [
    ("court_clerk", "court"),
    ("child_protection", "child_protection"),
    ("survivor_worker", "survivor_service"),  # a women's resource centre
    ("ministry_officer", "ministry"),
    ("social_officer", "local_government"),
]


def _referral_of(users, orgs, user):
    order = f.order_data()  # the order obliges the person to attend
    if user == "court_clerk":
        order.update(court_decision_number="5-7/2026", court_decision_date=TODAY)
    return f.make_referral(police=users[user], provider=orgs["provider"], order=order)


@pytest.mark.parametrize(("user", "org"), BODIES)
@pytest.mark.parametrize("decision", ["accepted", "declined"])
def test_every_referring_body_hears_of_the_providers_decision(users, orgs, user, org, decision):
    referral = _referral_of(users, orgs, user)
    f.screen_all_met(referral, users["psychologist"])
    if decision == "accepted":
        services.referral_accept(referral=referral, by=users["psychologist"])
    else:
        services.referral_decline(referral=referral, by=users["psychologist"], reason="no_capacity", explanation="")

    notice = Notice.objects.get(event__kind=f"referral_{decision}")
    assert (notice.organisation, notice.role_hint, notice.event.referral) == (
        orgs[org],
        Notice.Recipient.POLICE,
        referral,
    )


@pytest.mark.parametrize(("user", "org"), BODIES)
@pytest.mark.parametrize("kind", ["dropout", "non_compliance", "completion"])
def test_every_referring_body_hears_how_the_programme_goes(users, orgs, user, org, kind):
    case = f.open_case(_referral_of(users, orgs, user), users["psychologist"])
    event = safety_event_record(kind=kind, case=case, facts={}, dedupe_key=f"{kind}:{user}-test")

    notice = event.notices.get(organisation=orgs[org])
    assert notice.role_hint == Notice.Recipient.POLICE
    assert not event.notices.filter(organisation=orgs["police"]).exists()
    told = handling_members({orgs[org].pk: Notice.Recipient.POLICE})[orgs[org].pk]
    assert {m.user.username for m in told} == ({"judge", "court_clerk"} if org == "court" else {user})


def _voluntary_dropout(users, orgs, user):
    """A dropout on a referral by ``user``'s body with no order: nobody is obliged to attend."""
    no_order = {name: "" for name in ("order_number", "order_issuing_authority")}
    no_order.update(order_issued_on=None, order_expires_on=None, order_obliges_programme=False)
    referral = f.make_referral(police=users[user], provider=orgs["provider"], order=f.order_data(**no_order))
    case = f.open_case(referral, users["psychologist"])
    return safety_event_record(kind="dropout", case=case, facts={}, dedupe_key="dropout:voluntary")


@pytest.mark.parametrize(("user", "org"), [b for b in BODIES if b[0] != "court_clerk"])
def test_a_voluntary_referrals_dropout_reaches_the_body_that_referred(users, orgs, user, org):
    event = _voluntary_dropout(users, orgs, user)

    assert event.notices.get(organisation=orgs[org]).role_hint == Notice.Recipient.POLICE


def test_a_voluntary_police_referrals_dropout_still_does_not_reach_the_police(users, orgs):
    event = _voluntary_dropout(users, orgs, "police")

    assert not event.notices.filter(organisation=orgs["police"]).exists()


# --- the API --------------------------------------------------------------------


def test_a_court_enters_a_referral_through_the_api(api, users, orgs):
    body = referral_body(orgs["provider"].pk, court_decision_number="5-7/2026", court_decision_date=TODAY.isoformat())
    response = api_post(api(users["judge"]), body)

    assert response.status_code == 201, response.json()
    referral = Referral.objects.get()
    assert (referral.referring_body, referral.source, referral.court_decision_number) == (
        orgs["court"],
        "court",
        "5-7/2026",
    )
    listed = api(users["court_clerk"]).get(API).json()
    assert [row["id"] for row in listed["results"]] == [referral.pk]


def test_a_court_referral_without_its_decision_is_refused_field_by_field(api, users, orgs):
    response = api_post(api(users["judge"]), referral_body(orgs["provider"].pk))

    assert response.status_code == 400
    body = response.json()
    assert body["court_decision_number"] == ["Enter the court decision number."]
    assert body["court_decision_date"] == ["Enter the date of the court decision."]
    assert not Referral.objects.exists()


def test_the_child_rights_commission_refers_through_the_api(api, users, orgs):
    response = api_post(api(users["child_protection"]), referral_body(orgs["provider"].pk))
    assert response.status_code == 201
    assert Referral.objects.get().source == "child_rights"


@pytest.mark.parametrize("user", ["monitoring_officer", "psychologist"])
def test_the_api_refuses_a_body_that_does_not_refer(api, users, orgs, user):
    response = api_post(api(users[user]), referral_body(orgs["provider"].pk))
    assert response.status_code == 403
    assert not Referral.objects.exists()


def test_another_bodys_referral_is_missing_through_the_api(api, users, orgs):
    referral = f.make_referral(police=users["police"], provider=orgs["provider"])
    url = reverse("api-referral-detail", kwargs={"id": referral.pk})
    assert api(users["judge"]).get(url).status_code == 404
    assert api(users["police2"]).get(url).status_code == 200


def test_the_service_records_the_source_of_the_body(users, orgs):
    referral = f.make_referral(police=users["ministry_officer"], provider=orgs["provider"], source="court")
    assert referral.source == "other"
    assert services.source_for(orgs["police"], "court") == "court"


# --- a court extends or varies its order --------------------------------------------


def _court_referral(court_user, provider, **order):
    return f.make_referral(
        police=court_user,
        provider=provider,
        order={
            **f.order_data(
                order_issued_on=TODAY - dt.timedelta(days=10), order_expires_on=TODAY + dt.timedelta(days=20)
            ),
            "court_decision_number": "5-9/2026",
            "court_decision_date": TODAY - dt.timedelta(days=10),
            **order,
        },
    )


@pytest.fixture
def uz_judge(db):
    court = f.make_org("court", country="UZ", name="Tashkent Inter-District Court", region="Tashkent")
    return f.make_user(court, Role.JUDGE, "uz_judge")


def test_an_uzbek_court_extends_its_order_up_to_a_year(client, login, uz_judge, orgs):
    referral = _court_referral(uz_judge, orgs["provider"])
    login(uz_judge)
    url = reverse("referrals:extend_order", args=[referral.pk])
    limit = (TODAY - dt.timedelta(days=10)).replace(year=TODAY.year + 1)
    too_long = {"extended_on": TODAY.isoformat(), "new_expiry": (limit + dt.timedelta(days=1)).isoformat()}

    response = client.post(url, {**too_long, "obliges_programme": "on"})
    assert response.status_code == 200
    assert response.context["form"].errors["new_expiry"] == [
        f"A court extends a protection order to at most one year from its issue: until {limit} at the latest."
    ]

    within = {"extended_on": TODAY.isoformat(), "new_expiry": limit.isoformat(), "obliges_programme": "on"}
    response = client.post(url, within)
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.order_current_expiry == limit
    assert referral.order_obliges_programme


def test_a_court_may_shorten_its_order_and_the_window_follows_the_latest_extension(uz_judge, orgs):
    referral = _court_referral(uz_judge, orgs["provider"])
    for days in (90, 40):
        services.referral_extend_order(
            referral=referral,
            by=uz_judge,
            extended_on=TODAY,
            new_expiry=TODAY + dt.timedelta(days=days),
            obliges_programme=True,
        )
    assert Referral.objects.get(pk=referral.pk).order_current_expiry == TODAY + dt.timedelta(days=40)


def test_a_kyrgyz_court_has_no_year_limit(users, orgs):
    referral = _court_referral(users["judge"], orgs["provider"])
    far = TODAY + dt.timedelta(days=500)
    services.referral_extend_order(
        referral=referral, by=users["court_clerk"], extended_on=TODAY, new_expiry=far, obliges_programme=False
    )
    assert referral.order_current_expiry == far


def test_only_the_referring_police_unit_or_court_extends(client, login, users, orgs, uz_judge):
    court_ref = _court_referral(users["judge"], orgs["provider"])
    url = reverse("referrals:extend_order", args=[court_ref.pk])
    login(users["police"])
    assert client.get(url).status_code == 404
    login(users["probation_officer"])
    assert client.get(url).status_code == 403
    login(users["child_protection"])
    assert client.get(url).status_code == 403
    login(users["court_clerk"])
    assert client.get(url).status_code == 200
    for outsider in (users["police"], uz_judge):
        with pytest.raises(PermissionDenied, match="Only the referring police unit or court extends its order."):
            services.referral_extend_order(
                referral=court_ref,
                by=outsider,
                extended_on=TODAY,
                new_expiry=TODAY + dt.timedelta(days=60),
                obliges_programme=False,
            )
