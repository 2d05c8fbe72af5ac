"""Police pages: entering a referral, the unit's list, a referral's status,
and extending its protection order."""

import datetime as dt
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import SensitiveRead
from referrals import services
from referrals.models import Person, ProtectionOrderExtension, Referral, Survivor
from tests import factories as f

CREATE = reverse("referrals:create")
LIST = reverse("referrals:police_list")

TODAY = dt.date.today()


def detail_url(referral):
    return reverse("referrals:police_detail", args=[referral.pk])


def extend_url(referral):
    return reverse("referrals:extend_order", args=[referral.pk])


def survivor_post(index: int, **overrides) -> dict:
    data = {
        "family_name": "Survivorova",
        "given_name": "Gulnara",
        "relationship": "partner",
        "phone": "0700 987 654",
        "address": "Secret street 7, flat 3",
        "children_in_household": "2",
        "consents_to_contact": "on",
    }
    data.update(overrides)
    return {f"survivors-{index}-{k}": v for k, v in data.items() if v is not None}


def create_post(provider, *, survivors=None, total_forms=None, **overrides) -> dict:
    """What the browser sends for a complete, valid referral."""
    data = {
        "submission_key": str(uuid.uuid4()),
        "provider": str(provider.pk),
        "source": "police",
        "order_number": "PO-2026-17",
        "order_issuing_authority": "Pervomaisky district police",
        "order_issued_on": (TODAY - dt.timedelta(days=1)).isoformat(),
        "order_expires_on": (TODAY + dt.timedelta(days=30)).isoformat(),
        "order_obliges_programme": "on",
        "person-family_name": "Токтогулов",
        "person-given_name": "Нурлан",
        "person-patronymic": "",
        "person-sex": "male",
        "person-birth_date": "1987-03-05",
        "person-phone": "+996 555 123 456",
        "person-address": "Bishkek, Main street 1",
        "person-preferred_language": "ky",
        "person-household": "Wife, two children",
        "incident_description": "Threatened his wife with a knife.",
        "risk_flags": ["weapon", "threat_to_kill"],
    }
    survivors = survivors if survivors is not None else [survivor_post(0)]
    for survivor in survivors:
        data.update(survivor)
    data.update(
        {
            "survivors-TOTAL_FORMS": str(total_forms if total_forms is not None else len(survivors)),
            "survivors-INITIAL_FORMS": "0",
            "survivors-MIN_NUM_FORMS": "1",
            "survivors-MAX_NUM_FORMS": "10",
        }
    )
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def assert_nothing_saved():
    assert Referral.objects.count() == 0
    assert Person.objects.count() == 0
    assert Survivor.objects.count() == 0


# --- referrals:create ----------------------------------------------------------


def test_it_shows_the_entry_form_with_active_providers(client, login, users, orgs):
    closed = f.make_org("programme_provider", name="Closed Room")
    closed.is_active = False
    closed.save()
    login(users["police"])
    response = client.get(CREATE)
    assert response.status_code == 200
    content = response.content.decode()
    # One group per country, the officer's own first; options without the
    # country, so a phone does not cut it off.
    own = content.index('<optgroup label="Kyrgyzstan">')
    other = content.index('<optgroup label="Tajikistan">')
    assert own < content.index("Bishkek Consultation Room — Chuy</option>") < other
    assert other < content.index("Khujand Consultation Room — Sughd</option>")
    assert "Grouped by country, your own country first." in content
    assert 'data-select-summary="id_provider"' in content
    assert "Closed Room" not in content
    assert "Sezim Crisis Centre" not in content
    assert 'name="submission_key"' in content
    assert 'type="date"' in content
    assert 'data-formset-add="survivors"' in content
    assert "js/referrals.js" in content
    uuid.UUID(response.context["form"]["submission_key"].value())


@pytest.mark.parametrize("role", ["psychologist", "manager", "probation_officer", "monitoring", "provider_admin"])
def test_other_roles_cannot_enter_referrals(client, login, users, orgs, role):
    login(users[role])
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, create_post(orgs["provider"])).status_code == 403
    assert_nothing_saved()


