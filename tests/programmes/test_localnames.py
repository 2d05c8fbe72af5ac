"""An organisation's own names in several languages (core.localnames): its
name (entered in the admin) and its groups' places (entered on the group
pages), shown in the reader's language, in the participant's language in
an SMS and on the certificate, and as typed where a language has none.
The admin's form for the name: tests/accounts/test_admin.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import Organisation, organisation_name
from core import localnames
from core.timeline import detail_text
from notifications.reminder_texts import participant_sms
from programmes import timeline as programme_kinds
from programmes.certificates import certificate_for
from programmes.models import Session
from tests import factories as f
from tests.programmes.conftest import days
from tests.programmes.test_views_setup_groups import group_data
from tests.programmes.views_sessions_support import completed_enrolment

KY_NAME = "Бишкек шаарынын консультациялык кабинети"
RU_NAME = "Консультационный кабинет г. Бишкек"
KY_ROOM = "3-бөлмө"
RU_ROOM = "Кабинет 3"


@pytest.fixture
def named_provider(orgs):
    provider = orgs["provider"]
    provider.name_translations = {"ky": KY_NAME, "ru": RU_NAME}
    provider.save(update_fields=["name_translations"])
    return provider


def text(response) -> str:
    return " ".join(response.content.decode().split())


# --- choosing the name ------------------------------------------------------------


def test_the_readers_language_else_as_typed():
    names = {"ky": KY_NAME, "ru": ""}
    with translation.override("ky"):
        assert localnames.pick("Bishkek Consultation Room", names) == KY_NAME
    with translation.override("ru"):  # empty: as typed
        assert localnames.pick("Bishkek Consultation Room", names) == "Bishkek Consultation Room"
    with translation.override("tk"):
        assert localnames.pick("Bishkek Consultation Room", names) == "Bishkek Consultation Room"
    assert localnames.pick("Bishkek Consultation Room", names, language="ky") == KY_NAME
    assert localnames.pick("Room 1", None, language="ky") == "Room 1"


def test_only_interface_languages_and_real_names_are_kept():
    assert localnames.cleaned({"ky": "  1-бөлмө ", "de": "Raum 1", "ru": "   ", "tg": None, "uz": 5}) == {
        "ky": "1-бөлмө"
    }


def test_an_organisation_reads_in_the_readers_language(named_provider):
    with translation.override("ky"):
        assert (str(named_provider), named_provider.shown_name) == (KY_NAME, KY_NAME)
    with translation.override("kk"):
        assert str(named_provider) == "Bishkek Consultation Room"
    assert named_provider.name_in("ru") == RU_NAME
    assert named_provider.name == "Bishkek Consultation Room"  # search and uniqueness keep the typed name


def test_a_timeline_entry_names_the_organisation_in_the_readers_language(named_provider):
    params = {"provider": named_provider.name}
    with translation.override("ky"):
        assert KY_NAME in detail_text(programme_kinds.TRANSFERRED, params)
        assert organisation_name("A name nobody has any more") == "A name nobody has any more"
    with translation.override("en"):
        assert detail_text(programme_kinds.TRANSFERRED, params) == "to Bishkek Consultation Room"


# --- a group's place, on the group pages ----------------------------------------------


def test_a_group_is_opened_with_its_place_in_other_languages(client, login, users, men, pair):
    login(users["manager"])
    page = client.get(reverse("programmes:group_create"))
    assert "Place (Kyrgyz)" in text(page) and "The place in other languages" in text(page)

    response = client.post(
        reverse("programmes:group_create"), group_data(men, pair, location_ky=KY_ROOM, location_ru=RU_ROOM)
    )

    assert response.status_code == 302
    group = users["manager"].membership.organisation.programme_groups.get(name="Tuesday men")
    assert group.location_translations == {"ky": KY_ROOM, "ru": RU_ROOM}
    assert [s.location_translations for s in group.sessions.all()] == [{"ky": KY_ROOM, "ru": RU_ROOM}] * 24
    with translation.override("ky"):
        assert group.shown_location == KY_ROOM
        assert group.sessions.first().shown_location == KY_ROOM
    with translation.override("en"):
        assert group.sessions.first().shown_location == "Room 3"


def test_the_session_page_shows_the_place_in_the_readers_language(client, login, users, men, group_of):
    group = group_of(men, location="Room 3", location_translations={"ky": KY_ROOM}, starts_on=days(0))
    session = group.sessions.get(number=1)
    user = users["psychologist"]
    user.preferred_language = "ky"
    user.save(update_fields=["preferred_language"])
    login(user)

    page = text(client.get(reverse("programmes:session_log", args=[session.pk])))

    assert KY_ROOM in page and "Room 3" not in page


def test_changing_the_place_names_changes_the_sessions_to_come_only(client, login, users, men, group_of):
    group = group_of(men, location="Room 3", location_translations={"ky": KY_ROOM}, starts_on=days(-14))
    past = group.sessions.filter(starts_at__lt=dt.datetime.now(dt.UTC)).first()
    login(users["manager"])
    edit = reverse("programmes:group_edit", args=[group.pk])
    assert f'value="{KY_ROOM}"' in text(client.get(edit))  # the form shows the names it has

    response = client.post(
        edit,
        {
            "name": group.name,
            "capacity": group.capacity,
            "psychologist": group.psychologist_id,
            "social_worker": group.social_worker_id,
            "location_kind": "room",
            "room": "Room 3",
            "time_of_day": group.time_of_day.strftime("%H:%M"),
            "location_ky": "4-бөлмө",
            "location_tg": "Ҳуҷраи 4",
        },
    )

    assert response.status_code == 302
    group.refresh_from_db()
    assert group.location_translations == {"ky": "4-бөлмө", "tg": "Ҳуҷраи 4"}
    upcoming = group.sessions.filter(status=Session.Status.PLANNED, starts_at__gt=dt.datetime.now(dt.UTC))
    assert {tuple(sorted(s.location_translations.items())) for s in upcoming} == {
        (("ky", "4-бөлмө"), ("tg", "Ҳуҷраи 4"))
    }
    past.refresh_from_db()
    assert past.location_translations == {"ky": KY_ROOM}  # the record of what was stays


def test_a_place_name_too_long_is_a_field_error_that_keeps_the_input(client, login, users, men, pair):
    login(users["manager"])
    response = client.post(
        reverse("programmes:group_create"), group_data(men, pair, location_ky="б" * 201, location_ru=RU_ROOM)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["location_ky"] == [
        "Ensure this value has at most 200 characters (it has 201)."
    ]
    assert f'value="{RU_ROOM}"' in text(response)
    assert '<details class="mb-3 cw-names" open>' in response.content.decode()


# --- what the participant reads ----------------------------------------------------


def test_the_sms_names_the_provider_and_the_place_in_the_participants_language(named_provider):
    session = Session(location="Room 3", location_translations={"ky": KY_ROOM}, provider=named_provider)
    starts_at = dt.datetime(2027, 1, 4, 15, 0, tzinfo=dt.UTC)
    body = participant_sms(
        language="ky",
        starts_at=starts_at,
        place=session.location_in("ky"),
        provider=named_provider.name_in("ky"),
    )
    assert body.startswith(f"{KY_NAME}: ") and KY_ROOM in body
    assert "Room" not in body and "Consultation" not in body


def test_the_reminder_page_previews_the_sms_in_the_participants_language(
    client, login, users, orgs, named_provider, men, group_of
):
    group = group_of(men, location="Room 3", location_translations={"ky": KY_ROOM}, starts_on=days(2))
    case = f.make_open_case(
        police=users["police"], provider=named_provider, by=users["psychologist"], preferred_language="ky"
    )
    enrolment = f.enrol_case(case, by=users["psychologist"], template=men, group=group)
    login(users["psychologist"])  # reads in Russian, the site's language

    page = text(client.get(reverse("notifications:participant_reminders", args=[enrolment.pk])))

    assert f"{KY_NAME}: " in page and KY_ROOM in page


def test_the_certificate_names_the_provider_in_the_participants_language(users, orgs, named_provider):
    referral = f.make_referral(
        police=users["police"], provider=named_provider, person=f.person_data(preferred_language="ky")
    )
    enrolment = completed_enrolment(users, orgs, f.open_case(referral, users["psychologist"]))
    assert certificate_for(enrolment).provider == KY_NAME


def test_a_provider_without_names_reads_as_typed_everywhere(orgs):
    provider = Organisation.objects.get(pk=orgs["provider"].pk)
    for code in ("ky", "ru", "en"):
        assert provider.name_in(code) == "Bishkek Consultation Room"
