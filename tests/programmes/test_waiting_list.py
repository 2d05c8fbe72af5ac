"""The provider's waiting list: accepted referrals not yet enrolled, with
their wait, order window, risk level and the warning where the wait will
outrun the obligation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accounts.scope import Scope
from programmes import views_waiting
from programmes.selectors import OUTRUNS_WINDOW, WINDOW_ENDED, WINDOW_TOO_SHORT, waiting_referrals, waiting_rows
from referrals.models import Referral
from referrals.services import referral_extend_order
from tests import factories as f
from tests.programmes.conftest import days

URL = reverse("programmes:waiting_list")


@pytest.fixture
def accepted(users, orgs):
    """accepted(waited=3, **order) → a referral of the standing provider,
    accepted ``waited`` days ago, with the order given (default: expires
    in 28 days, obliges a programme)."""

    def _accepted(*, waited: int = 0, case: bool = False, **order):
        referral = f.make_referral(police=users["police"], provider=orgs["provider"], order=f.order_data(**order))
        if case:
            f.open_case(referral, users["psychologist"])
        else:
            f.accept(referral, users["psychologist"])
        Referral.objects.filter(pk=referral.pk).update(status_changed_at=timezone.now() - dt.timedelta(days=waited))
        return referral

    return _accepted


def rows_for(user, **kw):
    scope = Scope.for_user(user)
    return waiting_rows(scope, list(waiting_referrals(scope, **kw)))


def row_of(user, referral):
    return next(r for r in rows_for(user) if r.referral.pk == referral.pk)


# --- Values ------------------------------------------------------------------


def test_a_row_shows_the_wait_the_window_and_the_risk(users, accepted):
    referral = accepted(waited=12, case=True, order_expires_on=days(40))
    row = row_of(users["psychologist"], referral)
    assert row.waited_days == 12
    assert row.accepted_on == timezone.localdate() - dt.timedelta(days=12)
    assert row.window_end == days(40)
    assert row.window_days_left == 40
    assert row.obliges is True
    assert row.risk_level == referral.case.current_risk_level != ""
    assert row.referral.case_pk == referral.case.pk


def test_before_intake_the_risk_is_not_assessed(users, accepted):
    row = row_of(users["psychologist"], accepted())
    assert row.risk_level == ""
    assert row.risk_label == ""
    assert row.referral.case_pk is None


def test_the_window_counts_the_latest_extension(users, accepted):
    referral = accepted(order_expires_on=days(10))
    referral_extend_order(
        referral=referral,
        by=users["police"],
        extended_on=timezone.localdate(),
        new_expiry=days(60),
        obliges_programme=True,
    )
    assert row_of(users["psychologist"], referral).window_end == days(60)


def test_a_referral_without_an_order_has_no_window_and_no_warning(users, orgs):
    referral = f.make_referral(police=users["police"], provider=orgs["provider"], order={})
    f.accept(referral, users["psychologist"])
    row = row_of(users["psychologist"], referral)
    assert (row.window_end, row.window_days_left, row.obliges, row.warning) == (None, None, False, "")


def test_only_accepted_referrals_of_the_own_provider_wait(users, orgs, accepted, group_of, any_sex):
    waiting = accepted()
    enrolled_case = accepted(case=True).case
    f.enrol_case(enrolled_case, by=users["psychologist"], template=any_sex, group=group_of(any_sex))
    undecided = f.make_referral(police=users["police"], provider=orgs["provider"])
    other = f.make_referral(police=users["other_police"], provider=orgs["other_provider"])
    f.accept(other, users["other_psychologist"])
    assert [r.referral.pk for r in rows_for(users["psychologist"])] == [waiting.pk]
    assert [r.referral.pk for r in rows_for(users["other_psychologist"])] == [other.pk]
    assert undecided.pk not in [r.referral.pk for r in rows_for(users["manager"])]
    for role in ("police", "survivor_worker", "monitoring", "provider_admin"):
        assert rows_for(users[role]) == []


# --- The warning ---------------------------------------------------------------


def test_no_group_warns_when_the_window_left_is_shorter_than_the_programme(users, accepted):
    # The shortest mandatory programme of Kyrgyzstan lasts 4 weeks (28 days).
    short = accepted(order_expires_on=days(27))
    enough = accepted(order_expires_on=days(28))
    assert row_of(users["psychologist"], short).warning == WINDOW_TOO_SHORT
    assert row_of(users["psychologist"], short).option.starts_on is None
    assert row_of(users["psychologist"], short).option.template.span_days == 28
    assert row_of(users["psychologist"], enough).warning == ""


def test_a_voluntary_referral_is_measured_against_a_voluntary_programme(users, accepted):
    row = row_of(users["psychologist"], accepted(order_expires_on=days(60), order_obliges_programme=False))
    assert row.option.template.mandatory is False
    assert row.warning == WINDOW_TOO_SHORT


def test_the_next_group_start_plus_the_programme_is_set_against_the_window(users, accepted, group_of, any_sex):
    offset = any_sex.first_group_offset() or 0
    group = group_of(any_sex, intake="closed", starts_on=days(20 + offset))
    late = accepted(order_expires_on=days(47))
    in_time = accepted(order_expires_on=days(48))
    row = row_of(users["psychologist"], late)
    assert (row.option.group, row.option.starts_on, row.programme_ends_on) == (group, days(20), days(48))
    assert row.warning == OUTRUNS_WINDOW
    assert row_of(users["psychologist"], in_time).warning == ""


def test_a_rolling_group_takes_people_at_its_next_session(users, accepted, group_of, any_sex):
    offset = any_sex.first_group_offset() or 0
    group = group_of(any_sex, intake="rolling", starts_on=days(offset))
    row = row_of(users["psychologist"], accepted(order_expires_on=days(10)))
    assert row.option.group == group
    assert row.option.starts_on == timezone.localdate()
    assert row.warning == OUTRUNS_WINDOW


def test_a_group_for_the_other_sex_does_not_count(users, accepted, group_of, any_sex):
    group_of(any_sex, sex="female", starts_on=days(3))
    row = row_of(users["psychologist"], accepted(order_expires_on=days(40)))
    assert row.option.starts_on is None and row.warning == ""


def test_an_ended_window_is_flagged(users, accepted):
    referral = accepted(order_issued_on=days(-30), order_expires_on=days(-1))
    row = row_of(users["psychologist"], referral)
    assert (row.window_days_left, row.warning) == (0, WINDOW_ENDED)


# --- The page --------------------------------------------------------------------


def test_the_page_lists_the_waiting_with_their_warning(client, login, users, accepted):
    referral = accepted(waited=5, case=True, order_expires_on=days(27))
    login(users["psychologist"])
    response = client.get(URL)
    page = response.content.decode()
    assert response.status_code == 200
    assert referral.reference in page
    assert "Waiting 5 days" in page
    assert "of the order window are left, less than the programme lasts" in page
    assert reverse("programmes:enrol", args=[referral.case.pk]) in page
    assert reverse("programmes:waiting_list") in page  # the nav link


def test_a_manager_sees_the_list_without_the_enrol_button(client, login, users, accepted):
    referral = accepted(case=True)
    login(users["manager"])
    page = client.get(URL).content.decode()
    assert referral.reference in page
    assert reverse("programmes:enrol", args=[referral.case.pk]) not in page


def test_the_page_shows_nothing_of_another_provider(client, login, users, accepted):
    referral = accepted()
    login(users["other_psychologist"])
    page = client.get(URL).content.decode()
    assert referral.reference not in page
    assert "Nobody is waiting" in page


def test_it_sorts_by_wait_or_by_window(client, login, users, accepted):
    a = accepted(waited=2, order_expires_on=days(10))
    b = accepted(waited=9, order_expires_on=days(50))
    c = accepted(waited=5, order_expires_on=days(30))
    login(users["psychologist"])
    by_wait = client.get(URL).context["page"].object_list
    by_window = client.get(URL, {"sort": "window"}).context["page"].object_list
    assert [r.referral.pk for r in by_wait] == [b.pk, c.pk, a.pk]
    assert [r.referral.pk for r in by_window] == [a.pk, c.pk, b.pk]
    assert client.get(URL, {"sort": "nonsense"}).context["sort"] == "wait"


def test_it_searches_by_referral_number_without_putting_it_in_the_url(client, login, users, accepted):
    wanted, _other = accepted(), accepted()
    login(users["psychologist"])
    response = client.post(URL, {"q": wanted.reference})
    assert response.status_code == 302 and response["Location"] == URL
    rows = client.get(URL).context["page"].object_list
    assert [r.referral.pk for r in rows] == [wanted.pk]
    client.post(URL, {"q": "R-99999"})
    assert "No waiting referral matches this search." in client.get(URL).content.decode()


def test_it_pages(client, login, users, accepted, monkeypatch):
    monkeypatch.setattr(views_waiting, "PAGE_SIZE", 2)
    made = [accepted(waited=n) for n in (3, 2, 1)]
    login(users["psychologist"])
    second = client.get(URL, {"page": 2, "sort": "window"})
    assert [r.referral.pk for r in second.context["page"].object_list] == [made[2].pk]
    assert "sort=window&amp;page=1" in second.content.decode()


def test_its_query_count_does_not_grow_with_the_list(client, login, users, accepted, django_assert_max_num_queries):
    accepted(case=True)
    login(users["psychologist"])
    client.get(URL)
    with django_assert_max_num_queries(20) as few:
        client.get(URL)
    for _ in range(4):
        accepted(case=True)
        accepted()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(URL)
    assert len(response.context["page"].object_list) == 9


def test_the_page_speaks_russian(client, login, users, accepted, settings):
    accepted(waited=2, order_expires_on=days(27))
    login(users["psychologist"])
    # The middleware activates Russian for the rest of the thread: put the language back after.
    with translation.override(translation.get_language()):
        page = client.get(URL, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Лист ожидания" in page
    assert "Ожидает 2 дня" in page
