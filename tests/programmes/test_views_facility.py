"""A prison's officer sees the attendance of the groups held at the prison:
each session's date and who is to be brought or who attended, and nothing
else (no notes, topics, risk, survivor data). Another facility's officer
gets 404; every other role 403 (tests/test_permission_matrix.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Organisation, Role
from programmes.models import Group
from tests import factories as f
from tests.programmes.views_sessions_support import MEN, days, earlier_today

pytestmark = pytest.mark.django_db


@pytest.fixture
def prison_group(users, orgs):
    """A men's group at the standing prison whose first session was earlier
    today, with two men; the first session logged (one present, one absent)
    with a note."""
    template = f.shipped_template(MEN)
    group = f.make_group(
        by=users["psychologist"],
        template=template,
        name="Colony 47 men",
        starts_on=days(0),
        time_of_day=earlier_today(),
        location="Colony club room",
        setting="prison",
        facility=orgs["prison"],
        psychologist=users["psychologist"],
        social_worker=users["social_worker"],
    )
    people = [
        f.enrol_case(
            f.make_open_case(
                police=users["police"],
                provider=orgs["provider"],
                by=users["psychologist"],
                family_name=family,
                given_name="Бакыт",
            ),
            by=users["psychologist"],
            template=template,
            group=group,
            psychologist=users["psychologist"],
        )
        for family in ("Асанов", "Бекешов")
    ]
    first = group.sessions.get(number=1)
    from programmes import services

    services.attendance_log(
        session=first,
        by=users["psychologist"],
        marks={people[0].pk: "present", people[1].pk: "unexcused"},
        topic_covered="Naming the violence",
        notes="SECRET-SESSION-NOTE",
    )
    return group


def test_the_officer_lists_the_groups_held_at_the_facility(client, login, users, orgs, prison_group):
    f.make_group(by=users["psychologist"], template=f.shipped_template(MEN), name="Consultation room men")
    login(users["facility_officer"])
    response = client.get(reverse("programmes:facility_groups"))
    content = response.content.decode()
    assert [g.name for g in response.context["groups"]] == ["Colony 47 men"]
    assert response.context["groups"][0].active_count == 2
    assert "Bishkek Consultation Room" in content
    assert "Consultation room men" not in content


def test_the_officer_sees_who_attended_and_whom_to_bring(client, login, users, prison_group):
    login(users["facility_officer"])
    response = client.get(reverse("programmes:facility_group", args=[prison_group.pk]))
    assert response.status_code == 200
    past = response.context["past"]
    assert [(s.number, [(p.name, p.mark) for p in s.people]) for s in past] == [
        (1, [("Асанов Бакыт", "present"), ("Бекешов Бакыт", "unexcused")])
    ]
    upcoming = response.context["upcoming"]
    assert len(upcoming) == 23
    assert [p.name for p in upcoming[0].people] == ["Асанов Бакыт", "Бекешов Бакыт"]
    content = response.content.decode()
    assert "Unexcused absence" in content and "Present" in content
    assert "Colony club room" in content


def test_the_page_shows_no_notes_topics_risk_or_survivor_data(client, login, users, prison_group):
    login(users["facility_officer"])
    content = client.get(reverse("programmes:facility_group", args=[prison_group.pk])).content.decode()
    survivor = f.survivor_data()
    for secret in (
        "SECRET-SESSION-NOTE",
        "Naming the violence",
        prison_group.sessions.get(number=2).planned_topic,
        survivor["family_name"] + " ",
        survivor["given_name"],
        survivor["phone"],
        survivor["address"],
        "threat_to_kill",
        "Pushed and threatened",
    ):
        assert secret not in content


def test_the_page_reads_in_a_fixed_number_of_queries(client, login, users, prison_group, django_assert_max_num_queries):
    login(users["facility_officer"])
    client.get(reverse("programmes:facility_group", args=[prison_group.pk]))
    with django_assert_max_num_queries(20):
        client.get(reverse("programmes:facility_group", args=[prison_group.pk]))


def test_another_facility_neither_sees_nor_lists_the_group(client, login, prison_group):
    other = f.make_org(Organisation.Kind.PRISON, name="Colony No. 1")
    officer = f.make_user(other, Role.FACILITY_OFFICER)
    login(officer)
    assert client.get(reverse("programmes:facility_group", args=[prison_group.pk])).status_code == 404
    assert list(client.get(reverse("programmes:facility_groups")).context["groups"]) == []


def test_a_group_that_left_the_prison_is_no_longer_the_facilitys(client, login, users, prison_group):
    Group.objects.filter(pk=prison_group.pk).update(setting="room", facility=None)
    login(users["facility_officer"])
    assert client.get(reverse("programmes:facility_group", args=[prison_group.pk])).status_code == 404


def test_the_facility_administrator_is_refused(client, login, orgs, prison_group):
    login(f.make_user(orgs["prison"], Role.ORG_ADMIN))
    assert client.get(reverse("programmes:facility_groups")).status_code == 403
    assert client.get(reverse("programmes:facility_group", args=[prison_group.pk])).status_code == 403


def test_the_officer_starts_at_the_facility_groups(client, login, users):
    login(users["facility_officer"])
    response = client.get(reverse("frontdoor:home"))
    assert response.status_code == 302
    assert response.url == reverse("programmes:facility_groups")