def test_it_records_a_referral_and_goes_to_its_status_page(client, login, users, orgs):
    login(users["police"])
    response = client.post(CREATE, create_post(orgs["provider"]))
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(referral)
    assert referral.provider == orgs["provider"]
    assert referral.referring_body == orgs["police"]
    assert referral.created_by == users["police"]
    assert referral.order_number == "PO-2026-17"
    assert referral.order_expires_on == TODAY + dt.timedelta(days=30)
    assert referral.order_obliges_programme is True
    assert referral.risk_flags == ["threat_to_kill", "weapon"]
    assert referral.person.full_name == "Токтогулов Нурлан"
    assert str(referral.person.phone) == "+996555123456"
    survivor = referral.survivors.get()
    assert (survivor.full_name, survivor.phone, survivor.children_in_household) == (
        "Survivorova Gulnara",
        "+996700987654",
        2,
    )
    assert survivor.consents_to_contact is True
    page = client.get(response["Location"])
    assert f"Referral {referral.reference} has been recorded and sent to the provider." in page.content.decode()


def test_it_reads_local_phone_numbers_in_the_units_country(client, login, users, orgs):
    login(users["other_police"])
    client.post(
        CREATE,
        create_post(orgs["other_provider"], survivors=[survivor_post(0, phone="93 512 3456")], **{"person-phone": ""}),
    )
    assert Referral.objects.get().survivors.get().phone == "+992935123456"


def test_it_records_every_filled_survivor_and_ignores_blank_added_forms(client, login, users, orgs):
    login(users["police"])
    blank = survivor_post(1, family_name="", given_name="", relationship="", phone="", address="")
    blank["survivors-1-children_in_household"] = "0"
    del blank["survivors-1-consents_to_contact"]
    data = create_post(
        orgs["provider"],
        survivors=[survivor_post(0), blank, survivor_post(2, given_name="Dinara", relationship="daughter_in_law")],
    )
    response = client.post(CREATE, data)
    assert response.status_code == 302
    assert [(s.given_name, s.relationship) for s in Survivor.objects.order_by("id")] == [
        ("Gulnara", "partner"),
        ("Dinara", "daughter_in_law"),
    ]


def test_a_repeated_submission_creates_one_referral(client, login, users, orgs):
    login(users["police"])
    data = create_post(orgs["provider"])
    first = client.post(CREATE, data)
    second = client.post(CREATE, data, follow=True)
    referral = Referral.objects.get()
    assert first["Location"] == detail_url(referral)
    assert second.redirect_chain == [(detail_url(referral), 302)]
    assert "This referral was already recorded." in second.content.decode()
    assert Person.objects.count() == 1
    assert Survivor.objects.count() == 1


