"""A template's monitoring after the programme on the template pages: shown
on the detail, edited on the provider's own version, refused field by field."""

from __future__ import annotations

from django.urls import reverse

from programmes import services
from tests import factories as f
from tests.programmes.test_views_setup_templates import edit_data


def test_the_detail_says_who_monitors_and_how_often(login, users):
    chance = f.shipped_template("kg-chance-mandatory-men")
    page = login(users["manager"]).get(reverse("programmes:template_detail", args=[chance.pk])).content.decode()
    text = " ".join(page.split())
    assert "State social-development department · a meeting every 3 months for 18 months after completion" in text


def test_a_template_naming_nobody_says_none(login, users):
    women = f.shipped_template("kg-chance-women")
    page = login(users["manager"]).get(reverse("programmes:template_detail", args=[women.pk])).content.decode()
    section = " ".join(page.split()).split("Monitoring after the programme</dt>")[1]
    assert section.strip().startswith('<dd class="col-sm-8"> None </dd>')


def test_the_provider_changes_the_monitoring_of_its_own_version(login, users, orgs):
    own = services.template_copy(template=f.shipped_template("kg-chance-mandatory-men"), provider=orgs["provider"],
                                 by=users["manager"])  # fmt: skip
    client = login(users["manager"])
    url = reverse("programmes:template_edit", args=[own.pk])
    assert client.get(url).context["form"]["monitoring_bodies"].value() == ["social_development"]
    data = edit_data(own, monitoring_bodies=["social_development", "local_government"],
                     monitoring_interval_months=6, monitoring_months=12)  # fmt: skip
    assert client.post(url, data).status_code == 302
    own.refresh_from_db()
    assert (own.monitoring_bodies, own.monitoring_interval_months, own.monitoring_months) == (
        ["social_development", "local_government"], 6, 12,
    )  # fmt: skip


def test_bodies_without_a_rhythm_are_field_errors(login, users, orgs):
    own = services.template_copy(template=f.shipped_template("kg-annex3-voluntary-men"), provider=orgs["provider"],
                                 by=users["manager"])  # fmt: skip
    response = login(users["manager"]).post(
        reverse("programmes:template_edit", args=[own.pk]), edit_data(own, monitoring_bodies=["police_unit"])
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["monitoring_interval_months"] == ["Say how often the monitoring bodies meet the person."]
    assert errors["monitoring_months"] == ["Say for how many months the person is monitored."]
    own.refresh_from_db()
    assert own.monitoring_bodies == []
