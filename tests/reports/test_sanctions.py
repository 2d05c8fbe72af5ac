"""What followed non-compliance on the monitoring report: dropout,
expulsion and non-compliance notices that reached the police or a court,
by the outcome they recorded, suppressed like every other figure."""

from __future__ import annotations

import pytest
from django.db import transaction

from accounts.scope import Scope
from notifications.models import Notice, SafetyEvent
from notifications.sanctions import sanction_record
from notifications.services import safety_event_record
from reports.figures import build_report
from reports.selectors import Filters
from tests import factories as f
from tests.reports.conftest import table

SMALL, HIDDEN = "<5", "—"
E = SafetyEvent.Kind


def report_for(user, **filters):
    return build_report(Scope.for_user(user), Filters(**filters))


def notices(case, n: int, *, kind=E.NON_COMPLIANCE, tag="") -> list[Notice]:
    made = []
    for i in range(n):
        with transaction.atomic():
            event = safety_event_record(kind=kind, case=case, facts={}, dedupe_key=f"{kind}:{case.pk}:{tag}{i}")
        made.append(event.notices.get(role_hint=Notice.Recipient.POLICE))
    return made


@pytest.fixture
def man(users, orgs):
    return f.make_open_case(police=users["police"], provider=orgs["provider"], by=users["psychologist"])


@pytest.fixture
def woman(users, orgs):
    return f.make_open_case(police=users["police"], provider=orgs["provider"], by=users["psychologist"], sex="female")


@pytest.fixture
def recorded(users, man, woman):
    """Men: 5 warnings (one of them corrected from a fine), 5 community
    services, 6 awaiting. Women: 2 fines, 1 awaiting."""
    police = users["police"]
    for i, notice in enumerate(notices(man, 5, tag="w")):
        if i == 0:
            first = sanction_record(notice=notice, by=police, kind="fine", fine_amount=1000)
            sanction_record(notice=notice, by=police, kind="warning", replaces=first.pk)
        else:
            sanction_record(notice=notice, by=police, kind="warning")
    for notice in notices(man, 3, tag="c") + notices(man, 2, kind=E.DROPOUT, tag="c"):
        sanction_record(notice=notice, by=police, kind="community_service", service_hours=40)
    notices(man, 6, tag="a")
    for notice in notices(woman, 2, tag="f"):
        sanction_record(notice=notice, by=police, kind="fine", fine_amount=500, fine_currency="KGS")
    notices(woman, 1, tag="a")


def test_what_followed_counts_the_current_outcome_of_each_notice(users, recorded):
    figures = table(report_for(users["monitoring"]), "sanctions_by_provider")
    assert figures["Bishkek Consultation Room"] == {
        "notices": "19",
        "awaiting": "7",
        "recorded": "12",
        "recorded_rate": "63.2%",
        "warning": "5",
        "fine": SMALL,
        "community_service": "5",
        "order_extension": SMALL,
        "court_hearing": SMALL,
        "no_action": SMALL,
    }


def test_small_numbers_are_hidden_for_men_and_women(users, recorded):
    figures = table(report_for(users["monitoring"]), "sanctions_by_sex")
    women = figures["Women"]
    assert women["notices"] == SMALL
    assert women["fine"] == SMALL
    # The men's figures would give the women's away (all minus men).
    assert figures["Men"]["notices"] == HIDDEN
    assert figures["All"]["notices"] == "19"
    for row in figures.values():
        for key, shown in row.items():
            if shown not in (SMALL, HIDDEN) and not shown.endswith("%"):
                assert int(shown) >= 5, (key, shown)


def test_other_notices_and_other_countries_are_not_counted(users, orgs, man, recorded):
    notices(man, 5, kind=E.RISK_RAISED, tag="r")
    elsewhere = f.make_open_case(
        police=users["other_police"], provider=orgs["other_provider"], by=users["other_psychologist"]
    )
    for notice in notices(elsewhere, 5, tag="x"):
        sanction_record(notice=notice, by=users["other_police"], kind="warning")
    assert table(report_for(users["monitoring"]), "sanctions_by_provider")["All"]["notices"] == "19"


def test_a_programme_manager_counts_their_own_provider(users, recorded):
    figures = table(report_for(users["manager"]), "sanctions_by_provider")
    assert list(figures) == ["Bishkek Consultation Room", "All"]
    assert figures["All"]["warning"] == "5"


def test_the_section_is_in_the_report(users, recorded):
    report = report_for(users["monitoring"])
    section = next(s for s in report.sections if s.key == "sanctions")
    assert section.title == "Non-compliance and what followed"
    assert [c.key for c in section.tables[0].columns][:4] == ["notices", "awaiting", "recorded", "recorded_rate"]
