"""The figures the reports use (cts_change_by_scale, follow_up_completion,
cts_scale_summary), follow_ups_due, and who sees which questionnaire."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404

from accounts.scope import Scope
from outcomes import selectors
from outcomes.models import FollowUp
from programmes.models import Enrolment
from tests import factories as f
from tests.outcomes.conftest import bare_enrolment, days, sheet

SCALES = ["negotiation", "psychological-aggression", "physical-assault", "sexual-coercion", "injury"]


@pytest.fixture
def cohort(users, case_with_service, new_case, record):
    """Four people with questionnaires of their own (physical assault, self):
    A: intake 25 (item 7 = more than 20), end 4 (item 7 = 3-5 times);
    B: intake 8 (item 9 = 6-10), end 15, then +6 months 0 (the latest counts);
    C: intake only (not counted);
    D: intake with item 9 unanswered (physical assault unknown), end 2.
    A's survivor and a close relation also answered (never counted)."""
    psy = users["psychologist"]
    template = f.shipped_template("tj-consultation-room")
    a, b, c, d = case_with_service, new_case(), new_case(), new_case()
    record(a, psy, sheet(0, i7=6), on=days(-200))
    record(a, psy, sheet(0, i7=3), occasion="end", on=days(-10))
    record(b, psy, sheet(0, i9=4), on=days(-300))
    record(b, psy, sheet(0, i9=5), occasion="end", on=days(-200))
    record(b, psy, sheet(0), occasion="after_end", on=days(-20))
    record(c, psy, sheet(0, i7=1), on=days(-30))
    record(d, psy, sheet(0, i9=None, i15=3), on=days(-100))
    record(d, psy, sheet(0, i7=2, i15=1), occasion="after_end", on=days(-5))
    record(a, users["survivor_worker"], sheet(6), respondent="survivor", survivor=a.referral.survivors.get(),
           respondent_consented=True)  # fmt: skip
    record(a, psy, sheet(6), occasion="end", respondent="close_relation", relation="parent",
           respondent_consented=True)  # fmt: skip
    people = {}
    for name, case in zip("abcd", (a, b, c, d), strict=True):
        people[name] = bare_enrolment(case, template, psy, status="completed", ended_on=days(-30))
    # A second enrolment of A's (after a transfer, say) must not count A twice.
    bare_enrolment(a, template, psy, status="transferred", ended_on=days(-40))
    return people


def test_change_by_scale(cohort, django_assert_num_queries):
    with django_assert_num_queries(3):
        rows = selectors.cts_change_by_scale(Enrolment.objects.all())
    assert [r["scale"] for r in rows] == SCALES
    by = {r["scale"]: r for r in rows}
    assert by["physical-assault"] == {
        "scale": "physical-assault",
        "label": "Physical Assault",
        "n": 2,
        "before": 16.5,  # (25 + 8) / 2
        "after": 2.0,  # (4 + 0) / 2
        "prorated": 0,
    }
    # Sexual coercion: D had 4 (item 15 = 3-5 times) then 1; A and B 0 and 0.
    assert (by["sexual-coercion"]["n"], by["sexual-coercion"]["before"], by["sexual-coercion"]["after"]) == (
        3, 4 / 3, 1 / 3,
    )  # fmt: skip
    assert (by["negotiation"]["n"], by["negotiation"]["before"], by["negotiation"]["after"]) == (3, 0.0, 0.0)


def test_change_by_scale_keeps_to_the_enrolments_given(cohort):
    rows = selectors.cts_change_by_scale(Enrolment.objects.filter(pk=cohort["a"].pk))
    by = {r["scale"]: r for r in rows}
    assert (by["physical-assault"]["n"], by["physical-assault"]["before"], by["physical-assault"]["after"]) == (
        1, 25.0, 4.0,
    )  # fmt: skip


def test_change_by_scale_without_data(db):
    rows = selectors.cts_change_by_scale(Enrolment.objects.none())
    assert rows[2] == {
        "scale": "physical-assault",
        "label": "Physical Assault",
        "n": 0,
        "before": None,
        "after": None,
        "prorated": 0,
    }
    assert len(rows) == 5


def test_scale_summary_with_chronicity(cohort, django_assert_num_queries):
    with django_assert_num_queries(3):
        rows = selectors.cts_scale_summary(Enrolment.objects.all())
    physical = {r["scale"]: r for r in rows}["physical-assault"]
    # Intake: A 25, B 8, C 1 (item 7 = once), D unknown (item 9 unanswered, nothing reported).
    assert physical == {
        "scale": "physical-assault",
        "label": "Physical Assault",
        "n": 3,
        "prevalent": 3,
        "ever": 3,
        "mean_frequency": pytest.approx(34 / 3),
        "chronicity": pytest.approx(34 / 3),
    }
    later = {r["scale"]: r for r in selectors.cts_scale_summary(Enrolment.objects.all(), later=True)}
    # Latest later: A 4, B 0, D 2: prevalent A and D, chronicity (4 + 2) / 2.
    assert later["physical-assault"]["n"] == 3
    assert later["physical-assault"]["prevalent"] == 2
    assert later["physical-assault"]["mean_frequency"] == 2.0
    assert later["physical-assault"]["chronicity"] == 3.0


