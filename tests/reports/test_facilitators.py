"""Trained facilitators on the monitoring report: per region, who is
qualified to facilitate and the share of group sessions led by a qualified
pair, suppressed like every other figure."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.scope import Scope
from programmes.models import Session
from reports.figures import build_report
from reports.selectors import Filters
from tests import factories as f
from tests.reports.conftest import table

pytestmark = pytest.mark.django_db
MEN = "kg-annex3-voluntary-men"


def report_for(user, **filters):
    return build_report(Scope.for_user(user), Filters(**filters))


def _held(group, n):
    ids = list(group.sessions.order_by("number").values_list("pk", flat=True)[:n])
    Session.objects.filter(pk__in=ids).update(status=Session.Status.HELD)


@pytest.fixture
def staffed(users, orgs):
    """Six facilitators at the standing provider (Chuy), five qualified; a
    group led by a qualified pair (10 sessions held) and one whose
    psychologist is not qualified (6 held)."""
    extra = [f.make_user(orgs["provider"], Role.PSYCHOLOGIST, f"psy{n}", totp=False) for n in range(4)]
    for person in (users["psychologist"], users["social_worker"], *extra[:3]):
        f.qualify(person)
    template = f.shipped_template(MEN)
    qualified = f.make_group(by=users["manager"], template=template)
    unqualified = f.make_group(by=users["manager"], template=template, psychologist=extra[3])
    _held(qualified, 10)
    _held(unqualified, 6)
    return qualified, unqualified


def test_the_region_shows_trained_facilitators_and_the_share_of_qualified_pairs(users, staffed):
    figures = table(report_for(users["monitoring"]), "facilitators_by_region")
    assert figures["Chuy"] == {
        "facilitators": "6",
        "trained": "5",
        "trained_rate": "83.3%",
        "sessions": "16",
        "qualified": "10",
        "qualified_rate": "62.5%",
    }
    assert figures["All"] == figures["Chuy"]


def test_a_qualification_of_another_family_does_not_make_a_qualified_pair(users, staffed):
    qualified, _unqualified = staffed
    qualified.psychologist.qualifications.update(family="tj_consultation_room")
    figures = table(report_for(users["monitoring"]), "facilitators_by_region")
    # Still qualified to facilitate something, but not what the programme asks.
    assert (figures["Chuy"]["trained"], figures["Chuy"]["qualified"]) == ("5", "<5")
    assert figures["Chuy"]["qualified_rate"] == "<5"


def test_a_single_facilitator_programme_asks_the_qualification_of_the_one_facilitator(users, orgs, staffed):
    qualified, unqualified = staffed
    # Chance's voluntary men's groups are led by one man: the unqualified
    # social worker beside him does not count against the session.
    chance = f.shipped_template("kg-chance-voluntary-men")
    single = f.make_group(by=users["manager"], template=chance, language="ru")
    single.social_worker.qualifications.all().delete()
    _held(single, 6)
    figures = table(report_for(users["monitoring"]), "facilitators_by_region")
    # The first pair lost its qualified social worker; the single facilitator keeps his six sessions.
    assert (figures["Chuy"]["sessions"], figures["Chuy"]["qualified"]) == ("22", "6")


def test_small_counts_are_hidden(users, orgs):
    f.qualify(users["psychologist"])
    figures = table(report_for(users["monitoring"]), "facilitators_by_region")
    assert figures["All"]["facilitators"] == "<5" and figures["All"]["trained"] == "<5"
    assert figures["All"]["trained_rate"] == "<5"


def test_the_period_counts_the_qualification_on_its_last_day(users, staffed):
    past = timezone.localdate() - dt.timedelta(days=400)
    figures = table(report_for(users["monitoring"], date_to=past), "facilitators_by_region")
    # Nobody was qualified 400 days ago (the qualifications are a year old),
    # and no session was held before then.
    assert figures["All"]["trained"] == "<5" and figures["All"]["sessions"] == "<5"


def test_another_countrys_providers_are_not_counted(users, orgs, staffed):
    for n in range(5):
        f.qualify(f.make_user(orgs["other_provider"], Role.SOCIAL_WORKER, f"tj{n}", totp=False), "tj_consultation_room")
    figures = table(report_for(users["monitoring"]), "facilitators_by_region")
    assert list(figures) == ["Chuy", "All"]
    assert figures["All"]["facilitators"] == "6"


def test_the_dashboard_and_the_csv_show_the_table(client, login, users, staffed):
    login(users["monitoring"])
    page = client.get(reverse("reports:dashboard")).content.decode()
    assert "Trained facilitators by region" in page and "62.5%" in page
    csv = client.get(reverse("reports:export_csv")).content.decode()
    assert "Trained facilitators by region" in csv
