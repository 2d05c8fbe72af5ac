"""Enrolling a case (with the legal obligation window beside the form),
moving a participant to another group, transferring to another provider."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import formats, timezone

from casework.models import Case
from programmes.models import Enrolment, Session
from referrals.models import Referral
from tests import factories as f
from tests.programmes.conftest import days, fill_diary


def enrol_url(case) -> str:
    return reverse("programmes:enrol", args=[case.pk])


def move_url(enrolment) -> str:
    return reverse("programmes:move_group", args=[enrolment.pk])


def transfer_url(enrolment) -> str:
    return reverse("programmes:transfer", args=[enrolment.pk])


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def enrol_data(template, group, psychologist, **overrides) -> dict:
    data = {
        "template": template.pk,
        "group": group.pk if group else "",
        "psychologist": psychologist.pk,
        "starts_on": days(0).isoformat(),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v != ""}


# --- the enrol page ----------------------------------------------------------------


@pytest.mark.parametrize("role", ["psychologist", "social_worker"])
def test_the_page_offers_the_persons_programmes_and_groups(client, login, users, case, men, women, group_of, role):
    group = group_of(men, name="Tuesday men", capacity=10)
    group_of(women, name="Women on Monday", sex="female")
    login(users[role])

    response = client.get(enrol_url(case))

    assert response.status_code == 200
    form = response.context["form"]
    offered = [value for value, _label in form.fields["template"].choices if value]
    assert men.pk in offered and women.pk not in offered  # the person is a man
    groups = [value for _programme, options in form.fields["group"].choices[1:] for value, _label in options]
    assert groups == [group.pk]
    content = response.content.decode()
    assert "Tuesday men" in content and "10 places left" in content
    assert "Women on Monday" not in content
    assert f'data-programme="{men.code}:"' in content
    assert f'hx-get="{enrol_url(case)}"' in content


def test_the_page_shows_the_legal_obligation_window(client, login, users, case, men):
    referral = case.referral
    login(users["psychologist"])

    response = client.get(enrol_url(case), {"template": men.pk, "starts_on": days(0).isoformat()})

    window = response.context["window"]
    assert window["programme_ends_on"] == days(182)
    page = text(response)
    expiry = referral.order_expires_on
    assert f"Current expiry {formats.date_format(expiry, 'SHORT_DATE_FORMAT')}" in page
    assert f"Days of legal obligation left {(expiry - days(0)).days}" in page
    assert f"Programme ends {formats.date_format(days(182), 'SHORT_DATE_FORMAT')}" in page
    weeks = (days(182) - expiry).days // 7
    assert (
        f"The legal obligation ends on {formats.date_format(expiry, 'DATE_FORMAT')} — {weeks} weeks before "
        "the programme ends. Plan motivation work." in page
    )
    assert 'class="mb-0 alert alert-warning pset-window-warning"' in response.content.decode()


def test_the_window_follows_the_choice_through_htmx(client, login, users, case, any_sex):
    login(users["psychologist"])

    response = client.get(
        enrol_url(case), {"template": any_sex.pk, "starts_on": days(0).isoformat()}, HTTP_HX_REQUEST="true"
    )

    content = response.content.decode()
    assert content.lstrip().startswith('<section class="card mb-3 pset-legal-window" id="pset-legal-window"')
    assert "<html" not in content
    # 4 weeks against an order that runs 28 more days: the obligation outlasts the programme.
    assert "The legal obligation lasts until the programme ends." in text(response)


def test_the_window_without_an_order_says_it_rests_on_motivation(client, login, users, orgs, men):
    referral = f.make_referral(
        police=users["police"],
        provider=orgs["provider"],
        order=f.order_data(
            order_number="",
            order_issued_on=None,
            order_expires_on=None,
            order_obliges_programme=False,
            order_issuing_authority="",
        ),
    )
    case = f.open_case(referral, users["psychologist"])
    login(users["psychologist"])

    response = client.get(enrol_url(case), {"template": men.pk})

    assert "There is no protection order: attendance rests on motivation for the whole programme." in text(response)


def test_it_enrols_and_goes_back_to_the_case(client, login, users, case, men, group_of):
    group = group_of(men)
    login(users["psychologist"])

    response = client.post(enrol_url(case), enrol_data(men, group, users["psychologist"]))

    assert response.status_code == 302
    assert response["Location"] == reverse("casework:case_detail", args=[case.pk])
    enrolment = Enrolment.objects.get(case=case)
    assert (enrolment.template, enrolment.group, enrolment.psychologist) == (men, group, users["psychologist"])
    assert enrolment.individual_sessions.count() == 2
    case.referral.refresh_from_db()
    assert case.referral.status == Referral.Status.ENROLLED
    page = client.get(response["Location"]).content.decode()
    assert f"Case {case.number} is enrolled in {men.name}; the individual sessions are planned." in page
    first = timezone.localtime(enrolment.individual_sessions.get(number=1).starts_at)
    assert first >= timezone.now() + dt.timedelta(hours=24)
    when = f"{formats.date_format(first.date(), 'SHORT_DATE_FORMAT')} at {first:%H:%M}"
    assert f"The first individual session is on {when}: tell the person." in page


def test_a_full_diary_is_said_on_the_form_and_asks_before_a_clash(client, login, users, case, men, group_of, settings):
    settings.PROGRAMME_DAY_FIRST_HOUR = settings.PROGRAMME_DAY_LAST_HOUR = 10  # one hour a day
    group = group_of(men)
    psychologist = users["psychologist"]
    other = f.make_open_case(police=users["police"], provider=case.provider, by=psychologist)
    blocker = f.enrol_case(other, by=psychologist, template=men, group=group)
    fill_diary(blocker, psychologist, timezone.localdate() + dt.timedelta(days=1), 40)
    login(psychologist)
    data = enrol_data(men, group, psychologist)

    response = client.post(enrol_url(case), data)

    assert response.status_code == 200
    errors = response.context["form"].errors["allow_clash"]
    assert "has no free hour within 14 days" in errors[0]
    assert 'name="allow_clash"' in response.content.decode()
    assert not Enrolment.objects.filter(case=case).exists()

    response = client.post(enrol_url(case), {**data, "allow_clash": "on"})
    assert response.status_code == 302
    assert Enrolment.objects.get(case=case).individual_sessions.count() == 2


def test_a_woman_cannot_join_a_mens_group(client, login, users, new_case, any_sex, group_of):
    woman = new_case(sex="female", given_name="Гульнара")
    mens_group = group_of(any_sex, sex="male")
    login(users["psychologist"])

    response = client.post(enrol_url(woman), enrol_data(any_sex, mens_group, users["psychologist"]))

    assert response.status_code == 200
    assert response.context["form"].errors == {"group": ["Men and women are never in one group."]}
    assert not Enrolment.objects.filter(case=woman).exists()
    assert not Session.objects.filter(kind="individual").exists()


def test_a_woman_cannot_join_a_mens_programme(client, login, users, new_case, men, group_of):
    woman = new_case(sex="female")
    login(users["psychologist"])

    response = client.post(enrol_url(woman), enrol_data(men, group_of(men), users["psychologist"]))

    assert response.context["form"].errors["template"] == ["This programme is for men only."]
    assert not Enrolment.objects.exists()


def test_a_full_group_takes_nobody_else(client, login, users, case, new_case, men, group_of, enrol):
    group = group_of(men, capacity=1)
    enrol(new_case(), men, group)
    login(users["psychologist"])

    page = client.get(enrol_url(case)).content.decode()
    assert "full" in page
    response = client.post(enrol_url(case), enrol_data(men, group, users["psychologist"]))

    assert response.context["form"].errors == {"group": ["The group is full."]}
    assert not Enrolment.objects.filter(case=case).exists()


def test_a_closed_group_that_started_takes_nobody_else(client, login, users, case, men, group_of):
    group = group_of(men, intake="closed", starts_on=days(-7))
    login(users["psychologist"])

    assert "closed intake, started" in client.get(enrol_url(case)).content.decode()
    response = client.post(enrol_url(case), enrol_data(men, group, users["psychologist"]))

    assert response.context["form"].errors == {"group": ["The group has closed intake and has already started."]}
    assert not Enrolment.objects.exists()


def test_a_programme_with_group_sessions_needs_a_group(client, login, users, case, men):
    login(users["psychologist"])

    response = client.post(enrol_url(case), enrol_data(men, None, users["psychologist"]))

    assert response.context["form"].errors == {"group": ["Choose a group."]}
    assert not Enrolment.objects.exists()


def test_a_bad_date_keeps_what_was_chosen(client, login, users, case, men, group_of):
    group = group_of(men)
    login(users["psychologist"])

    response = client.post(enrol_url(case), enrol_data(men, group, users["psychologist"], starts_on="not a date"))

    assert response.context["form"].errors == {"starts_on": ["Enter a valid date."]}
    assert response.context["form"]["group"].value() == str(group.pk)
    assert not Enrolment.objects.exists()


def test_an_enrolled_case_shows_its_enrolment_instead_of_the_form(client, login, users, case, men, group_of, enrol):
    enrolment = enrol(case, men, group_of(men, name="Tuesday men"))
    login(users["psychologist"])

    response = client.get(enrol_url(case))

    assert response.context["form"] is None
    content = response.content.decode()
    assert move_url(enrolment) in content and transfer_url(enrolment) in content
    assert client.post(enrol_url(case), enrol_data(men, enrolment.group, users["psychologist"])).status_code == 200
    assert Enrolment.objects.filter(case=case).count() == 1


def test_a_closed_case_cannot_be_enrolled(client, login, users, case, men):
    Case.objects.filter(pk=case.pk).update(status=Case.Status.CLOSED)
    login(users["psychologist"])

    response = client.get(enrol_url(case))

    assert response.context["form"] is None
    assert "This case is closed." in response.content.decode()


def test_the_case_page_links_to_the_enrol_page(client, login, users, case):
    login(users["psychologist"])

    content = client.get(reverse("casework:case_detail", args=[case.pk])).content.decode()

    assert f'href="{enrol_url(case)}">Enrol in a programme</a>' in content


@pytest.mark.parametrize("role", ["manager", "police", "survivor_worker", "monitoring", "provider_admin"])
def test_only_clinical_staff_enrol(client, login, users, case, men, group_of, role):
    group = group_of(men)
    login(users[role])

    assert client.get(enrol_url(case)).status_code == 403
    assert client.post(enrol_url(case), enrol_data(men, group, users["psychologist"])).status_code == 403
    assert not Enrolment.objects.exists()


# --- move ------------------------------------------------------------------------


@pytest.fixture
def enrolled(case, men, group_of, enrol):
    return enrol(case, men, group_of(men, name="Tuesday men"))


@pytest.mark.parametrize("role", ["psychologist", "social_worker", "manager"])
def test_a_participant_moves_to_another_group(client, login, users, enrolled, men, group_of, role):
    other = group_of(men, name="Friday men")
    login(users[role])

    page = client.get(move_url(enrolled))
    assert "Friday men" in page.content.decode()
    assert [v for v, _l in page.context["form"].fields["group"].choices[1][1]] == [other.pk]
    response = client.post(move_url(enrolled), {"group": other.pk})

    assert response["Location"] == reverse("programmes:group_detail", args=[other.pk])
    enrolled.refresh_from_db()
    assert enrolled.group == other
    assert (
        f"Case {enrolled.case.number} moved to group Friday men." in client.get(response["Location"]).content.decode()
    )


def test_a_man_cannot_move_into_a_womens_group(client, login, users, case, any_sex, group_of, enrol):
    enrolment = enrol(case, any_sex, group_of(any_sex, sex="male"))
    womens = group_of(any_sex, sex="female", name="Women")
    login(users["psychologist"])

    response = client.post(move_url(enrolment), {"group": womens.pk})

    assert response.context["form"].errors == {"group": ["Men and women are never in one group."]}
    enrolment.refresh_from_db()
    assert enrolment.group != womens


def test_moving_needs_a_group(client, login, users, enrolled):
    login(users["psychologist"])

    response = client.post(move_url(enrolled), {})

    assert response.context["form"].errors == {"group": ["This field is required."]}


def test_an_ended_enrolment_is_not_moved(client, login, users, enrolled, orgs):
    from programmes import services

    services.enrolment_transfer(
        enrolment=enrolled, provider=orgs["other_provider"], by=users["manager"], reason="Moved"
    )
    login(users["psychologist"])

    response = client.get(move_url(enrolled))

    assert response.context["form"] is None
    assert "This enrolment has already ended." in response.content.decode()


# --- transfer --------------------------------------------------------------------


def test_a_participant_is_transferred(client, login, users, orgs, enrolled):
    login(users["manager"])

    response = client.post(
        transfer_url(enrolled), {"provider": orgs["other_provider"].pk, "reason": "Moved to Khujand"}
    )

    assert response["Location"] == reverse("casework:case_list")
    enrolled.refresh_from_db()
    assert (enrolled.status, enrolled.transferred_to, enrolled.end_reason) == (
        "transferred",
        orgs["other_provider"],
        "Moved to Khujand",
    )
    assert Case.objects.get(pk=enrolled.case_id).provider == orgs["other_provider"]
    page = client.get(response["Location"]).content.decode()
    assert f"Case {enrolled.case.number} was transferred to Khujand Consultation Room" in page


def test_a_transfer_needs_a_reason_and_another_provider(client, login, users, orgs, enrolled):
    login(users["psychologist"])

    response = client.post(transfer_url(enrolled), {"provider": orgs["provider"].pk, "reason": ""})

    assert response.context["form"].errors == {
        "provider": ["Choose another active programme provider."],
        "reason": ["This field is required."],
    }
    enrolled.refresh_from_db()
    assert enrolled.status == "active"
