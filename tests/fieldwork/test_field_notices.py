"""Safety events found at sync are raised at sync time, and their notices
say when the absence was recorded in the field (a code in the event's
facts, read in the reader's language and time zone)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import formats, timezone, translation

from casework.services import survivor_service_refer
from notifications.views import fact_rows
from tests.fieldwork.conftest import entry_for, send
from tests.notices import case_events, case_notices
from tests.programmes.conftest import group_session, log

SERVICE = "Sezim Crisis Centre"
POLICE = "Bishkek City Police, Pervomaisky district"
PROVIDER = "Bishkek Consultation Room"


def test_the_third_absence_in_a_row_sent_from_the_field_is_a_dropout_at_sync(
    users, orgs, past_group, men, new_case, enrol, signed_in, client
):
    a = enrol(new_case(), men, past_group)
    b = enrol(new_case(), men, past_group)
    survivor_service_refer(case=a.case, organisation=orgs["survivor_service"], by=users["social_worker"])
    psy = users["psychologist"]
    log(group_session(past_group, 1), psy, {a: "unexcused", b: "present"})
    log(group_session(past_group, 2), psy, {a: "unexcused", b: "present"})
    # The third was recorded in a village two days ago, and arrives now.
    in_the_field = (timezone.now() - dt.timedelta(days=2)).replace(second=0, microsecond=0)
    entry = entry_for(group_session(past_group, 3), {a: "unexcused", b: "present"}, recorded_at=in_the_field)
    before = timezone.now()

    result = send(signed_in(psy), entry).json()["results"][0]

    event = case_events().get(kind="dropout")
    assert event.created_at >= before  # raised at sync, not back-dated
    assert event.facts == {
        "ending": "dropout_rule",
        "mandatory": True,
        "sessions_attended": 0,
        "sessions_missed": 3,
        "missed_in_a_row": 3,
        "recorded_in_field_at": in_the_field.astimezone(dt.UTC).strftime("%Y-%m-%dt%H:%Mz"),
    }
    assert set(case_notices().filter(event=event).values_list("organisation__name", flat=True)) == {
        SERVICE,
        POLICE,
        PROVIDER,
    }
    assert {"kind": "dropout", "enrolment": a.pk, "organisations": [SERVICE, POLICE, PROVIDER]} in [
        {**e, "organisations": sorted(e["organisations"], key=[SERVICE, POLICE, PROVIDER].index)}
        for e in result["events"]
    ]

    # The notice says when, in the reader's language and time zone.
    with translation.override("en"):
        rows = dict((str(label), value) for label, value in fact_rows(event))
        assert rows["Recorded in the field, without a network, at"] == formats.date_format(
            timezone.localtime(in_the_field), "SHORT_DATETIME_FORMAT"
        )
    with translation.override("ru"):
        labels = [str(label) for label, _value in fact_rows(event)]
        assert "Записано на выезде, без сети, в" in labels

    # The crisis-centre worker reads it on the notice.
    client.logout()
    notice = case_notices().get(event=event, organisation=orgs["survivor_service"])
    page = signed_in(users["survivor_worker"]).get(reverse("notifications:notice_detail", args=[notice.pk]))
    assert page.status_code == 200
    assert formats.date_format(timezone.localtime(in_the_field), "SHORT_DATETIME_FORMAT") in page.content.decode()


def test_an_online_log_says_nothing_of_the_field(users, orgs, past_group, men, new_case, enrol):
    a = enrol(new_case(), men, past_group)
    for number in (1, 2, 3):
        log(group_session(past_group, number), users["psychologist"], {a: "unexcused"})
    assert "recorded_in_field_at" not in case_events().get(kind="dropout").facts
