"""The waiting list on the monitoring report: how many accepted referrals
wait for a programme today and their median wait, suppressed like every
other figure."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Organisation
from accounts.scope import Scope
from referrals.models import Referral
from reports.figures import build_report, median_of
from reports.selectors import Filters
from tests import factories as f
from tests.reports.conftest import days, table

SMALL, HIDDEN = "<5", "—"


def report_for(user, **filters):
    return build_report(Scope.for_user(user), Filters(**filters))


def waited(referrals, *waits: int) -> None:
    """Accepted ``waits[i]`` days ago, at noon local time."""
    noon = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
    for referral, n in zip(referrals, waits, strict=True):
        Referral.objects.filter(pk=referral.pk).update(status_changed_at=noon - dt.timedelta(days=n))


@pytest.fixture
def waiting(build):
    """Men: 7 waiting (2, 4, 6, 10, 20, 30, 40 days). Women: 2 waiting.
    Also 3 declined, 5 enrolled and 2 undecided: none of them waits."""
    men = build.accepted(7)
    waited(men, 2, 4, 6, 10, 20, 30, 40)
    women = build.accepted(2, sex="female")
    waited(women, 1, 3)
    build.declined(3)
    build.cohort(5)
    build.received(2)
    return men + women


def test_the_median_of_counted_values():
    assert median_of({}) is None
    assert median_of({4: 1}) == 4.0
    assert median_of({1: 2, 9: 1}) == 1.0
    assert median_of({1: 1, 2: 1, 10: 1, 30: 1}) == 6.0


def test_waiting_numbers_and_median_wait_of_men_and_women(users, waiting):
    figures = table(report_for(users["monitoring"]), "waiting_by_sex")
    # The women's 2 are hidden; the men's 7 would give them away (9 - 7).
    assert figures["Women"] == {"waiting": SMALL, "median_days": SMALL}
    assert figures["Men"] == {"waiting": HIDDEN, "median_days": HIDDEN}
    # 1, 2, 3, 4, 6, 10, 20, 30, 40: the fifth is 6.
    assert figures["All"] == {"waiting": "9", "median_days": "6.0"}


def test_waiting_by_provider_and_region(users, orgs, build, waiting):
    elsewhere = f.make_org(Organisation.Kind.PROGRAMME_PROVIDER, name="Osh Consultation Room", region="Osh")
    waited(build.accepted(5, provider=elsewhere), 10, 11, 12, 13, 14)
    report = report_for(users["monitoring"])
    by_provider = table(report, "waiting_by_provider")
    assert by_provider["Bishkek Consultation Room"] == {"waiting": "9", "median_days": "6.0"}
    assert by_provider["Osh Consultation Room"] == {"waiting": "5", "median_days": "12.0"}
    assert by_provider["All"] == {"waiting": "14", "median_days": "10.5"}  # (10 + 11) / 2
    by_region = table(report, "waiting_by_region")
    assert by_region["Chuy"] == {"waiting": "9", "median_days": "6.0"}
    assert by_region["Osh"] == {"waiting": "5", "median_days": "12.0"}


def test_a_programme_manager_counts_their_own_provider(users, orgs, build, waiting):
    elsewhere = f.make_org(Organisation.Kind.PROGRAMME_PROVIDER, name="Osh Consultation Room", region="Osh")
    build.accepted(6, provider=elsewhere)
    build.accepted(6, provider=orgs["other_provider"])
    assert table(report_for(users["manager"]), "waiting_by_sex")["All"]["waiting"] == "9"
    # A monitoring body counts its own country only.
    assert table(report_for(users["monitoring"]), "waiting_by_sex")["All"]["waiting"] == "15"


def test_the_period_does_not_apply_but_the_other_filters_do(users, orgs, waiting):
    later = report_for(users["monitoring"], date_from=days(1), date_to=days(30))
    assert table(later, "waiting_by_sex")["All"]["waiting"] == "9"
    men = report_for(users["monitoring"], sex="male")
    assert table(men, "waiting_by_sex")["All"] == {"waiting": "7", "median_days": "10.0"}
    other = report_for(users["monitoring"], provider=orgs["provider"], region="Chuy")
    assert table(other, "waiting_by_provider")["All"]["waiting"] == "9"


def test_fewer_than_five_waiting_hides_the_number_and_the_median(users, build):
    waited(build.accepted(4), 1, 2, 3, 4)
    assert table(report_for(users["monitoring"]), "waiting_by_sex")["All"] == {
        "waiting": SMALL,
        "median_days": SMALL,
    }


def test_the_dashboard_shows_the_waiting_list(client, login, users, waiting):
    login(users["monitoring"])
    content = client.get("/reports/").content.decode()
    assert 'id="waiting"' in content
    assert "Median wait (days)" in content
    assert 'id="table-waiting_by_sex"' in content
