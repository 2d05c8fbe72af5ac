"""Every figure of the monitoring report against hand-built data: the
values, and what is hidden."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from accounts.models import Organisation
from accounts.scope import Scope
from referrals.models import Referral
from reports.figures import build_report
from reports.selectors import Filters
from tests import factories as f
from tests.reports.conftest import CHANCE, MANDATORY, days, table

SMALL, HIDDEN = "<5", "—"
CHANCE_NAME = "Chance crisis centre, mandatory, men (2 + 2, then 18 months' monitoring)"


def report_for(user, **filters):
    return build_report(Scope.for_user(user), Filters(**filters))


@pytest.fixture
def funnel(build):
    """Men: 5 declined, 5 accepted and waiting, 6 enrolled (police).
    Women: 5 declined, 5 enrolled (women's resource centre)."""
    build.declined(5)
    build.accepted(5)
    build.cohort(6)
    build.declined(5, sex="female", source="womens_centre")
    build.cohort(5, sex="female", source="womens_centre")


def test_referrals_acceptance_and_enrolment_of_men_and_women(users, funnel):
    figures = table(report_for(users["monitoring"]), "referrals_by_sex")
    assert figures["Men"] == {
        "referrals": "16",
        "screening": SMALL,  # none: a zero is shown as "<5" too
        "decided": "16",
        "declined": "5",
        "accepted": "11",
        "acceptance_rate": "68.8%",  # 11 / 16
        "waiting": "5",
        "enrolled": "6",
        "enrolment_rate": "54.5%",  # 6 / 11
    }
    assert figures["Women"] == {
        "referrals": "10",
        "screening": SMALL,
        "decided": "10",
        "declined": "5",
        "accepted": "5",
        "acceptance_rate": "50.0%",
        "waiting": SMALL,
        "enrolled": "5",
        "enrolment_rate": "100.0%",
    }
    assert figures["All"] == {
        "referrals": "26",
        "screening": SMALL,
        "decided": "26",
        "declined": "10",
        "accepted": "16",
        "acceptance_rate": "61.5%",  # 16 / 26
        "waiting": "5",
        "enrolled": "11",
        "enrolment_rate": "68.8%",  # 11 / 16
    }


def test_referrals_by_source(users, funnel):
    figures = table(report_for(users["monitoring"]), "referrals_by_source")
    assert figures["Police"] == {"count": "16", "share": "61.5%"}
    assert figures["Women's resource centre"] == {"count": "10", "share": "38.5%"}
    assert figures["Court"] == {"count": SMALL, "share": SMALL}
    assert figures["All"] == {"count": "26", "share": "100.0%"}


def test_the_key_figures(users, funnel):
    report = report_for(users["monitoring"])
    assert [(k.label, k.cell.display) for k in report.key_figures] == [
        ("Referrals received", "26"),
        ("Acceptance rate", "61.5%"),
        ("Enrolment rate", "68.8%"),
        ("Completion rate", SMALL),
        ("Dropout rate", SMALL),
        ("In a programme that meets the standard", SMALL),  # all 11 starters in the short course
    ]


def test_by_provider_and_region_for_one_provider_repeat_the_total(users, funnel):
    report = report_for(users["monitoring"])
    assert (
        table(report, "referrals_by_provider")["Bishkek Consultation Room"] == table(report, "referrals_by_sex")["All"]
    )
    assert table(report, "referrals_by_region")["Chuy"] == table(report, "referrals_by_sex")["All"]


def test_a_provider_is_named_in_the_readers_language(users, orgs, funnel):
    provider = orgs["provider"]
    provider.name_translations = {"ky": "Бишкек шаарынын консультациялык кабинети"}
    provider.save(update_fields=["name_translations"])
    with translation.override("ky"):
        by_provider = table(report_for(users["monitoring"]), "referrals_by_provider")
    with translation.override("en"):
        english = table(report_for(users["monitoring"]), "referrals_by_provider")
    assert by_provider["Бишкек шаарынын консультациялык кабинети"] == english["Bishkek Consultation Room"]
    assert "Bishkek Consultation Room" not in by_provider


def test_a_few_referrals_not_yet_decided_hide_what_would_give_them_away(users, build):
    """Men: 3 not yet decided, 5 declined, 2 accepted and waiting, 6 enrolled;
    women: 5 declined. "Not yet decided" (3) = referrals (16) − decided, so
    decided goes; then decided = declined + accepted, so declined goes;
    "waiting" (2) = accepted − enrolled, so enrolled goes. The women's
    declined would be the total's minus the men's, so it goes too."""
    build.received(3)
    build.declined(5)
    build.accepted(2)
    build.cohort(6)
    build.declined(5, sex="female")
    figures = table(report_for(users["monitoring"]), "referrals_by_sex")
    assert figures["Men"] == {
        "referrals": "16",
        "screening": SMALL,
        "decided": HIDDEN,
        "declined": HIDDEN,
        "accepted": "8",
        "acceptance_rate": HIDDEN,
        "waiting": SMALL,
        "enrolled": HIDDEN,
        "enrolment_rate": HIDDEN,
    }
    assert figures["Women"] == {
        "referrals": "5",
        "screening": SMALL,
        "decided": "5",
        "declined": HIDDEN,
        "accepted": SMALL,
        "acceptance_rate": SMALL,
        "waiting": SMALL,
        "enrolled": SMALL,
        "enrolment_rate": SMALL,
    }
    assert figures["All"] == {
        "referrals": "21",
        "screening": SMALL,
        "decided": HIDDEN,
        "declined": "10",
        "accepted": HIDDEN,
        "acceptance_rate": HIDDEN,
        "waiting": SMALL,
        "enrolled": "6",
        "enrolment_rate": HIDDEN,
    }


def test_a_small_provider_is_hidden_and_so_is_one_more(users, orgs, build):
    """Bishkek 8, Tokmok 3, Osh 9 referrals (all declined). Tokmok is
    under 5; it would be the country's 20 minus the others, so the next
    smallest (Bishkek) is hidden too. The regions stay: Chuy 11 is Bishkek
    and Tokmok together, Osh 9."""
    tokmok = f.make_org(Organisation.Kind.PROGRAMME_PROVIDER, name="Tokmok Consultation Room", region="Chuy")
    osh = f.make_org(Organisation.Kind.PROGRAMME_PROVIDER, name="Osh Consultation Room", region="Osh")
    build.declined(8)
    build.declined(3, provider=tokmok)
    build.declined(9, provider=osh)
    report = report_for(users["monitoring"])
    providers = table(report, "referrals_by_provider")
    assert [label for label in providers] == [
        "Bishkek Consultation Room",
        "Osh Consultation Room",
        "Tokmok Consultation Room",
        "All",
    ]
    assert [providers[p]["referrals"] for p in providers] == [HIDDEN, "9", SMALL, "20"]
    assert [providers[p]["declined"] for p in providers] == [HIDDEN, "9", SMALL, "20"]
    regions = table(report, "referrals_by_region")
    assert {r: regions[r]["referrals"] for r in regions} == {"Chuy": "11", "Osh": "9", "All": "20"}


def _endings_cohort(build):
    """12 men who started 20 days ago: 6 attended all four sessions and
    completed; 3 attended the two individual sessions only and dropped out;
    3 attended the first session only (2 expelled, 1 still enrolled)."""
    group, people = build.cohort(12)
    marks = {e: ["present", "late", "present", "present"] for e in people[:6]}
    marks.update({e: ["present", "present", "unexcused", "unexcused"] for e in people[6:9]})
    marks.update({e: ["present", "unexcused", "unexcused", "excused"] for e in people[9:]})
    build.attend(group, marks)
    for e in people[:6]:
        build.end(e, "completed")
    for e in people[6:9]:
        build.end(e, "dropped_out")
    for e in people[9:11]:
        build.end(e, "expelled")
    return people


def test_completion_and_dropout_among_ended_enrolments(users, build):
    _endings_cohort(build)
    report = report_for(users["monitoring"])
    expected = {
        "ended": "11",  # the one still enrolled is not counted
        "completed": "6",
        "completion_rate": "54.5%",  # 6 / 11
        "dropped_out": SMALL,
        "dropout_rate": SMALL,
        "expelled": SMALL,
        "deselected": SMALL,
    }
    assert table(report, "endings_by_sex")["Men"] == expected
    assert table(report, "endings_by_sex")["All"] == expected
    assert table(report, "endings_by_template") == {
        "Kyrgyzstan Decree 390 Annex 3, mandatory (2 + 2 in 4 weeks)": expected,
        "All": expected,
    }
    assert table(report, "endings_by_provider")["Bishkek Consultation Room"] == expected


def test_a_transfer_is_not_an_ending(users, orgs, build):
    from programmes.services import enrolment_transfer

    _group, people = build.cohort(6)
    for e in people[:5]:
        build.end(e, "dropped_out")
    other = f.make_org(Organisation.Kind.PROGRAMME_PROVIDER, name="Osh Consultation Room", region="Osh")
    enrolment_transfer(enrolment=people[5], provider=other, by=users["manager"], reason="Moved to Osh")
    figures = table(report_for(users["monitoring"]), "endings_by_sex")["All"]
    assert figures["ended"] == "5"
    assert figures["dropped_out"] == "5"
    assert figures["dropout_rate"] == "100.0%"


def test_still_attending_by_session_number(users, build):
    """Of 12 who started: 12 came to their first session, 9 were still
    coming at their second (hidden: it would show that 3 stopped after
    the first), 6 at their third and fourth."""
    _endings_cohort(build)
    figures = table(report_for(users["monitoring"]), "still_attending")
    assert figures == {
        "Session 1": {"count": "12", "share": "100.0%"},
        "Session 2": {"count": HIDDEN, "share": HIDDEN},
        "Session 3": {"count": "6", "share": "50.0%"},
        "Session 4": {"count": "6", "share": "50.0%"},
        "Started": {"count": "12", "share": "100.0%"},
    }


def test_a_missed_session_before_a_later_attended_one_still_counts_as_attending(users, build):
    """Absent at session 2 but present at 3: still attending at session 2."""
    group, people = build.cohort(6)
    build.attend(group, {e: ["present", "unexcused", "present", "unexcused"] for e in people})
    figures = table(report_for(users["monitoring"]), "still_attending")
    assert figures["Session 2"] == {"count": "6", "share": "100.0%"}
    assert figures["Session 3"] == {"count": "6", "share": "100.0%"}
    # Nobody attended a fourth session: "<5", and the table goes no further.
    assert figures["Session 4"] == {"count": SMALL, "share": SMALL}
    assert list(figures) == ["Session 1", "Session 2", "Session 3", "Session 4", "Started"]


def test_fewer_than_five_starters_show_no_curve(users, build):
    group, people = build.cohort(4)
    build.attend(group, {e: ["present"] * 4 for e in people})
    figures = table(report_for(users["monitoring"]), "still_attending")
    assert figures == {"Session 1": {"count": SMALL, "share": SMALL}, "Started": {"count": SMALL, "share": SMALL}}


def test_the_period_counts_referrals_by_date_received_and_endings_by_date_ended(users, build):
    build.declined(7)
    old = Referral.objects.order_by("pk")[:2]
    Referral.objects.filter(pk__in=[r.pk for r in old]).update(created_at=timezone.now() - dt.timedelta(days=40))
    _group, people = build.cohort(10)
    for e in people[:5]:
        build.end(e, "dropped_out", on=days(-10))
    for e in people[5:]:
        build.end(e, "dropped_out", on=days(-1))
    monitoring = users["monitoring"]

    last_week = report_for(monitoring, date_from=days(-7), date_to=days(0))
    assert table(last_week, "referrals_by_sex")["All"]["referrals"] == "15"  # 5 declined + 10 enrolled
    assert table(last_week, "endings_by_sex")["All"]["ended"] == "5"
    # Started 20 days ago: nobody started last week.
    assert table(last_week, "still_attending") == {"Started": {"count": SMALL, "share": SMALL}}

    earlier = report_for(monitoring, date_to=days(-30))
    assert table(earlier, "referrals_by_sex")["All"]["referrals"] == SMALL  # the 2 old ones
    assert table(earlier, "endings_by_sex")["All"]["ended"] == SMALL

    everything = report_for(monitoring, date_from=days(-60), date_to=days(0))
    assert table(everything, "referrals_by_sex")["All"]["referrals"] == "17"
    assert table(everything, "endings_by_sex")["All"]["ended"] == "10"
    assert table(everything, "still_attending")["Started"]["count"] == "10"


def test_the_programme_filter_applies_to_enrolments_only(users, build):
    _g, mandatory = build.cohort(6)
    _g, chance = build.cohort(5, template=CHANCE)
    for e in mandatory + chance:
        build.end(e, "dropped_out")
    report = report_for(users["monitoring"])
    by_template = table(report, "endings_by_template")
    assert {label: row["ended"] for label, row in by_template.items()} == {
        CHANCE_NAME: "5",
        "Kyrgyzstan Decree 390 Annex 3, mandatory (2 + 2 in 4 weeks)": "6",
        "All": "11",
    }
    only_chance = report_for(users["monitoring"], template=CHANCE)
    assert table(only_chance, "endings_by_sex")["All"]["ended"] == "5"
    assert table(only_chance, "still_attending")["Started"]["count"] == "5"
    assert table(only_chance, "referrals_by_sex")["All"]["referrals"] == "11"  # not restricted
    assert only_chance.template_label == CHANCE_NAME
    only_mandatory = report_for(users["monitoring"], template=MANDATORY)
    assert table(only_mandatory, "endings_by_sex")["All"]["ended"] == "6"


def test_the_provider_and_region_filters(users, orgs, build):
    osh = f.make_org(Organisation.Kind.PROGRAMME_PROVIDER, name="Osh Consultation Room", region="Osh")
    build.declined(6)
    build.declined(7, provider=osh)
    monitoring = users["monitoring"]
    assert table(report_for(monitoring), "referrals_by_sex")["All"]["referrals"] == "13"
    assert table(report_for(monitoring, provider=osh), "referrals_by_sex")["All"]["referrals"] == "7"
    assert table(report_for(monitoring, region="Chuy"), "referrals_by_sex")["All"]["referrals"] == "6"
    assert table(report_for(monitoring, region="Osh"), "referrals_by_provider") == {
        "Osh Consultation Room": table(report_for(monitoring, provider=osh), "referrals_by_sex")["All"],
        "All": table(report_for(monitoring, provider=osh), "referrals_by_sex")["All"],
    }


def test_the_number_of_queries_does_not_depend_on_the_data(users, build, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    scope = Scope.for_user(users["monitoring"])
    group, people = build.cohort(5)
    build.attend(group, {e: ["present"] * 4 for e in people})
    with CaptureQueriesContext(connection) as few:
        build_report(scope, Filters())
    _endings_cohort(build)
    build.declined(5, sex="female")
    with django_assert_max_num_queries(len(few)):
        build_report(scope, Filters())


def test_the_men_and_women_filter_applies_to_every_figure(users, build):
    """The survival curve and the outcomes have no breakdown of their own by
    sex: the filter gives them for men or for women."""
    _g, men = build.cohort(6)
    _g, women = build.cohort(5, sex="female")
    for e in men + women:
        build.end(e, "dropped_out")
    build.declined(2, sex="female")
    monitoring = users["monitoring"]
    everyone = report_for(monitoring)
    assert table(everyone, "still_attending")["Started"]["count"] == "11"
    only_women = report_for(monitoring, sex="female")
    assert only_women.sex_label == "Women"
    assert table(only_women, "still_attending")["Started"]["count"] == "5"
    assert table(only_women, "endings_by_sex") == {
        "Men": table(only_women, "endings_by_sex")["Men"],
        "Women": table(only_women, "endings_by_sex")["All"],
        "All": table(only_women, "endings_by_sex")["All"],
    }
    assert table(only_women, "endings_by_sex")["All"]["ended"] == "5"
    assert table(only_women, "referrals_by_sex")["All"]["referrals"] == "7"
    only_men = report_for(monitoring, sex="male")
    assert table(only_men, "still_attending")["Started"]["count"] == "6"
    assert table(only_men, "referrals_by_sex")["All"]["referrals"] == "6"
