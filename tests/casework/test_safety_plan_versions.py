"""The safety plan's saved versions: every save is kept by a database trigger,
as ciphertext; casework:safety_plan_versions lists them without their text,
casework:safety_plan_version shows one and records the read."""

from __future__ import annotations

# ruff: noqa: S608 - the table name is the constant below
import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from casework.models import SafetyPlan, SafetyPlanVersion
from casework.services import safety_plan_save
from core.models import SensitiveRead
from tests import factories as f
from tests.casework.conftest import plan_data

RT = SensitiveRead.RecordType
TABLE = "casework_safetyplanversion"
TEXT_COLUMNS = ("risks", "safe_contacts", "safe_places", "code_word", "children_safety")


@pytest.fixture
def survivor(case_with_service):
    return case_with_service.referral.survivors.get()


@pytest.fixture
def plan(case_with_service, survivor, users):
    """Saved twice: the code word was "apricot", then "lemon tree"."""
    safety_plan_save(case=case_with_service, survivor=survivor, by=users["survivor_worker"], **plan_data())
    return safety_plan_save(
        case=case_with_service,
        survivor=survivor,
        by=users["survivor_worker"],
        **plan_data(code_word="lemon tree", safe_places="Crisis centre shelter"),
    )


def _versions_url(case, survivor):
    return reverse("casework:safety_plan_versions", args=[case.pk, survivor.pk])


def _version_url(case, survivor, version):
    return reverse("casework:safety_plan_version", args=[case.pk, survivor.pk, version.pk])


def test_every_save_is_kept_as_a_version(plan):
    versions = list(SafetyPlanVersion.objects.filter(pgh_obj=plan).order_by("pgh_id"))
    assert [(v.pgh_label, v.code_word, v.safe_places) for v in versions] == [
        ("created", "apricot", "Sister's flat"),
        ("changed", "lemon tree", "Crisis centre shelter"),
    ]
    assert SafetyPlan.objects.get().code_word == "lemon tree"
    assert {v.updated_by_id for v in versions} == {plan.updated_by_id}


def test_the_application_role_writes_the_versions_through_the_trigger(case_with_service, survivor, users):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == settings.DATABASE_APP_ROLE
    safety_plan_save(case=case_with_service, survivor=survivor, by=users["survivor_worker"], **plan_data())
    assert SafetyPlanVersion.objects.count() == 1


def test_the_history_table_holds_the_same_ciphertext_never_clear_text(plan):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT row_to_json(v)::text FROM {TABLE} v")
        rows = [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT {', '.join(TEXT_COLUMNS)} FROM {TABLE} ORDER BY pgh_id DESC LIMIT 1")
        newest = cursor.fetchone()
        cursor.execute(f"SELECT {', '.join(TEXT_COLUMNS)} FROM casework_safetyplan")
        current = cursor.fetchone()
    assert len(rows) == 2
    for clear in ("apricot", "lemon tree", "workplace", "Gulnara", "Sister", "shelter", "neighbour"):
        assert not any(clear in row for row in rows)
    assert all(value.startswith("fernet:") for value in newest)
    assert newest == current  # the trigger copies the stored row: no second encryption, no decryption


def test_a_version_cannot_be_changed_or_deleted(plan):
    for statement in (f"UPDATE {TABLE} SET code_word = ''", f"DELETE FROM {TABLE}"):
        with pytest.raises(DatabaseError, match="Cannot update or delete rows"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement)
    assert SafetyPlanVersion.objects.count() == 2


def test_the_list_shows_who_saved_each_version_and_when_and_records_no_read(
    client, login, users, case_with_service, survivor, plan
):
    login(users["survivor_worker"])
    response = client.get(_versions_url(case_with_service, survivor))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    content = response.content.decode()
    newest, oldest = SafetyPlanVersion.objects.order_by("-pgh_id")
    assert [(n, v.pk) for n, v in response.context["rows"]] == [(2, newest.pk), (1, oldest.pk)]
    assert _version_url(case_with_service, survivor, oldest) in content
    assert users["survivor_worker"].get_full_name() in content
    assert "apricot" not in content and "lemon tree" not in content
    assert SensitiveRead.objects.count() == 0


def test_a_version_shows_its_own_text_and_records_one_read(client, login, users, case_with_service, survivor, plan):
    oldest = SafetyPlanVersion.objects.order_by("pgh_id").first()
    login(users["survivor_worker"])
    response = client.get(_version_url(case_with_service, survivor, oldest))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    content = response.content.decode()
    assert "apricot" in content and "Sister&#x27;s flat" in content
    assert "lemon tree" not in content and "Crisis centre shelter" not in content
    assert (response.context["number"], response.context["total"]) == (1, 2)
    reads = list(SensitiveRead.objects.values_list("user", "record_type", "record_id", "view"))
    assert reads == [(users["survivor_worker"].pk, RT.SAFETY_PLAN, plan.pk, "casework:safety_plan_version")]


def test_the_plan_page_links_to_its_versions(client, login, users, case_with_service, survivor, plan):
    login(users["survivor_worker"])
    content = client.get(reverse("casework:safety_plan", args=[case_with_service.pk, survivor.pk])).content.decode()
    assert _versions_url(case_with_service, survivor) in content


def test_a_version_of_another_survivors_plan_is_404_and_nothing_is_read(
    client, login, users, orgs, case_with_service, survivor, plan
):
    """GIVEN a second case referred to the same service, with its own plan,
    WHEN her version is asked for under the first survivor's address, THEN
    404 and no read is recorded."""
    from casework.services import survivor_service_refer

    other_case = f.open_case(f.make_referral(police=users["police"], provider=orgs["provider"]), users["psychologist"])
    survivor_service_refer(case=other_case, organisation=orgs["survivor_service"], by=users["social_worker"])
    other = other_case.referral.survivors.get()
    safety_plan_save(case=other_case, survivor=other, by=users["survivor_worker"], **plan_data(code_word="plum"))
    theirs = SafetyPlanVersion.objects.get(survivor_id=other.pk)
    login(users["survivor_worker"])
    assert client.get(_version_url(other_case, other, theirs)).status_code == 200
    reads_before = SensitiveRead.objects.count()
    response = client.get(_version_url(case_with_service, survivor, theirs))
    assert response.status_code == 404
    assert "plum" not in response.content.decode()
    assert SensitiveRead.objects.count() == reads_before
