"""Email and SMS say only that a notice is waiting and the case number: no
survivor data, no names. Asserted on the rendered messages."""

from __future__ import annotations

import pytest
from django.utils import translation

from notifications.models import DECISION_KINDS, SafetyEvent
from notifications.relay import relay_deliveries
from notifications.services import new_violence_report
from notifications.texts import outgoing_message
from tests.notifications.conftest import SURVIVOR_SECRETS, record

E = SafetyEvent.Kind


def _secrets(case) -> tuple[str, ...]:
    person = case.referral.person
    return (*SURVIVOR_SECRETS, person.family_name, person.given_name, str(person.phone), "Примерная")


@pytest.mark.parametrize("kind", sorted(set(E.values) - set(DECISION_KINDS)))
def test_no_survivor_or_personal_data_in_any_email_or_sms(case_with_service, contacts, sms_sink, mailoutbox, kind):
    record(kind, case_with_service)
    relay_deliveries()
    assert mailoutbox and sms_sink()
    number = case_with_service.number
    expected = f"A safety notice about case {number} is waiting. Please sign in."
    for message in mailoutbox:
        assert message.subject == f"Safety notice about case {number}"
        assert message.body == expected
        rendered = message.message().as_string()
        for secret in _secrets(case_with_service):
            assert secret not in rendered
            assert secret not in message.body
    for line in sms_sink():
        assert line["text"] == expected
        for secret in _secrets(case_with_service):
            assert secret not in line["text"]


def test_a_violence_report_summary_never_leaves_the_case(case_with_service, users, contacts, sms_sink, mailoutbox):
    from django.utils import timezone

    new_violence_report(
        case=case_with_service,
        by=users["police"],
        reported_on=timezone.localdate(),
        summary="Beat her at Тайный street, flat 3",
    )
    relay_deliveries()
    everything = "".join(m.message().as_string() for m in mailoutbox) + str(sms_sink())
    assert "Beat her" not in everything
    assert "Тайный" not in everything


def test_the_message_is_in_the_recipients_language(
    case_with_service, users, contacts, sms_sink, mailoutbox, monkeypatch
):
    """Rendered under the recipient's interface language (marked here, as
    the Russian catalogue is compiled separately)."""
    from notifications import texts

    monkeypatch.setattr(texts, "_", lambda s: f"[{translation.get_language()}] {s}")
    users["police"].preferred_language = "ru"
    users["police"].save()
    record(E.EXPULSION, case_with_service)
    relay_deliveries()
    by_address = {m.to[0]: m for m in mailoutbox}
    assert by_address["police@example.org"].subject.startswith("[ru] ")
    assert by_address["police@example.org"].body.startswith("[ru] A safety notice")
    assert by_address["police2@example.org"].body.startswith("[en] A safety notice")
    sms = {line["to"]: line["text"] for line in sms_sink()}
    assert sms["+996555000002"].startswith("[ru] ")
    assert sms["+996555000003"].startswith("[en] ")


def test_a_sign_in_link_is_added_when_the_site_is_known(settings, case_with_service):
    settings.NOTIFY_SITE_URL = "https://casework.example.org/"
    _subject, body = outgoing_message(case_id=case_with_service.pk, language="en")
    assert body == (
        f"A safety notice about case {case_with_service.number} is waiting. Please sign in. "
        "https://casework.example.org/notifications/"
    )