def test_it_rejects_expiry_before_issue(client, login, users, orgs):
    login(users["police"])
    response = client.post(
        CREATE,
        create_post(orgs["provider"], order_issued_on=TODAY.isoformat(), order_expires_on="2020-01-01"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["order_expires_on"] == ["The order cannot expire before it was issued."]
    assert "The order cannot expire before it was issued." in response.content.decode()
    assert_nothing_saved()


def test_it_rejects_future_birth_date(client, login, users, orgs):
    login(users["police"])
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()
    response = client.post(CREATE, create_post(orgs["provider"], **{"person-birth_date": tomorrow}))
    assert response.status_code == 200
    assert response.context["person_form"].errors["birth_date"] == ["This date is in the future."]
    assert_nothing_saved()


def test_it_rejects_a_malformed_phone_of_the_person(client, login, users, orgs):
    login(users["police"])
    response = client.post(CREATE, create_post(orgs["provider"], **{"person-phone": "12ab"}))
    assert response.context["person_form"].errors["phone"] == ["Enter a valid phone number, e.g. +996 555 123 456."]
    assert_nothing_saved()


def test_it_rejects_a_malformed_phone_of_a_survivor_and_keeps_what_was_typed(client, login, users, orgs):
    login(users["police"])
    response = client.post(CREATE, create_post(orgs["provider"], survivors=[survivor_post(0, phone="555-12")]))
    assert response.status_code == 200
    formset = response.context["formset"]
    assert formset.forms[0].errors["phone"] == ["Enter a valid phone number, e.g. +996 555 123 456."]
    content = response.content.decode()
    assert 'value="555-12"' in content
    assert 'value="Токтогулов"' in content
    assert "Threatened his wife with a knife." in content
    assert_nothing_saved()


@pytest.mark.parametrize("which", ["survivor_service", "missing", "inactive"])
def test_it_rejects_an_unknown_provider(client, login, users, orgs, which):
    login(users["police"])
    if which == "survivor_service":
        provider_id = orgs["survivor_service"].pk
    elif which == "missing":
        provider_id = 999999
    else:
        orgs["other_provider"].is_active = False
        orgs["other_provider"].save()
        provider_id = orgs["other_provider"].pk
    data = create_post(orgs["provider"])
    data["provider"] = str(provider_id)
    response = client.post(CREATE, data)
    assert response.status_code == 200
    assert response.context["form"].errors["provider"] == ["Choose a programme provider from the list."]
    assert_nothing_saved()


def test_it_rejects_an_oversized_incident_description(client, login, users, orgs):
    login(users["police"])
    response = client.post(CREATE, create_post(orgs["provider"], incident_description="x" * 4001))
    assert response.context["form"].errors["incident_description"] == [
        "Ensure this value has at most 4000 characters (it has 4001)."
    ]
    assert_nothing_saved()


def test_it_accepts_the_longest_incident_description_with_line_breaks(client, login, users, orgs):
    login(users["police"])
    text = "\r\n".join(["y" * 99] * 40) + "y"  # 4,000 characters as the browser counts them
    response = client.post(CREATE, create_post(orgs["provider"], incident_description=text))
    assert response.status_code == 302
    assert len(Referral.objects.get().incident_description) == 4000


@pytest.mark.parametrize("total_forms", [0, 1])
def test_it_rejects_a_referral_without_a_survivor(client, login, users, orgs, total_forms):
    login(users["police"])
    blank = {"survivors-0-children_in_household": "0"}
    response = client.post(
        CREATE, create_post(orgs["provider"], survivors=[blank] if total_forms else [], total_forms=total_forms)
    )
    assert response.status_code == 200
    assert response.context["formset"].non_form_errors() == ["Enter at least one survivor."]
    assert "Enter at least one survivor." in response.content.decode()
    assert_nothing_saved()


def test_it_puts_service_errors_on_the_order_fields(client, login, users, orgs):
    login(users["police"])
    response = client.post(
        CREATE,
        create_post(orgs["provider"], order_issued_on="", order_expires_on="", order_obliges_programme=None),
    )
    assert response.context["form"].errors["order_expires_on"] == ["Enter the issue and expiry dates of the order."]
    response = client.post(
        CREATE,
        create_post(orgs["provider"], order_number="", order_issued_on="", order_expires_on=""),
    )
    assert response.context["form"].errors["order_number"] == [
        "An obligation to attend a programme needs the protection order number."
    ]
    assert_nothing_saved()


def test_survivor_errors_of_the_service_land_on_the_survivor_they_name(client, login, users, orgs, monkeypatch):
    """The service numbers the filled-in survivors; a blank added form in
    between must not shift its errors onto the wrong survivor."""

    def refuse(**kwargs):
        raise ValidationError({"survivors.1.address": ["Too vague."], "__all__": ["Try again."]})

    monkeypatch.setattr(services, "referral_create", refuse)
    login(users["police"])
    blank = {"survivors-1-children_in_household": "0"}
    response = client.post(CREATE, create_post(orgs["provider"], survivors=[survivor_post(0), blank, survivor_post(2)]))
    forms = response.context["formset"].forms
    assert forms[2].errors["address"] == ["Too vague."]
    assert not forms[0].errors and not forms[1].errors
    assert response.context["form"].non_field_errors() == ["Try again."]


# --- referrals:police_list ---------------------------------------------------


def test_police_see_their_units_referrals_newest_first(client, login, users, orgs):
    older = f.make_referral(
        police=users["police2"], provider=orgs["provider"], person=f.person_data(family_name="Older")
    )
    newer = f.make_referral(
        police=users["police"], provider=orgs["provider"], person=f.person_data(family_name="Newer")
    )
    f.make_referral(
        police=users["other_police"], provider=orgs["other_provider"], person=f.person_data(family_name="Foreign")
    )
    services.referral_decline(referral=older, by=users["psychologist"], reason="no_capacity")
    login(users["police"])
    response = client.get(LIST)
    assert response.status_code == 200
    assert [r.pk for r in response.context["page"].object_list] == [newer.pk, older.pk]
    content = response.content.decode()
    assert "Foreign" not in content
    assert "Newer Бакыт" in content
    assert "Bishkek Consultation Room" in content
    assert "referral-status-declined" in content
    assert "No capacity" in content
    assert newer.order_current_expiry.strftime("%d.%m.%Y") in content


def test_the_list_shows_the_expiry_of_the_latest_extension(client, login, users, orgs, referral):
    new_expiry = referral.order_expires_on + dt.timedelta(days=20)
    services.referral_extend_order(
        referral=referral, by=users["police"], extended_on=TODAY, new_expiry=new_expiry, obliges_programme=True
    )
    login(users["police"])
    assert new_expiry.strftime("%d.%m.%Y") in client.get(LIST).content.decode()


def test_an_empty_list_offers_a_new_referral(client, login, users):
    login(users["police"])
    content = client.get(LIST).content.decode()
    assert "Your organisation has not entered any referrals yet." in content
    assert f'href="{CREATE}"' in content


def test_a_court_clerks_list_speaks_of_the_court_not_of_a_police_unit(client, login, users):
    login(users["court_clerk"])
    response = client.get(LIST)
    content = response.content.decode()
    assert response.status_code == 200
    assert '<h1 class="h3 mb-0">Our organisation\'s referrals</h1>' in content
    assert "Your organisation has not entered any referrals yet." in content
    assert "unit" not in content.lower().replace("community", "")


def test_search_by_name_order_number_and_reference(client, login, users, orgs):
    first = f.make_referral(
        police=users["police"], provider=orgs["provider"], person=f.person_data(family_name="Жумабаев")
    )
    second = f.make_referral(
        police=users["police"], provider=orgs["provider"], order=f.order_data(order_number="PO-777-X")
    )
    login(users["police"])

    def search(term):
        response = client.post(LIST, {"q": term})
        assert response.status_code == 302 and response["Location"] == LIST
        return [r.pk for r in client.get(LIST).context["page"].object_list]

    assert search("жумабаев бакыт") == [first.pk]
    assert search("PO-777") == [second.pk]
    assert search(f"R-{second.pk:05d}") == [second.pk]
    assert search("nobody") == []
    assert "No referrals match this search." in client.get(LIST).content.decode()


def test_status_filter(client, login, users, orgs):
    declined = f.make_referral(police=users["police"], provider=orgs["provider"])
    f.make_referral(police=users["police"], provider=orgs["provider"])
    services.referral_decline(referral=declined, by=users["psychologist"], reason="out_of_area")
    login(users["police"])
    response = client.get(LIST, {"status": "declined"})
    assert [r.pk for r in response.context["page"].object_list] == [declined.pk]
    assert len(client.get(LIST, {"status": "nonsense"}).context["page"].object_list) == 2


def test_the_list_is_paginated(client, login, users, orgs):
    for _ in range(27):
        f.make_referral(police=users["police"], provider=orgs["provider"])
    login(users["police"])
    assert len(client.get(LIST).context["page"].object_list) == 25
    second = client.get(LIST, {"page": 2})
    assert len(second.context["page"].object_list) == 2
    assert "Page 2 of 2" in second.content.decode()


def _list_queries(client, n_before: int, n: int, users, orgs) -> int:
    for _ in range(n - n_before):
        referral = f.make_referral(police=users["police"], provider=orgs["provider"])
        services.referral_extend_order(
            referral=referral,
            by=users["police"],
            extended_on=TODAY,
            new_expiry=referral.order_expires_on + dt.timedelta(days=5),
            obliges_programme=False,
        )
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST).status_code == 200
    return len(queries)


def test_the_list_query_count_does_not_grow_with_the_rows(client, login, users, orgs):
    login(users["police"])
    client.get(LIST)  # warm the session
    with_three = _list_queries(client, 0, 3, users, orgs)
    with_thirty = _list_queries(client, 3, 30, users, orgs)
    assert with_three == with_thirty


# --- referrals:police_detail -------------------------------------------------


def _reads():
    return SensitiveRead.objects.filter(record_type="survivor")


def test_the_entering_officer_sees_the_survivors_and_each_view_is_recorded(client, login, users, orgs):
    referral = f.make_referral(
        police=users["police"],
        provider=orgs["provider"],
        survivors=[f.survivor_data(), f.survivor_data(given_name="Dinara", phone="+996700111222")],
    )
    login(users["police"])
    response = client.get(detail_url(referral))
    content = response.content.decode()
    assert response.status_code == 200
    assert "+996700987654" in content and "+996700111222" in content
    assert "Бишкек, мкр. Тайный 7, кв. 3" in content
    assert "Асанова Айгуль" in content
    survivor_ids = sorted(referral.survivors.values_list("pk", flat=True))
    reads = _reads()
    assert sorted(reads.values_list("record_id", flat=True)) == survivor_ids
    assert set(reads.values_list("user", "view")) == {(users["police"].pk, "referrals:police_detail")}
    client.get(detail_url(referral))
    assert _reads().count() == 4


def test_another_officer_of_the_unit_sees_the_status_but_not_the_survivors(client, login, users, referral):
    login(users["police2"])
    response = client.get(detail_url(referral))
    content = response.content.decode()
    assert response.status_code == 200
    assert referral.reference in content
    assert "Survivor details are visible to the officer who entered them." in content
    assert "+996700987654" not in content
    assert "Тайный" not in content
    assert "Айгуль" not in content
    assert "Pushed and threatened" not in content
    assert _reads().count() == 0


def test_the_police_status_page_shows_nothing_clinical(client, login, users, orgs):
    referral = f.make_referral(police=users["police"], provider=orgs["provider"])
    answers = {"no_addiction": "met", "no_mental_disorder": "met"}
    services.screening_save(
        referral=referral, by=users["psychologist"], answers=answers, notes="SCREENING NOTE: drinks at weekends"
    )
    services.referral_accept(referral=referral, by=users["psychologist"])
    referral.refresh_from_db()
    f.open_case(referral, users["psychologist"])
    login(users["police"])
    content = client.get(detail_url(referral)).content.decode()
    assert "Referral accepted" in content
    assert "Case opened at intake" in content
    for clinical in [
        "SCREENING NOTE",
        "drinks at weekends",
        "Initial assessment notes.",
        "Came on time",
        "Two earlier incidents",
        "Risk assessed",
        "Intake interview recorded",
        "Consent recorded",
        "Screening answers",
    ]:
        assert clinical not in content


def test_the_police_see_the_decline_reason_and_explanation(client, login, users, referral):
    services.referral_decline(
        referral=referral, by=users["psychologist"], reason="other", explanation="Moved to Osh; refer there."
    )
    login(users["police2"])
    content = client.get(detail_url(referral)).content.decode()
    assert "Declined" in content
    assert "Other" in content
    assert "Moved to Osh; refer there." in content


def test_an_officer_of_another_unit_gets_404(client, login, users, referral):
    login(users["other_police"])
    assert client.get(detail_url(referral)).status_code == 404
    assert _reads().count() == 0


# --- referrals:extend_order ----------------------------------------------------


def test_an_officer_of_the_unit_extends_the_order(client, login, users, referral):
    login(users["police2"])
    assert client.get(extend_url(referral)).status_code == 200
    new_expiry = referral.order_expires_on + dt.timedelta(days=30)
    response = client.post(
        extend_url(referral),
        {"extended_on": TODAY.isoformat(), "new_expiry": new_expiry.isoformat(), "obliges_programme": "on"},
        follow=True,
    )
    assert response.redirect_chain == [(detail_url(referral), 302)]
    extension = referral.order_extensions.get()
    assert (extension.new_expiry, extension.recorded_by) == (new_expiry, users["police2"])
    content = response.content.decode()
    assert "The extension of the protection order has been recorded." in content
    assert "Protection order extended" in content


def test_it_rejects_a_new_expiry_before_the_current_one(client, login, users, referral):
    login(users["police"])
    response = client.post(
        extend_url(referral),
        {"extended_on": TODAY.isoformat(), "new_expiry": referral.order_expires_on.isoformat()},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["new_expiry"] == [
        f"The new expiry date must be after the current one ({referral.order_expires_on})."
    ]
    assert ProtectionOrderExtension.objects.count() == 0


def test_it_rejects_a_future_extension_date(client, login, users, referral):
    login(users["police"])
    response = client.post(
        extend_url(referral),
        {
            "extended_on": (TODAY + dt.timedelta(days=2)).isoformat(),
            "new_expiry": (TODAY + dt.timedelta(days=90)).isoformat(),
        },
    )
    assert response.context["form"].errors["extended_on"] == ["This date is in the future."]
    assert ProtectionOrderExtension.objects.count() == 0


def test_a_referral_without_an_order_cannot_be_extended(client, login, users, orgs):
    referral = f.make_referral(
        police=users["police"],
        provider=orgs["provider"],
        order=f.order_data(order_number="", order_issued_on=None, order_expires_on=None, order_obliges_programme=False),
    )
    login(users["police"])
    response = client.post(extend_url(referral), {"extended_on": TODAY.isoformat(), "new_expiry": "2099-01-01"})
    assert response.context["form"].non_field_errors() == ["This referral has no protection order to extend."]
    assert ProtectionOrderExtension.objects.count() == 0


def test_extending_another_units_order_is_404(client, login, users, referral):
    login(users["other_police"])
    assert client.get(extend_url(referral)).status_code == 404
    response = client.post(extend_url(referral), {"extended_on": TODAY.isoformat(), "new_expiry": "2099-01-01"})
    assert response.status_code == 404
    assert ProtectionOrderExtension.objects.count() == 0


def test_provider_staff_cannot_extend_orders(client, login, users, referral):
    login(users["psychologist"])
    assert client.post(extend_url(referral), {"extended_on": TODAY.isoformat()}).status_code == 403


def test_the_detail_reads_the_order_extensions_once(client, login, users, referral):
    """GIVEN a referral whose order was extended twice
    WHEN its officer opens it
    THEN the extensions, listed and giving the current expiry, are read in one query."""
    for days in (5, 9):
        services.referral_extend_order(
            referral=referral,
            by=users["police"],
            extended_on=TODAY,
            new_expiry=referral.order_expires_on + dt.timedelta(days=days),
            obliges_programme=False,
        )
    login(users["police"])
    with CaptureQueriesContext(connection) as queries:
        content = client.get(detail_url(referral)).content.decode()
    assert sum('FROM "referrals_protectionorderextension"' in query["sql"] for query in queries) == 1
    assert (referral.order_expires_on + dt.timedelta(days=9)).strftime("%d.%m.%Y") in content
