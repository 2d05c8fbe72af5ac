"""The demo data behind `make run`: built through the services, idempotent,
and signed in to with the documented password and TOTP secret."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings

from accounts.models import Organisation, Role, User
from casework.models import Case, SafetyPlan, SurvivorContact, SurvivorServiceReferral
from core import demo
from core.models import SensitiveRead
from referrals.models import Person, Referral, TimelineEntry

pytestmark = pytest.mark.django_db

K = Organisation.Kind


def rfc6238(secret_b32: str, at: float) -> str:
    """An independent TOTP (SHA-1, 30 s, 6 digits), as an authenticator app computes it."""
    key = base64.b32decode(secret_b32)
    digest = hmac.new(key, struct.pack(">Q", int(at // 30)), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


@pytest.fixture
def loaded():
    return demo.load_demo_data()


def _referral(key: str) -> Referral:
    return Referral.objects.get(submission_key=demo._key(key))


def test_it_creates_every_kind_of_organisation_in_both_countries(loaded):
    kinds = set(Organisation.objects.values_list("country", "kind"))
    assert kinds == {(country, kind) for country in ("KG", "TJ") for kind in K.values}
    names = set(Organisation.objects.values_list("name", flat=True))
    assert {"Bishkek Consultation Room", "Sezim Crisis Centre", "Khujand Consultation Room"} <= names
    assert "Khujand Women's Resource Centre" in names


def test_it_creates_one_user_per_role_with_the_documented_usernames(loaded):
    roles = dict(User.objects.values_list("username", "membership__role"))
    assert roles == {
        "police.kg": Role.POLICE_OFFICER,
        "psychologist.kg": Role.PSYCHOLOGIST,
        "social.kg": Role.SOCIAL_WORKER,
        "manager.kg": Role.PROGRAMME_MANAGER,
        "crisis.kg": Role.SURVIVOR_WORKER,
        "monitor.kg": Role.MONITORING_VIEWER,
        "admin.kg": Role.ORG_ADMIN,
        "police.tj": Role.POLICE_OFFICER,
        "psychologist.tj": Role.PSYCHOLOGIST,
    }
    assert User.objects.get(username="police.tj").membership.organisation.country == "TJ"
    assert User.objects.get(username="crisis.kg").membership.organisation.name == "Sezim Crisis Centre"


def test_every_demo_user_has_the_password_and_a_confirmed_demo_totp_device(loaded):
    for user in User.objects.all():
        assert user.check_password("demo-Pass-2026!"), user.username
        device = user.totpdevice_set.get()
        assert device.confirmed
        assert device.key == "48656c6c6f21deadbeef"  # JBSWY3DPEHPK3PXP as hex
        assert device.verify_token(rfc6238("JBSWY3DPEHPK3PXP", time.time())), user.username


def test_only_admin_kg_may_use_the_django_admin(loaded):
    admins = list(User.objects.filter(is_staff=True).values_list("username", "is_superuser"))
    assert admins == [("admin.kg", True)]


def test_referrals_are_in_the_documented_states(loaded):
    assert _referral("kg-received").status == Referral.Status.RECEIVED
    assert _referral("tj-received").status == Referral.Status.RECEIVED
    screening = _referral("kg-screening")
    assert screening.status == Referral.Status.SCREENING
    assert screening.screening.answers["no_mental_disorder"] == "unknown"
    assert screening.order_extensions.get().obliges_programme is True
    declined = _referral("kg-declined")
    assert declined.status == Referral.Status.DECLINED
    assert declined.decline_reason == Referral.DeclineReason.BASIC_THERAPY_FIRST
    assert declined.decline_explanation.startswith("Demo: referred to addiction treatment")
    accepted = _referral("kg-accepted")
    assert accepted.status == Referral.Status.ACCEPTED
    assert not Case.objects.filter(referral=accepted).exists()
    assert accepted.person.sex == "female"


def test_open_case_has_intake_and_initial_risk_assessment_but_no_survivor_service(loaded):
    case = _referral("kg-open-case").case
    assert case.intake.interviewer.username == "psychologist.kg"
    assessment = case.risk_assessments.get()
    assert assessment.is_initial
    assert (assessment.score, assessment.level) == (5, "medium")
    assert case.current_risk_level == "medium"
    assert not case.survivor_services.exists()


def test_crisis_case_has_the_crisis_centre_a_safety_plan_and_a_contact(loaded):
    case = _referral("kg-crisis-case").case
    assert list(case.survivor_services.values_list("organisation__name", flat=True)) == ["Sezim Crisis Centre"]
    plan = SafetyPlan.objects.get(case=case)
    assert plan.updated_by.username == "crisis.kg"
    assert plan.code_word == "Demo: 'apricots'"
    contact = SurvivorContact.objects.get(case=case)
    assert (contact.outcome, contact.recorded_by.username) == ("reached", "crisis.kg")
    assert case.risk_assessments.count() == 2
    assert case.current_risk_level == "high"
    tj_case = _referral("tj-case").case
    assert tj_case.survivor_services.get().organisation.name == "Khujand Women's Resource Centre"


def test_it_writes_a_timeline_through_the_services(loaded):
    kinds = list(_referral("kg-crisis-case").timeline.values_list("kind", flat=True))
    assert kinds[0] == TimelineEntry.Kind.REFERRAL_RECEIVED
    assert TimelineEntry.Kind.SURVIVOR_SERVICE_REFERRED in kinds
    assert TimelineEntry.Kind.SAFETY_PLAN_UPDATED in kinds


def test_demo_people_are_invented_and_their_survivor_data_is_encrypted(loaded):
    fictitious = {"Тестов", "Примеров", "Образцов", "Макетова", "Шаблонов", "Черновиков"}
    assert set(Person.objects.values_list("family_name", flat=True)) <= fictitious
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, address FROM referrals_survivor")
        rows = cursor.fetchall()
    assert rows and all(phone.startswith("fernet:") and address.startswith("fernet:") for phone, address in rows)
    assert not any("+996" in phone or "Демонстрационная" in address for phone, address in rows)


def test_loading_twice_creates_nothing_new(loaded):
    counts = [m.objects.count() for m in (Organisation, User, Referral, Case, TimelineEntry, SurvivorServiceReferral)]
    again = demo.load_demo_data()
    assert (again.organisations_created, again.users_created, again.referrals_created) == (0, 0, [])
    assert [
        m.objects.count() for m in (Organisation, User, Referral, Case, TimelineEntry, SurvivorServiceReferral)
    ] == (counts)
    assert SensitiveRead.objects.count() == 0


def test_it_refuses_without_debug():
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("load_demo_data")
    assert not User.objects.exists()


@override_settings(DEBUG=True)
def test_command_prints_a_summary():
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    text = out.getvalue()
    assert "Demo data: 8 organisations, 9 users, 8 referrals created." in text
    assert "accepted 4, declined 1, received 2, screening 1), 3 cases." in text
    assert "Password: demo-Pass-2026!" in text
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    assert "Demo data: 0 organisations, 0 users, 0 referrals created." in out.getvalue()


def test_demo_totp_refuses_without_debug():
    with pytest.raises(CommandError, match="only with DEBUG on"):
        call_command("demo_totp", stdout=StringIO(), stderr=StringIO())


@override_settings(DEBUG=True)
def test_demo_totp_prints_the_current_code_of_the_demo_secret(loaded):
    before = rfc6238("JBSWY3DPEHPK3PXP", time.time())
    out = StringIO()
    call_command("demo_totp", "psychologist.kg", stdout=out, stderr=StringIO())
    after = rfc6238("JBSWY3DPEHPK3PXP", time.time())
    assert out.getvalue().strip() in {before, after}


@override_settings(DEBUG=True)
def test_demo_totp_refuses_a_user_without_the_demo_secret(loaded):
    user = User.objects.create_user(username="real.person", password="x-Long-Passw0rd!")
    user.totpdevice_set.create(name="phone", key="00" * 20, confirmed=True)
    with pytest.raises(CommandError, match="real.person is not a demo user"):
        call_command("demo_totp", "real.person", stdout=StringIO(), stderr=StringIO())
