"""programmes:session_log — one roster screen for a whole session, saved in
one POST through attendance_log."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.models import SensitiveRead, TimelineEntry
from programmes import timeline as programmes_timeline
from programmes.models import Attendance, Session
from tests import factories as f
from tests.programmes.views_sessions_support import log_all, men_group_today
from tests.query_counts import statements


def url(session) -> str:
    return reverse("programmes:session_log", args=[session.pk])


def roster_post(people, marks: list[str], topic: str = "", topic_other: str = "", notes: str = "") -> dict:
    data = {f"mark-{p.pk}": m for p, m in zip(people, marks, strict=True) if m}
    data.update(topic=topic, topic_other=topic_other, notes=notes)
    return data


def post_confirmed(client, session, data: dict):
    """Post the roster; where the page asks to confirm the safety notices
    the save sets off, confirm. Returns (first response, final response)."""
    first = client.post(url(session), data)
    if first.status_code == 200 and first.context and first.context.get("consequences"):
        return first, client.post(url(session), {**data, "expect": first.context["form"]["expect"].value()})
    return first, first


@pytest.fixture
def three(users, orgs):
    return men_group_today(users, orgs, size=3)


def test_it_shows_every_expected_person_with_four_radio_buttons(client, login, users, three):
    group, people, session = three
    login(users["psychologist"])
    response = client.get(url(session))
    assert response.status_code == 200
    html = response.content.decode()
    for person in people:
        name = person.case.referral.person.full_name
        assert name in html
        for mark in ("present", "late", "excused", "unexcused"):
            assert f'name="mark-{person.pk}" value="{mark}"' in html
    assert html.count('class="btn-check"') == 12
    # The planned topic is chosen already.
    assert f'<option value="{session.planned_topic}" selected>' in html
    # Never the survivor's phone or address on a psychologist's page.
    assert "+996700987654" not in html
    assert "Тайный" not in html


def test_it_saves_the_whole_roster_in_one_post(client, login, users, three):
    group, people, session = three
    login(users["psychologist"])
    data = roster_post(people, ["present", "late", "unexcused"], topic=session.planned_topic, notes="Calm group.")
    first, response = post_confirmed(client, session, data)
    # The third man's referral obliges him to attend: the page asked first.
    assert "reported to Bishkek City Police, Pervomaisky district as non-compliance" in first.content.decode()
    assert response.status_code == 302
    assert response["Location"] == url(session)
    session.refresh_from_db()
    assert (session.status, session.topic_covered, session.notes, session.logged_by) == (
        "held",
        session.planned_topic,
        "Calm group.",
        users["psychologist"],
    )
    assert dict(Attendance.objects.filter(session=session).values_list("enrolment_id", "mark")) == {
        people[0].pk: "present",
        people[1].pk: "late",
        people[2].pk: "unexcused",
    }
    page = client.get(url(session)).content.decode()
    assert "Session saved: 3 people marked." in page
    # Opening it again shows the saved marks, topic and notes.
    assert f'name="mark-{people[1].pk}" value="late" class="btn-check" autocomplete="off" id' in page
    assert page.count("checked") == 3
    assert "Calm group." in page


def test_a_save_sent_by_htmx_gets_the_roster_as_saved_not_a_redirect(client, login, users, three):
    """GIVEN the roster form posted by htmx (a phone with a network)
    WHEN it saves
    THEN the answer is the page's content only, with the saved marks and the
    message, and nothing is left over for the next page."""
    group, people, session = three
    login(users["psychologist"])
    data = roster_post(people, ["present", "late", "excused"], topic=session.planned_topic, notes="Calm group.")
    response = client.post(url(session), data, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="session-log">')
    assert "<html" not in html and "<nav class" not in html
    assert '<div class="alert alert-success" role="alert">Session saved: 3 people marked.</div>' in html
    assert f'name="mark-{people[1].pk}" value="late" class="btn-check" autocomplete="off" id' in html
    assert html.count("checked") == 3
    assert "Save changes" in html and "Calm group." in html
    assert dict(Attendance.objects.filter(session=session).values_list("enrolment_id", "mark")) == {
        people[0].pk: "present",
        people[1].pk: "late",
        people[2].pk: "excused",
    }
    assert "Session saved" not in client.get(url(session)).content.decode()


def test_a_refused_save_sent_by_htmx_keeps_what_was_typed(client, login, users, three):
    group, people, session = three
    login(users["psychologist"])
    data = roster_post(people, ["present", "", "late"], topic=session.planned_topic, notes="Draft note.")
    response = client.post(url(session), data, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert "Nothing was saved yet." in html and "Mark every participant." in html and "Draft note." in html
    assert not Attendance.objects.filter(session=session).exists()


def test_resubmitting_the_same_roster_changes_nothing(client, login, users, three):
    group, people, session = three
    login(users["psychologist"])
    data = roster_post(people, ["present", "excused", "present"], topic=session.planned_topic)
    client.post(url(session), data)
    before = list(Attendance.objects.filter(session=session).order_by("pk").values_list("pk", "enrolment_id", "mark"))
    entries = TimelineEntry.objects.filter(kind=programmes_timeline.ATTENDANCE_RECORDED).count()
    assert client.post(url(session), data).status_code == 302
    after = list(Attendance.objects.filter(session=session).order_by("pk").values_list("pk", "enrolment_id", "mark"))
    assert after == before
    assert TimelineEntry.objects.filter(kind=programmes_timeline.ATTENDANCE_RECORDED).count() == entries == 3


def test_an_unmarked_person_gets_a_field_error_and_nothing_is_lost(client, login, users, three):
    group, people, session = three
    login(users["psychologist"])
    data = roster_post(people, ["present", "", "late"], topic="__other__", topic_other="Jealousy", notes="Draft note.")
    response = client.post(url(session), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {f"mark-{people[1].pk}": ["Mark every participant."]}
    html = response.content.decode()
    assert "Mark every participant." in html
    assert "Nothing was saved yet." in html
    # What was typed and tapped is still there.
    assert "Jealousy" in html and "Draft note." in html
    assert html.count("checked") == 2
    assert not Attendance.objects.filter(session=session).exists()
    session.refresh_from_db()
    assert session.status == "planned"


def test_a_free_text_topic_is_saved(client, login, users, three):
    group, people, session = three
    login(users["social_worker"])
    data = roster_post(people, ["present"] * 3, topic="__other__", topic_other="Jealousy and control")
    assert client.post(url(session), data).status_code == 302
    session.refresh_from_db()
    assert (session.topic_covered, session.logged_by) == ("Jealousy and control", users["social_worker"])
    page = client.get(url(session)).content.decode()
    assert 'value="Jealousy and control"' in page


def test_other_topic_without_text_is_refused(client, login, users, three):
    group, people, session = three
    login(users["psychologist"])
    response = client.post(url(session), roster_post(people, ["present"] * 3, topic="__other__"))
    assert response.context["form"].errors == {"topic_other": ["Type the topic, or choose one from the list."]}
    assert not Attendance.objects.exists()


def test_the_services_refusal_lands_on_the_topic_field(client, login, users, three):
    group, people, session = three
    login(users["psychologist"])
    response = client.post(url(session), roster_post(people, ["present", "absent", "late"], topic=""))
    assert response.status_code == 200
    assert response.context["form"].errors == {f"mark-{people[1].pk}": ["Choose present, late, excused or unexcused."]}
    response = client.post(url(session), roster_post(people, ["present", "late", "late"], topic=""))
    assert response.context["form"].errors == {"topic": ["Enter the topic covered."]}
    assert not Attendance.objects.exists()


def test_everyone_absent_needs_no_topic(client, login, users, three):
    group, people, session = three
    login(users["psychologist"])
    _first, response = post_confirmed(client, session, roster_post(people, ["excused", "unexcused", "unexcused"]))
    assert response.status_code == 302
    assert Attendance.objects.filter(session=session, mark="unexcused").count() == 2
    session.refresh_from_db()
    assert (session.status, session.topic_covered) == ("not_held", "")
    page = client.get(url(session)).content.decode()
    assert "Nobody came: the session is recorded as not held, with no topic covered." in page


def test_an_individual_session_uses_the_same_page(client, login, users, three):
    group, people, session = three
    individual = people[0].individual_sessions.get(number=1)
    login(users["psychologist"])
    page = client.get(url(individual)).content.decode()
    assert page.count('class="btn-check"') == 4
    assert f"Individual session 1 — case {people[0].case.number}" in page
    response = client.post(url(individual), {f"mark-{people[0].pk}": "present", "topic": individual.planned_topic})
    assert response.status_code == 302
    assert Attendance.objects.get(session=individual).mark == "present"


def test_saved_notes_are_a_recorded_read(client, login, users, three):
    group, people, session = three
    log_all(session, users["psychologist"], people)
    Session.objects.filter(pk=session.pk).update(notes="")  # no notes: no read to record
    login(users["psychologist"])
    client.get(url(session))
    assert not SensitiveRead.objects.filter(record_id=session.pk).exists()
    session.refresh_from_db()
    session.notes = "He spoke about his father."
    session.save()
    client.get(url(session))
    read = SensitiveRead.objects.get(record_id=session.pk)
    assert (read.user, read.record_type, read.view) == (
        users["psychologist"],
        "therapy_notes",
        "programmes:session_log",
    )


def test_a_manager_sees_the_marks_but_neither_the_form_nor_the_notes(client, login, users, three):
    group, people, session = three
    services_session = log_all(session, users["psychologist"], people, mark="late")
    services_session.notes = "Confidential remark."
    services_session.save()
    login(users["manager"])
    response = client.get(url(session))
    html = response.content.decode()
    assert response.status_code == 200
    assert "btn-check" not in html
    assert "Confidential remark." not in html
    assert html.count(">Late</span>") == 3
    assert (
        client.post(url(session), roster_post(people, ["present"] * 3, topic="__other__", topic_other="x")).status_code
        == 403
    )
    assert Attendance.objects.filter(mark="late").count() == 3


@pytest.mark.parametrize("who", ["police", "survivor_worker", "monitoring", "provider_admin"])
def test_other_roles_get_403(client, login, users, three, who):
    group, people, session = three
    login(users[who])
    assert client.get(url(session)).status_code == 403
    assert (
        client.post(url(session), roster_post(people, ["present"] * 3, topic="__other__", topic_other="x")).status_code
        == 403
    )
    assert not Attendance.objects.exists()


def test_another_providers_psychologist_gets_404(client, login, users, three):
    group, people, session = three
    login(users["other_psychologist"])
    assert client.get(url(session)).status_code == 404
    assert (
        client.post(url(session), roster_post(people, ["present"] * 3, topic="__other__", topic_other="x")).status_code
        == 404
    )
    assert not Attendance.objects.exists()


def test_a_cancelled_session_has_no_form(client, login, users, three):
    group, people, session = three
    session.status = "cancelled"
    session.cancel_reason = "Holiday"
    session.save()
    login(users["psychologist"])
    html = client.get(url(session)).content.decode()
    assert "This session was cancelled: Holiday" in html
    assert "btn-check" not in html
    response = client.post(url(session), roster_post(people, ["present"] * 3, topic="__other__", topic_other="x"))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["A cancelled session cannot be logged."]
    assert not Attendance.objects.exists()


def test_a_session_later_than_an_hour_from_now_cannot_be_logged_yet(client, login, users, three):
    group, people, session = three
    future = group.sessions.get(number=2)
    login(users["psychologist"])
    html = client.get(url(future)).content.decode()
    assert "This session has not taken place yet." in html
    assert "btn-check" not in html
    response = client.post(url(future), roster_post(people, ["present"] * 3, topic="__other__", topic_other="x"))
    assert response.context["form"].non_field_errors() == ["This session has not taken place yet."]


def _queries(client, session, method: str, data=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(url(session), data) if data else getattr(client, method)(url(session))
    assert response.status_code in (200, 302)
    return statements(ctx.captured_queries)


def test_the_query_count_does_not_grow_with_the_group(client, login, users, orgs):
    _g3, three_people, small = men_group_today(users, orgs, size=3, name="Small")
    _g12, twelve_people, big = men_group_today(users, orgs, size=12, name="Big")
    login(users["psychologist"])
    _queries(client, small, "get")  # warm the session and caches
    assert _queries(client, small, "get") == _queries(client, big, "get")
    marks3 = roster_post(three_people, ["present"] * 3, topic=small.planned_topic, notes="n")
    marks12 = roster_post(twelve_people, ["present"] * 6 + ["late"] * 6, topic=big.planned_topic, notes="n")
    # Eleven: the request's own four (session, user, device, membership),
    # the session locked and its roster read once (three: the page checks the
    # form against what the save then uses), the session's log, the marks,
    # the monitoring figure kept current by the log
    # (reports.EnrolmentAttendance) and the timeline's entries of the marks.
    assert _queries(client, small, "post", marks3) == _queries(client, big, "post", marks12) <= 11
    assert Attendance.objects.filter(session=big).count() == 12
    # Saved again: the marks are written once, not previewed and then
    # written again; the read log of the notes shown (one INSERT) takes the
    # place of the timeline's, which has no changed marks to tell.
    assert _queries(client, small, "post", marks3) == _queries(client, big, "post", marks12) <= 11
    # Opening a logged session (marks and notes shown) is also flat.
    assert _queries(client, small, "get") == _queries(client, big, "get") <= 12


def test_a_mobile_session_shows_the_mobile_badge(client, login, users, orgs):
    _group, _people, session = men_group_today(
        users, orgs, size=1, location_kind="mobile", location="Village club, Alamedin district"
    )
    login(users["psychologist"])
    html = client.get(url(session)).content.decode()
    assert "Village club, Alamedin district" in html
    assert '<span class="badge text-bg-info">mobile</span>' in html


def test_someone_who_joined_later_is_not_on_an_earlier_roster(client, login, users, orgs, three):
    group, people, session = three
    newcomer = f.enrol_case(
        f.make_open_case(police=users["police"], provider=orgs["provider"], by=users["psychologist"]),
        by=users["psychologist"],
        template=group.template,
        group=group,
        starts_on=timezone.localdate(),
    )
    assert newcomer.group_from == timezone.localdate() + dt.timedelta(days=14)
    login(users["psychologist"])
    html = client.get(url(session)).content.decode()
    assert f"mark-{newcomer.pk}" not in html
    assert html.count('class="btn-check"') == 12
