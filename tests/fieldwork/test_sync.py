"""The sync endpoint: entries recorded on a phone in the field, applied
through the roster's own service exactly once; conflicts answered with the
server's state and nothing applied; bad input answered field by field."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.utils import timezone

from core.models import TimelineEntry
from fieldwork.models import FieldEntry
from programmes import services
from programmes import timeline as K
from programmes.models import Attendance, Session
from tests.fieldwork.conftest import entry_for, send
from tests.notices import case_events

NOTE = "Quiet group; Man01 spoke of his father."


def _marks(people, mark="present", **others):
    marks = {p: mark for p in people}
    marks.update({people[int(i)]: m for i, m in others.items()})
    return marks


def _result(response, index=0) -> dict:
    assert response.status_code == 200, response.content
    return response.json()["results"][index]


# --- applied ------------------------------------------------------------------------


def test_it_applies_an_entry_through_the_roster_service(users, today_group, signed_in):
    _group, people, session = today_group
    recorded = timezone.now() - dt.timedelta(minutes=20)
    entry = entry_for(session, _marks(people, **{"2": "unexcused"}), recorded_at=recorded, notes=NOTE)

    result = _result(send(signed_in(users["psychologist"]), entry))

    session.refresh_from_db()
    assert (session.status, session.topic_covered, session.logged_by) == (
        "held",
        session.planned_topic,
        users["psychologist"],
    )
    assert session.logged_in_field_at == recorded
    assert session.logged_at > recorded
    assert dict(Attendance.objects.filter(session=session).values_list("enrolment_id", "mark")) == {
        people[0].pk: "present",
        people[1].pk: "present",
        people[2].pk: "unexcused",
    }
    # The note is encrypted at rest, as an online save keeps it.
    assert session.notes == NOTE
    with connection.cursor() as cursor:
        cursor.execute("SELECT notes FROM programmes_session WHERE id = %s", [session.pk])
        assert "father" not in cursor.fetchone()[0]
    # The same timeline entries as an online save (one per person).
    assert TimelineEntry.objects.filter(kind=K.ATTENDANCE_RECORDED).count() == 3
    row = FieldEntry.objects.get()
    assert (row.user, row.session, row.recorded_at, row.outcome) == (
        users["psychologist"],
        session,
        recorded,
        "applied",
    )
    assert "father" not in str(row.result) and "father" not in row.digest
    assert result == {
        "index": 0,
        "key": entry["key"],
        "outcome": "applied",
        "replayed": False,
        "differs": False,
        "recorded_at": recorded.isoformat(),
        "received_at": row.received_at.isoformat(),
        "session": {"id": session.pk, "status": "held", "logged_at": session.logged_at.isoformat()},
        "conflicts": [],
        # His absence counts while the protection order runs: the police are told now.
        "events": [
            {
                "kind": "non_compliance",
                "enrolment": people[2].pk,
                "organisations": ["Bishkek City Police, Pervomaisky district"],
            }
        ],
    }
    event = case_events().get(kind="non_compliance")
    assert event.facts["recorded_in_field_at"] == recorded.astimezone(dt.UTC).strftime("%Y-%m-%dt%H:%Mz")


def test_nobody_present_records_the_session_as_not_held(users, today_group, signed_in):
    _group, people, session = today_group
    result = _result(send(signed_in(users["social_worker"]), entry_for(session, _marks(people, "excused"))))
    assert result["session"]["status"] == "not_held"
    session.refresh_from_db()
    assert (session.status, session.topic_covered, session.logged_by) == ("not_held", "", users["social_worker"])


def test_entries_of_one_request_are_answered_in_order_each_on_its_own(
    users, past_group, men, new_case, enrol, signed_in
):
    a = enrol(new_case(), men, past_group)
    one, two = past_group.sessions.get(number=1), past_group.sessions.get(number=2)
    bad = entry_for(two, {a: "present"}, topic="")  # present, but no topic
    response = send(signed_in(users["psychologist"]), entry_for(one, {a: "present"}), bad)
    first, second = response.json()["results"]
    assert (first["outcome"], second["outcome"]) == ("applied", "invalid")
    assert second["errors"] == {"topic_covered": ["Enter the topic covered."]}
    assert Session.objects.get(pk=one.pk).status == "held"
    assert Session.objects.get(pk=two.pk).status == "planned"


# --- exactly once --------------------------------------------------------------------


def test_the_same_key_twice_changes_nothing_and_returns_the_first_answer(users, today_group, signed_in):
    _group, people, session = today_group
    entry = entry_for(session, _marks(people), notes=NOTE)
    client = signed_in(users["psychologist"])
    first = _result(send(client, entry))
    session.refresh_from_db()
    logged_at = session.logged_at

    again = _result(send(client, entry))

    assert again == {**first, "replayed": True}
    session.refresh_from_db()
    assert session.logged_at == logged_at
    assert Attendance.objects.filter(session=session).count() == 3
    assert TimelineEntry.objects.filter(kind=K.ATTENDANCE_RECORDED).count() == 3
    assert FieldEntry.objects.count() == 1


def test_a_key_sent_again_with_other_content_changes_nothing_and_says_so(users, today_group, signed_in):
    _group, people, session = today_group
    client = signed_in(users["psychologist"])
    entry = entry_for(session, _marks(people))
    first = _result(send(client, entry))
    other = {**entry, "marks": {str(p.pk): "unexcused" for p in people}}

    again = _result(send(client, other))

    assert again == {**first, "replayed": True, "differs": True}
    assert set(Attendance.objects.filter(session=session).values_list("mark", flat=True)) == {"present"}


def test_a_key_is_the_users_own(users, today_group, signed_in, client):
    """The social worker's entry under the psychologist's key is hers: applied
    for her (the later log replaces the first, as online)."""
    _group, people, session = today_group
    entry = entry_for(session, _marks(people))
    _result(send(signed_in(users["psychologist"]), entry))
    session.refresh_from_db()
    client.logout()
    second = _result(send(signed_in(users["social_worker"]), entry_for(session, _marks(people), key=entry["key"])))
    assert (second["outcome"], second["replayed"]) == ("applied", False)
    assert FieldEntry.objects.filter(key=entry["key"]).count() == 2


def test_an_invalid_entry_stores_nothing_and_may_come_again_corrected(users, today_group, signed_in):
    _group, people, session = today_group
    client = signed_in(users["psychologist"])
    entry = entry_for(session, _marks(people), topic="")
    assert _result(send(client, entry))["errors"] == {"topic_covered": ["Enter the topic covered."]}
    assert not FieldEntry.objects.exists()
    assert _result(send(client, {**entry, "topic_covered": "Anger and its signals"}))["outcome"] == "applied"


# --- conflicts ------------------------------------------------------------------------


def test_a_session_cancelled_meanwhile_is_a_conflict(users, today_group, signed_in):
    _group, people, session = today_group
    entry = entry_for(session, _marks(people), notes=NOTE)  # prepared before the cancel
    services.session_cancel(session=session, reason="Road to Kara-Suu closed", by=users["manager"])

    response = send(signed_in(users["psychologist"]), entry)
    result = _result(response)

    assert result["outcome"] == "conflict"
    assert result["conflicts"] == [{"code": "session_cancelled", "status": "cancelled"}]
    assert response.json()["sessions"] == {
        str(session.pk): {"cancel_reason": "Road to Kara-Suu closed", "reschedule_reason": ""}
    }
    assert not Attendance.objects.filter(session=session).exists()
    assert Session.objects.get(pk=session.pk).notes == ""


def test_a_session_moved_meanwhile_is_a_conflict_until_she_takes_the_new_time(users, today_group, signed_in):
    _group, people, session = today_group
    entry = entry_for(session, _marks(people))
    earlier = session.starts_at - dt.timedelta(hours=1)
    session.starts_at = earlier  # moved by an hour (into the past: as the service would refuse, directly)
    session.location = "Kara-Suu, school"
    session.save(update_fields=["starts_at", "location"])
    client = signed_in(users["psychologist"])

    result = _result(send(client, entry))

    assert result["outcome"] == "conflict"
    assert result["conflicts"] == [
        {"code": "session_moved", "starts_at": earlier.isoformat(), "location": "Kara-Suu, school"}
    ]
    assert not Attendance.objects.filter(session=session).exists()
    # She keeps her marks on the new time and place: a new key, the server's state as the base.
    rebased = {
        **entry,
        "key": str(uuid.uuid4()),
        "base_starts_at": earlier.isoformat(),
        "base_location": "Kara-Suu, school",
    }
    assert _result(send(client, rebased))["outcome"] == "applied"


def test_a_session_logged_by_someone_else_meanwhile_is_a_conflict(users, today_group, signed_in):
    _group, people, session = today_group
    entry = entry_for(session, _marks(people, "present"))  # prepared before the colleague logged it
    services.attendance_log(
        session=session,
        by=users["social_worker"],
        marks={p.pk: "late" for p in people},
        topic_covered=session.planned_topic,
        notes="Her note.",
    )
    session.refresh_from_db()
    client = signed_in(users["psychologist"])

    response = send(client, entry)
    result = _result(response)

    assert result["outcome"] == "conflict"
    assert result["conflicts"] == [
        {
            "code": "already_logged",
            "by_you": False,
            "logged_by": users["social_worker"].pk,
            "logged_at": session.logged_at.isoformat(),
            "status": "held",
            "marks": {str(p.pk): "late" for p in sorted(people, key=lambda p: p.pk)},
            "topic_covered": session.planned_topic,
        }
    ]
    body = response.json()
    assert body["staff"] == {str(users["social_worker"].pk): users["social_worker"].get_full_name() or "social_worker"}
    assert body["people"] == {str(p.pk): p.case.referral.person.full_name for p in people}
    assert "Her note." not in response.content.decode()
    assert set(Attendance.objects.filter(session=session).values_list("mark", flat=True)) == {"late"}
    # She chooses hers: sent again on the server's log as its base, it replaces it.
    mine = {**entry, "key": str(uuid.uuid4()), "base_logged_at": session.logged_at.isoformat()}
    assert _result(send(client, mine))["outcome"] == "applied"
    assert set(Attendance.objects.filter(session=session).values_list("mark", flat=True)) == {"present"}


def test_an_enrolment_ended_meanwhile_is_a_conflict_with_the_roster_now(users, today_group, signed_in):
    _group, people, session = today_group
    entry = entry_for(session, _marks(people))
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    services.enrolment_discharge(
        enrolment=people[0], kind="deselected", on=yesterday, reason="No longer eligible", by=users["psychologist"]
    )
    client = signed_in(users["psychologist"])

    response = send(client, entry)
    result = _result(response)

    others = sorted(people[1:], key=lambda p: (p.case.referral.person.family_name, p.pk))
    assert result["outcome"] == "conflict"
    assert result["conflicts"] == [
        {
            "code": "enrolment_ended",
            "enrolment": people[0].pk,
            "status": "deselected",
            "ended_on": yesterday.isoformat(),
            "roster": [p.pk for p in others],
        }
    ]
    assert response.json()["people"][str(people[0].pk)] == people[0].case.referral.person.full_name
    assert not Attendance.objects.filter(session=session).exists()
    # She marks the roster as it is now.
    now = {**entry, "key": str(uuid.uuid4()), "marks": {str(p.pk): "present" for p in others}}
    assert _result(send(client, now))["outcome"] == "applied"


def test_a_conflict_is_kept_under_its_key(users, today_group, signed_in):
    _group, people, session = today_group
    entry = entry_for(session, _marks(people))
    services.session_cancel(session=session, reason="Snow", by=users["manager"])
    client = signed_in(users["psychologist"])
    first = _result(send(client, entry))
    assert _result(send(client, entry)) == {**first, "replayed": True}
    assert FieldEntry.objects.get().outcome == "conflict"


# --- bad input ----------------------------------------------------------------------


def test_it_answers_bad_fields_field_by_field(users, today_group, signed_in):
    _group, people, session = today_group
    entry = entry_for(session, _marks(people))
    entry.update(
        {
            "key": "not-a-key",
            "recorded_at": "2025-05-01T10:30:00",  # no time zone
            "marks": {str(people[0].pk): "asleep", str(people[1].pk): "present", "x": "present"},
        }
    )
    result = _result(send(signed_in(users["psychologist"]), entry))
    assert result["outcome"] == "invalid"
    assert result["key"] is None
    assert result["errors"] == {
        "key": ["Enter a valid UUID."],
        "recorded_at": ["Give a date and time in ISO 8601 with its time zone."],
        f"marks.{people[0].pk}": ["Choose present, late, excused or unexcused."],
        "marks": ["A participant is given by a number."],
    }
    assert not FieldEntry.objects.exists() and not Attendance.objects.exists()


def test_it_refuses_a_missing_mark_as_the_roster_does(users, today_group, signed_in):
    _group, people, session = today_group
    result = _result(send(signed_in(users["psychologist"]), entry_for(session, _marks(people[:2]))))
    # The roster check is a conflict first: the device's roster is not the server's.
    assert result["outcome"] == "conflict"
    assert result["conflicts"][0]["code"] == "roster_changed"


def test_it_refuses_a_time_in_the_future_and_one_too_old(users, today_group, signed_in, settings):
    _group, people, session = today_group
    client = signed_in(users["psychologist"])
    future = entry_for(session, _marks(people), recorded_at=timezone.now() + dt.timedelta(hours=2))
    assert _result(send(client, future))["errors"] == {
        "recorded_at": ["This time is in the future: check the date and time of the phone."]
    }
    settings.FIELD_ENTRY_DAYS = 3
    old = entry_for(session, _marks(people), recorded_at=timezone.now() - dt.timedelta(days=4))
    assert _result(send(client, old))["errors"] == {
        "recorded_at": ["Entries older than 3 days are not accepted: enter this session on its roster."]
    }


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (b"{not json", {"entries": ["Send the entries as JSON."]}),
        (b'{"entries": {}}', {"entries": ["Send the entries as a list."]}),
        (b"[]", {"entries": ["Send the entries as a list."]}),
    ],
)
def test_it_refuses_a_body_that_is_not_a_list_of_entries(users, signed_in, body, errors):
    response = signed_in(users["psychologist"]).post("/field/sync/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"errors": errors}


def test_it_refuses_too_many_entries_at_once(users, signed_in):
    response = send(signed_in(users["psychologist"]), body={"entries": [{}] * 51})
    assert response.status_code == 400
    assert response.json() == {"errors": {"entries": ["Send at most 50 entries at a time."]}}


# --- access ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["manager", "provider_admin", "survivor_worker", "police", "facility_officer"])
def test_it_refuses_any_other_role(users, role, today_group, signed_in):
    _group, people, session = today_group
    response = send(signed_in(users[role]), entry_for(session, _marks(people)))
    assert response.status_code == 403
    assert not Attendance.objects.exists()


def test_another_organisations_session_is_not_found_and_untouched(users, today_group, signed_in):
    _group, people, session = today_group
    result = _result(send(signed_in(users["other_psychologist"]), entry_for(session, _marks(people))))
    assert result["outcome"] == "not_found"
    assert result["errors"] == {"session": ["No such session of your organisation."]}
    missing = _result(
        send(signed_in(users["other_psychologist"]), entry_for(session, _marks(people)) | {"session": 999999})
    )
    assert missing["errors"] == result["errors"]
    assert not Attendance.objects.exists() and not FieldEntry.objects.exists()


def test_it_sends_an_anonymous_request_to_sign_in(client, today_group):
    _group, people, session = today_group
    response = send(client, entry_for(session, _marks(people)))
    assert response.status_code == 302


def test_it_rejects_get(users, signed_in):
    assert signed_in(users["psychologist"]).get("/field/sync/").status_code == 405


# --- hostile input --------------------------------------------------------------------


def _post(client, body: bytes, content_type: str = "application/json"):
    return client.post("/field/sync/", body, content_type=content_type)


def test_a_nul_in_a_note_is_refused_on_that_field_before_anything_runs(users, today_group, signed_in):
    _group, people, session = today_group
    entry = entry_for(session, _marks(people)) | {"notes": "Quiet\x00 group."}
    response = send(signed_in(users["psychologist"]), entry_for(session, _marks(people)), entry)
    assert response.status_code == 400
    message = "The request contains a NUL character, which is not allowed."
    assert response.json() == {"detail": message, "errors": {"entries.1.notes": [message]}}
    assert not Attendance.objects.exists() and not FieldEntry.objects.exists()


def test_an_overlong_note_is_refused_on_its_field_and_the_others_go_ahead(users, today_group, signed_in):
    _group, people, session = today_group
    entry = entry_for(session, _marks(people)) | {"notes": "n" * 8001}
    response = send(signed_in(users["psychologist"]), entry, {"key": "x"})
    results = response.json()["results"]
    assert response.status_code == 200
    assert results[0]["outcome"] == results[1]["outcome"] == "invalid"
    assert results[0]["errors"] == {"notes": ["Ensure this value has at most 8000 characters (it has 8001)."]}
    assert not Attendance.objects.exists() and not FieldEntry.objects.exists()


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'{"entries": []}', "text/plain"),
        (b"entries=1&entries=2", "application/x-www-form-urlencoded"),
        (b'{"entries": []}', "multipart/form-data; boundary=x"),
        (b"\xff\xfe{", "application/json"),
        (b'{"entries": ["\x00"]}', "application/json"),  # a raw NUL is no JSON at all
    ],
)
def test_a_body_that_is_not_json_is_refused_as_such(users, signed_in, body, content_type):
    response = _post(signed_in(users["psychologist"]), body, content_type)
    assert response.status_code == 400
    assert response.json() == {"errors": {"entries": ["Send the entries as JSON."]}}


def test_a_body_nested_deep_is_answered_not_a_crash(users, signed_in):
    client = signed_in(users["psychologist"])
    deep = _post(client, b'{"entries": [' + b"[" * 50 + b"]" * 50 + b"]}")
    assert deep.status_code == 200
    assert deep.json()["results"][0]["errors"] == {"non_field_errors": ["An entry is an object."]}
    too_deep = _post(client, b'{"entries": ' + b"[" * 100_000 + b"]" * 100_000 + b"}")
    assert too_deep.status_code == 400
    assert too_deep.json() == {"errors": {"entries": ["Send the entries as JSON."]}}


def test_a_huge_list_of_entries_is_refused_whole(users, today_group, signed_in):
    _group, people, session = today_group
    client = signed_in(users["psychologist"])
    many = send(client, *[entry_for(session, _marks(people))] * 5000)
    assert many.status_code == 400
    assert many.json() == {"errors": {"entries": ["Send at most 50 entries at a time."]}}
    # Past the size Django reads at all (DATA_UPLOAD_MAX_MEMORY_SIZE).
    huge = send(client, *[{"notes": "n" * 8000}] * 400)
    assert huge.status_code == 413
    assert huge.json() == {"errors": {"entries": ["The request body is too large."]}}
    assert not Attendance.objects.exists() and not FieldEntry.objects.exists()
