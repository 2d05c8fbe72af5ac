"""The staff-record pages: the list (search, pages), one person's records,
the forms (field errors, what was typed kept), the expiring and missing
list, and a psychologist's own records."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from staffing import services
from staffing.models import Training
from tests import factories as f

pytestmark = pytest.mark.django_db

LIST = reverse("staffing:staff_list")


def _named(user, first, last):
    user.first_name, user.last_name = first, last
    user.save()
    return user


def _training(users, orgs, staff, **overrides):
    data = {
        "provider": orgs["provider"],
        "by": users["manager"],
        "staff": staff,
        "course": "Five-day training for consultation rooms",
        "trainer": "UNFPA",
        "starts_on": dt.date(2026, 3, 2),
        "ends_on": dt.date(2026, 3, 6),
        "hours": Decimal("40"),
    }
    return services.training_save(**{**data, **overrides})


def test_the_list_shows_the_facilitators_hours_and_qualifications(client, login, users, orgs):
    psychologist = _named(users["psychologist"], "Aibek", "Usenov")
    _training(users, orgs, psychologist)
    _training(users, orgs, psychologist, hours=Decimal("12.5"))
    f.qualify(psychologist)
    login(users["manager"])
    response = client.get(LIST)
    page = response.content.decode()
    row = page.split(reverse("staffing:staff_detail", args=[psychologist.pk]), 1)[1].split("</tr>", 1)[0]
    assert "Aibek Usenov" in row and "52.5" in row
    assert "Kyrgyz programmes under Decree 390, Annex 3" in row
    # Only the provider's own psychologists and social workers.
    assert {u.username for u in response.context["page"].object_list} == {"psychologist", "social_worker"}


def test_the_search_finds_by_name_and_stays_out_of_the_url(client, login, users):
    _named(users["psychologist"], "Aibek", "Usenov")
    _named(users["social_worker"], "Aida", "Bekova")
    login(users["manager"])
    response = client.post(LIST, {"q": "useno"})
    assert response["Location"] == LIST
    page = client.get(LIST).content.decode()
    assert "Aibek Usenov" in page and "Aida Bekova" not in page
    client.post(LIST, {"q": "nobody-like-this"})
    assert "Nobody matches this search." in client.get(LIST).content.decode()


def test_the_list_has_pages(client, login, users, orgs):
    for n in range(26):
        _named(f.make_user(orgs["provider"], Role.SOCIAL_WORKER, f"sw{n:02d}", totp=False), "Zarina", f"Z{n:02d}")
    login(users["manager"])
    first = client.get(LIST).content.decode()
    assert "Page 1 of 2" in first and "?page=2" in first
    second = client.get(LIST + "?page=2").content.decode()
    assert "Zarina Z25" in second and "Zarina Z25" not in first


def test_adding_a_training_keeps_what_was_typed_and_says_what_is_wrong(client, login, users):
    login(users["manager"])
    url = reverse("staffing:training_add", args=[users["psychologist"].pk])
    data = {
        "course": "Behaviour change",
        "trainer": "OSCE",
        "starts_on": "2026-05-08",
        "ends_on": "2026-05-04",
        "hours": "abc",
        "certificate_number": "C-1",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {
        "ends_on": ["The last day cannot be before the first."],
        "hours": ["Enter a number."],
        "certificate_issuer": ["Say who issued the certificate."],
    }
    assert 'value="Behaviour change"' in response.content.decode()
    assert not Training.objects.exists()

    data.update(ends_on="2026-05-12", hours="40", certificate_issuer="OSCE")
    response = client.post(url, data)
    assert response["Location"] == reverse("staffing:staff_detail", args=[users["psychologist"].pk])
    training = Training.objects.get()
    assert (training.ends_on, training.hours, training.certificate_issuer) == (
        dt.date(2026, 5, 12),
        Decimal("40.0"),
        "OSCE",
    )
    detail = client.get(response["Location"]).content.decode()
    assert "Behaviour change" in detail and "certificate C-1 (OSCE)" in detail


def test_a_qualification_is_corrected_on_its_own_form(client, login, users):
    qualification = f.qualify(users["social_worker"])
    login(users["provider_admin"])
    url = reverse("staffing:qualification_edit", args=[qualification.pk])
    page = client.get(url).content.decode()
    assert 'value="OSCE Programme Office trainers"' in page
    response = client.post(
        url,
        {
            "family": "kg_annex3",
            "granted_on": qualification.granted_on.isoformat(),
            "expires_on": qualification.granted_on.isoformat(),
            "granted_by": "OSCE",
        },
    )
    assert response.context["form"].errors == {
        "expires_on": ["The qualification must be valid after the day it was granted."]
    }
    response = client.post(
        url,
        {"family": "kg_annex3", "granted_on": "2026-01-10", "expires_on": "2028-01-10", "granted_by": "OSCE"},
    )
    assert response.status_code == 302
    qualification.refresh_from_db()
    assert qualification.expires_on == dt.date(2028, 1, 10)


def test_supervision_is_added_and_totalled(client, login, users):
    login(users["manager"])
    staff = users["social_worker"]
    for hours in ("2", "1.5"):
        client.post(
            reverse("staffing:supervision_add", args=[staff.pk]),
            {"held_on": "2026-06-01", "hours": hours, "supervisor": "Dr Omurova"},
        )
    page = client.get(reverse("staffing:staff_detail", args=[staff.pk])).content.decode()
    assert "3.5 hours in all" in page and "Dr Omurova" in page


def test_another_providers_records_are_missing(client, login, users, orgs):
    other_manager = f.make_user(orgs["other_provider"], Role.PROGRAMME_MANAGER, "other_manager")
    training = _training(users, orgs, users["psychologist"])
    login(other_manager)
    assert client.get(reverse("staffing:training_edit", args=[training.pk])).status_code == 404
    assert client.get(reverse("staffing:staff_detail", args=[users["psychologist"].pk])).status_code == 404
    assert client.get(reverse("staffing:training_add", args=[users["psychologist"].pk])).status_code == 404


def test_a_psychologist_sees_her_own_records_only_and_cannot_change_them(client, login, users, orgs):
    _training(users, orgs, users["psychologist"], course="Mine")
    _training(users, orgs, users["social_worker"], course="Hers")
    login(users["psychologist"])
    page = client.get(reverse("staffing:mine")).content.decode()
    assert "Mine" in page and "Hers" not in page
    assert reverse("staffing:training_add", args=[users["psychologist"].pk]) not in page
    assert client.get(LIST).status_code == 403


def test_the_attention_list_shows_expiring_and_missing_qualifications(client, login, users, orgs):
    today = timezone.localdate()
    psychologist = _named(users["psychologist"], "Aibek", "Usenov")
    social_worker = _named(users["social_worker"], "Aida", "Bekova")
    ending = f.qualify(psychologist, expires_on=today + dt.timedelta(days=20))
    renewed_sw = f.qualify(social_worker, "tj_consultation_room", expires_on=today + dt.timedelta(days=10))
    f.qualify(social_worker, "tj_consultation_room", granted_on=today, expires_on=today + dt.timedelta(days=900))
    group = f.make_group(by=users["manager"], template=f.shipped_template("kg-annex3-voluntary-men"))
    login(users["manager"])
    page = client.get(reverse("staffing:attention")).content.decode()
    expiring = page.split('class="list-group list-group-flush expiring-qualifications"', 1)[1]
    assert reverse("staffing:qualification_edit", args=[ending.pk]) in expiring
    # Renewed: the later one lasts.
    assert reverse("staffing:qualification_edit", args=[renewed_sw.pk]) not in expiring
    missing = page.split('class="list-group list-group-flush missing-qualifications"', 1)[1].split("</ul>", 1)[0]
    assert "Aida Bekova" in missing and "Aibek Usenov" not in missing
    assert group.name in missing