def test_follow_up_completion(users, case, new_case, django_assert_num_queries):
    from outcomes.services import follow_ups_schedule

    template = f.shipped_template("kz-union-crisis-centres")  # end + 6 months
    today = dt.date(2025, 6, 1)
    done = bare_enrolment(case, template, users["psychologist"], status="completed",
                          starts_on=dt.date(2024, 9, 1), ended_on=dt.date(2024, 11, 30))  # fmt: skip
    follow_ups_schedule(enrolment=done)
    # Intake done, end missed; +6 (2025-05-30) open: 3 due, 1 done, 2 overdue.
    FollowUp.objects.filter(enrolment=done, kind="intake").update(status="done")
    FollowUp.objects.filter(enrolment=done, kind="end").update(status="missed")
    later = bare_enrolment(new_case(), template, users["psychologist"], status="completed",
                           starts_on=dt.date(2025, 3, 1), ended_on=dt.date(2025, 5, 1))  # fmt: skip
    follow_ups_schedule(enrolment=later)  # intake and end due, +6 not yet (2025-11-01)
    gone = bare_enrolment(new_case(), template, users["psychologist"], starts_on=dt.date(2025, 1, 1))
    follow_ups_schedule(enrolment=gone)
    gone.status, gone.ended_on = "transferred", dt.date(2025, 2, 1)
    gone.save()
    follow_ups_schedule(enrolment=gone)  # its intake point is no longer due: not counted
    with django_assert_num_queries(1):
        figures = selectors.follow_up_completion(Enrolment.objects.all(), today=today)
    # Two people: both have points due and overdue, one has a point done.
    assert figures == {"due": 5, "done": 1, "overdue": 4, "people_due": 2, "people_done": 1, "people_overdue": 2}
    assert selectors.follow_up_completion(Enrolment.objects.filter(pk=done.pk), today=today) == {
        "due": 3, "done": 1, "overdue": 2, "people_due": 1, "people_done": 1, "people_overdue": 1,
    }  # fmt: skip
    assert selectors.follow_up_completion(Enrolment.objects.none(), today=today) == {
        "due": 0, "done": 0, "overdue": 0, "people_due": 0, "people_done": 0, "people_overdue": 0,
    }  # fmt: skip


def test_follow_ups_due(users, orgs, case):
    from outcomes.services import follow_ups_schedule

    template = f.shipped_template("tj-consultation-room")
    mine = bare_enrolment(case, template, users["psychologist"], status="completed",
                          starts_on=days(-100), ended_on=days(-10))  # fmt: skip
    follow_ups_schedule(enrolment=mine)
    other_case = f.make_open_case(police=users["other_police"], provider=orgs["other_provider"],
                                  by=users["other_psychologist"])  # fmt: skip
    theirs = bare_enrolment(other_case, template, users["other_psychologist"], starts_on=days(-5))
    follow_ups_schedule(enrolment=theirs)
    FollowUp.objects.filter(enrolment=mine, kind="intake").update(status="done")
    due = selectors.follow_ups_due(on=days(0))
    assert [(p.enrolment_id, p.kind) for p in due] == [(mine.pk, "end"), (theirs.pk, "intake")]
    assert [p.kind for p in selectors.follow_ups_due(on=days(0), provider=orgs["provider"])] == ["end"]
    assert [p.kind for p in selectors.follow_ups_due(on=days(-11), provider=orgs["provider"])] == []
    assert [p.months for p in selectors.follow_ups_due(on=days(400), provider=orgs["provider"])] == [0, 6, 12]


def test_questionnaires_visible_to(users, case_with_service, record):
    psy = users["psychologist"]
    person = record(case_with_service, psy, sheet(0))
    relation = record(case_with_service, psy, sheet(0), respondent="close_relation", relation="parent",
                      respondent_consented=True)  # fmt: skip
    hers = record(case_with_service, users["survivor_worker"], sheet(0), respondent="survivor",
                  survivor=case_with_service.referral.survivors.get(), respondent_consented=True)  # fmt: skip

    def visible(role):
        return set(selectors.administrations_visible_to(Scope.for_user(users[role])))

    assert visible("psychologist") == visible("social_worker") == {person, relation}
    assert visible("survivor_worker") == {hers}
    for role in ("manager", "police", "monitoring", "other_psychologist", "other_survivor_worker", "provider_admin"):
        assert visible(role) == set(), role
    with pytest.raises(Http404):
        selectors.get_administration_for_user(Scope.for_user(psy), hers.pk, via="test")
    with pytest.raises(Http404):
        selectors.get_administration_for_user(Scope.for_user(users["survivor_worker"]), person.pk, via="test")


def test_change_by_scale_counts_the_people_with_a_prorated_score(cohort):
    from outcomes.models import ScaleScore

    a_case = cohort["a"].case
    ScaleScore.objects.filter(
        administration__case=a_case, administration__occasion="intake", scale__code="physical-assault"
    ).update(prorated=True)
    by = {r["scale"]: r for r in selectors.cts_change_by_scale(Enrolment.objects.all())}
    assert (by["physical-assault"]["n"], by["physical-assault"]["prorated"]) == (2, 1)
    assert by["negotiation"]["prorated"] == 0
