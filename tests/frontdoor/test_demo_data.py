"""The demo data behind `make run`: built through the services, idempotent,
and signed in to with the documented password and TOTP secret; its
programme work fills the Today page, the crisis centre's inbox and the
monitoring dashboard."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import struct
import time
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation, Role, SealedTOTPDevice, User
from accounts.scope import Scope
from accounts.services import device_key_hex, totp_device_create
from casework import timeline as casework_timeline
from casework.models import Case, SafetyPlan, SurvivorContact, SurvivorServiceReferral
from core.models import SensitiveRead, TimelineEntry
from frontdoor import demo
from notifications.models import Delivery, Notice, SafetyEvent
from notifications.selectors import notices_visible_to
from outcomes.models import Administration, FollowUp, ScaleScore
from outcomes.selectors import administrations_visible_to
from programmes.certificates import certificate_for
from programmes.models import Attendance, Enrolment, Group, Session
from programmes.selectors import progress, sessions_today, unlogged_past_sessions
from referrals import timeline as referrals_timeline
from referrals.models import Person, Referral
from tests.conftest import ensure_shipped_data

pytestmark = pytest.mark.django_db

K = Organisation.Kind


def rfc6238(secret_b32: str, at: float) -> str:
    """An independent TOTP (SHA-1, 30 s, 6 digits), as an authenticator app computes it."""
    key = base64.b32decode(secret_b32)
    digest = hmac.new(key, struct.pack(">Q", int(at // 30)), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


@pytest.fixture(scope="class")
def demo_data(django_db_setup, django_db_blocker):
    """The demo loaded once per test class (it replays three months through
    the services: seconds, not milliseconds), in a transaction rolled back
    after the class; each test runs in a savepoint inside it."""
    with django_db_blocker.unblock():
        ensure_shipped_data()
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield demo.load_demo_data()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def loaded(demo_data, db):
    return demo_data


EVERY_MODEL = (
    Organisation,
    User,
    Referral,
    Case,
    TimelineEntry,
    SurvivorServiceReferral,
    Group,
    Enrolment,
    Session,
    Attendance,
    Administration,
    FollowUp,
    SafetyEvent,
    Notice,
    Delivery,
)


def _referral(key: str) -> Referral:
    return Referral.objects.get(submission_key=demo._key(key))


def _enrolment(n: int) -> Enrolment:
    return Enrolment.objects.get(case__referral__submission_key=demo._key(f"kg-person-{n:02d}"))


def _user(username: str) -> User:
    return User.objects.get(username=username)


def test_it_refuses_without_debug():
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("load_demo_data")
    assert not User.objects.exists()


@override_settings(DEBUG=True)
def test_command_prints_a_summary_and_a_second_run_creates_nothing():
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    text = out.getvalue()
    assert (
        "Demo data: 22 organisations, 23 users, 42 referrals, 3 groups, 25 enrolments, 66 sessions logged, "
        "33 questionnaires created." in text
    )
    assert (
        "(accepted 6, completed 7, declined 5, dropped_out 5, enrolled 13, received 4, screening 2), "
        "28 cases, 3 groups, 25 enrolments." in text
    )
    assert "Password: demo-Pass-2026!" in text
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    assert (
        "Demo data: 0 organisations, 0 users, 0 referrals, 0 groups, 0 enrolments, 0 sessions logged, "
        "0 questionnaires created." in out.getvalue()
    )


def test_demo_totp_refuses_without_debug():
    with pytest.raises(CommandError, match="only with DEBUG on"):
        call_command("demo_totp", stdout=StringIO(), stderr=StringIO())


class TestUsersAndReferrals:
    def test_it_creates_every_kind_of_organisation_in_both_countries(self, loaded):
        kinds = set(Organisation.objects.values_list("country", "kind"))
        assert kinds == {(country, kind) for country in ("KG", "TJ") for kind in K.values}
        names = set(Organisation.objects.values_list("name", flat=True))
        assert {"Bishkek Consultation Room", "Sezim Crisis Centre", "Khujand Consultation Room"} <= names
        assert "Khujand Women's Resource Centre" in names

    def test_it_creates_one_user_per_role_with_the_documented_usernames(self, loaded):
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
            "clerk.kg": Role.COURT_CLERK,
            "judge.tj": Role.JUDGE,
            "probation.kg": Role.PROBATION_OFFICER,
            "probation.tj": Role.PROBATION_OFFICER,
            "childrights.kg": Role.CHILD_PROTECTION_SPECIALIST,
            "childrights.tj": Role.CHILD_PROTECTION_SPECIALIST,
            "localgov.kg": Role.SOCIAL_OFFICER,
            "localgov.tj": Role.SOCIAL_OFFICER,
            "socdev.kg": Role.MONITORING_OFFICER,
            "socdev.tj": Role.MONITORING_OFFICER,
            "prison.kg": Role.FACILITY_OFFICER,
            "prison.tj": Role.FACILITY_OFFICER,
            "ministry.kg": Role.MINISTRY_OFFICER,
            "ministry.tj": Role.MINISTRY_OFFICER,
        }
        assert User.objects.get(username="police.tj").membership.organisation.country == "TJ"
        assert User.objects.get(username="crisis.kg").membership.organisation.name == "Sezim Crisis Centre"

    def test_every_demo_user_has_the_password_and_a_confirmed_demo_totp_device(self, loaded):
        for user in User.objects.all():
            assert user.check_password("demo-Pass-2026!"), user.username
            device = user.totpdevice_set.get()
            assert device.confirmed
            assert device_key_hex(device) == "48656c6c6f21deadbeef"  # JBSWY3DPEHPK3PXP as hex
            assert SealedTOTPDevice.objects.get(pk=device.pk).verify_token(rfc6238("JBSWY3DPEHPK3PXP", time.time())), (
                user.username
            )

    def test_only_admin_kg_may_use_the_django_admin(self, loaded):
        admins = list(User.objects.filter(is_staff=True).values_list("username", "is_superuser"))
        assert admins == [("admin.kg", True)]

    def test_referrals_are_in_the_documented_states(self, loaded):
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

    def test_open_case_has_intake_and_initial_risk_assessment_but_no_survivor_service(self, loaded):
        case = _referral("kg-open-case").case
        assert case.intake.interviewer.username == "psychologist.kg"
        assessment = case.risk_assessments.get()
        assert assessment.is_initial
        assert (assessment.score, assessment.level) == (5, "medium")
        assert case.current_risk_level == "medium"
        assert not case.survivor_services.exists()

    def test_crisis_case_has_the_crisis_centre_a_safety_plan_and_a_contact(self, loaded):
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

    def test_it_writes_a_timeline_through_the_services(self, loaded):
        kinds = list(_referral("kg-crisis-case").timeline.values_list("kind", flat=True))
        assert kinds[0] == referrals_timeline.REFERRAL_RECEIVED
        assert casework_timeline.SURVIVOR_SERVICE_REFERRED in kinds
        assert casework_timeline.SAFETY_PLAN_UPDATED in kinds

    def test_demo_people_are_invented_and_their_survivor_data_is_encrypted(self, loaded):
        words = ("Тестов", "Примеров", "Образцов", "Макетов", "Шаблонов", "Черновиков")
        fictitious = {*words, *(f"{w}а" for w in words)}
        assert set(Person.objects.values_list("family_name", flat=True)) <= fictitious
        assert all(
            str(phone).startswith(("+996700000", "+996555000", "+996770000", "+996700001", "+992"))
            for phone in Person.objects.values_list("phone", flat=True)
        )
        with connection.cursor() as cursor:
            cursor.execute("SELECT phone, address FROM referrals_survivor")
            rows = cursor.fetchall()
        assert rows and all(phone.startswith("fernet:") and address.startswith("fernet:") for phone, address in rows)
        assert not any("+996" in phone or "Демонстрационная" in address for phone, address in rows)

    def test_loading_twice_creates_nothing_new(self, loaded):
        counts = {m.__name__: m.objects.count() for m in EVERY_MODEL}
        states = sorted(Notice.objects.values_list("pk", "status"))
        again = demo.load_demo_data()
        assert again == demo.LoadResult()
        assert {m.__name__: m.objects.count() for m in EVERY_MODEL} == counts
        assert sorted(Notice.objects.values_list("pk", "status")) == states
        assert SensitiveRead.objects.count() == 0

    @override_settings(DEBUG=True)
    def test_demo_totp_prints_the_current_code_of_the_demo_secret(self, loaded):
        before = rfc6238("JBSWY3DPEHPK3PXP", time.time())
        out = StringIO()
        call_command("demo_totp", "psychologist.kg", stdout=out, stderr=StringIO())
        after = rfc6238("JBSWY3DPEHPK3PXP", time.time())
        assert out.getvalue().strip() in {before, after}

    @override_settings(DEBUG=True)
    def test_demo_totp_refuses_a_user_without_the_demo_secret(self, loaded):
        user = User.objects.create_user(username="real.person", password="x-Long-Passw0rd!")
        totp_device_create(user=user, name="phone", key_hex="00" * 20, confirmed=True)
        with pytest.raises(CommandError, match="real.person is not a demo user"):
            call_command("demo_totp", "real.person", stdout=StringIO(), stderr=StringIO())


VOLUNTARY_GROUP = "Men's group, voluntary programme"
MANDATORY_GROUP = "Men's group, mandatory course"
WOMEN_GROUP = "Women's group, mandatory course"
ES = Enrolment.Status


class TestProgrammeWork:
    """The Bishkek Consultation Room's groups, sessions, endings,
    questionnaires and notices (core/demo/programme.py)."""

    def test_the_voluntary_group_runs_a_shipped_kyrgyz_template_and_started_eight_weeks_ago(self, loaded):
        group = Group.objects.get(name=VOLUNTARY_GROUP)
        template = group.template
        assert (template.code, template.provider, template.version) == ("kg-annex3-voluntary-men", None, 1)
        assert group.provider.name == "Bishkek Consultation Room"
        assert (group.sex, group.starts_on, group.time_of_day) == ("male", demo._days(-56), dt.time(16, 0))
        assert (group.psychologist.username, group.social_worker.username) == ("psychologist.kg", "social.kg")
        assert (group.psychologist.gender, group.social_worker.gender) == ("female", "male")
        assert group.sessions.count() == 24
        held = list(group.sessions.filter(status=Session.Status.HELD).order_by("number"))
        assert [s.number for s in held] == [1, 2, 3, 4, 5, 6, 7, 8]
        assert [s.local_date for s in held] == [demo._days(-56 + 7 * i) for i in range(8)]
        assert all(s.topic_covered and s.topic_covered == s.planned_topic for s in held)
        assert all(s.notes.startswith("Demo: ") and s.logged_by.username == "social.kg" for s in held)
        assert group.enrolments.filter(status=ES.ACTIVE).count() == 8

    def test_the_demo_open_cases_are_enrolled_and_start_today(self, loaded):
        group = Group.objects.get(name=VOLUNTARY_GROUP)
        for key in ("kg-open-case", "kg-crisis-case"):
            enrolment = _referral(key).case.enrolments.get()
            assert (enrolment.group, enrolment.status, enrolment.starts_on) == (group, ES.ACTIVE, demo._days(0))
            assert enrolment.group_from == demo._days(14)
            assert enrolment.case.referral.status == Referral.Status.ENROLLED

    def test_referrals_and_enrolments_are_at_every_stage(self, loaded):
        kg = Referral.objects.filter(provider__name="Bishkek Consultation Room")
        assert kg.count() == 40
        assert Counter(kg.values_list("status", flat=True)) == {
            "received": 3,
            "screening": 2,
            "declined": 5,
            "accepted": 5,
            "enrolled": 13,
            "completed": 7,
            "dropped_out": 5,
        }
        assert set(kg.values_list("source", flat=True)) == {
            "police",
            "court",
            "child_rights",
            "womens_centre",
            "self",
            "other",
        }
        assert Counter(kg.values_list("person__sex", flat=True)) == {"male": 33, "female": 7}
        assert Counter(Enrolment.objects.values_list("status", flat=True)) == {
            ES.ACTIVE: 13,
            ES.COMPLETED: 7,
            ES.DROPPED_OUT: 5,
        }
        groups = Counter(Enrolment.objects.values_list("group__name", "case__referral__person__sex"))
        assert groups == {
            (VOLUNTARY_GROUP, "male"): 8,
            (MANDATORY_GROUP, "male"): 14,
            (WOMEN_GROUP, "female"): 3,
        }
        # Accepted and through intake, but not enrolled: waiting for a group.
        waiting = Case.objects.filter(
            provider__name="Bishkek Consultation Room",
            referral__status=Referral.Status.ACCEPTED,
            enrolments__isnull=True,
        )
        assert sorted(waiting.values_list("referral__person__given_name", flat=True)) == ["Алибек", "Канат"]

    def test_enrolments_started_within_the_backdating_limit(self, loaded):
        starts = Enrolment.objects.values_list("starts_on", flat=True)
        assert (min(starts), max(starts)) == (demo._days(-88), demo._days(0))

    def test_completions_met_the_requirements_and_have_a_certificate(self, loaded, login, client):
        completed = Enrolment.objects.filter(status=ES.COMPLETED).order_by("ended_on", "pk")
        assert completed.count() == 7
        for enrolment in completed:
            state = progress(enrolment)
            assert (state.individual_attended, state.group_attended, state.requirements_met) == (2, 2, True)
            assert enrolment.template.code == "kg-annex3-mandatory"
            assert enrolment.case.referral.status == Referral.Status.COMPLETED
        first = completed.first()
        certificate = certificate_for(first)
        assert (certificate.person_name, certificate.completed_on) == ("Шаблонов Жоомарт", demo._days(-73))
        assert (certificate.sessions_attended, certificate.sessions_required) == (4, 4)
        login(_user("psychologist.kg"))
        response = client.get(reverse("programmes:certificate", args=[first.pk]))
        assert response.status_code == 200
        assert "Шаблонов Жоомарт" in response.content.decode()
        # One more has met the requirements and waits for the discharge.
        ready = _enrolment(22)
        assert (ready.status, progress(ready).requirements_met) == (ES.ACTIVE, True)

    def test_each_dropout_was_detected_by_the_rule_from_a_logged_absence(self, loaded):
        dropped = Enrolment.objects.filter(status=ES.DROPPED_OUT)
        assert dropped.count() == 5
        for enrolment in dropped:
            absence = enrolment.attendance.get(mark=Attendance.Mark.UNEXCUSED)
            assert enrolment.ended_on == absence.session.local_date + dt.timedelta(days=2)
            event = SafetyEvent.objects.get(dedupe_key=f"dropout:enrolment:{enrolment.pk}")
            assert (event.kind, event.facts["ending"], event.facts["mandatory"]) == ("dropout", "dropout_rule", True)
            assert enrolment.end_reason

    def test_the_crisis_centre_has_an_open_dropout_notice(self, loaded, login, client):
        crisis = _user("crisis.kg")
        visible = notices_visible_to(Scope.for_user(crisis))
        notice = visible.get(status=Notice.Status.OPEN)
        assert notice.event.kind == SafetyEvent.Kind.DROPOUT
        assert notice.event.case.referral.submission_key == demo._key("kg-person-03")
        assert notice.event.facts == {
            "ending": "dropout_rule",
            "mandatory": False,
            "sessions_attended": 7,
            "sessions_missed": 3,
            "missed_in_a_row": 3,
        }
        # Still enrolled: the staff may keep him on voluntarily.
        enrolment = _enrolment(3)
        assert (enrolment.status, progress(enrolment).dropout_rule_hit) == (ES.ACTIVE, True)
        # The older notices about her cases have been dealt with.
        acknowledged = visible.filter(status=Notice.Status.ACKNOWLEDGED)
        assert sorted(acknowledged.values_list("event__kind", "acknowledged_by__username")) == [
            ("completion", "crisis.kg"),
            ("dropout", "crisis.kg"),
        ]
        login(crisis)
        page = client.get(reverse("notifications:inbox"))
        assert [n.pk for n in page.context["page"]] == [notice.pk]
        assert notice.event.case.number in page.content.decode()

    def test_the_police_recorded_what_followed_the_old_dropout_and_non_compliance_notices(self, loaded):
        from notifications.models import Sanction

        police = _user("police.kg")
        rows = Sanction.objects.filter(notice__organisation=police.membership.organisation)
        assert rows.count() >= 5
        assert set(rows.values_list("kind", flat=True)) == {
            "warning",
            "community_service",
            "fine",
            "court_hearing",
            "no_action",
        }
        assert set(rows.values_list("recorded_by__username", flat=True)) == {"police.kg"}
        assert set(rows.values_list("notice__event__kind", flat=True)) <= {"dropout", "non_compliance"}

    def test_recent_notices_are_open_and_older_ones_acknowledged(self, loaded):
        open_notices = Counter(
            Notice.objects.filter(status=Notice.Status.OPEN).values_list("organisation__name", "event__kind")
        )
        assert open_notices == {
            ("Sezim Crisis Centre", "dropout"): 1,
            ("Bishkek Consultation Room", "dropout"): 2,
            ("Bishkek City Police, Oktyabrsky District", "dropout"): 1,
            ("Bishkek City Police, Oktyabrsky District", "non_compliance"): 1,
        }
        assert Notice.objects.filter(status=Notice.Status.ACKNOWLEDGED).count() == 27

    def test_the_psychologist_has_sessions_today_and_one_not_yet_logged(self, loaded, login, client):
        psychologist = _user("psychologist.kg")
        scope = Scope.for_user(psychologist)
        sessions = sessions_today(scope, psychologist)
        rows = [(s.kind, timezone.localtime(s.starts_at).time(), s.expected_count, s.status) for s in sessions]
        assert rows == [
            ("individual", dt.time(10, 0), 1, "planned"),
            # The psychologist's next free hour.
            ("individual", dt.time(11, 0), 1, "planned"),
            ("group", dt.time(16, 0), 6, "planned"),
        ]
        assert sessions[0].enrolment.case.referral.person.family_name == "Шаблонов"
        assert sessions[1].enrolment.case.referral.person.family_name == "Черновиков"
        # Planned, not moved: the scheduler found the psychologist's next free hour.
        assert sessions[1].rescheduled_from is None
        unlogged = list(unlogged_past_sessions(scope, psychologist))
        assert [(s.enrolment_id, s.number, s.local_date) for s in unlogged] == [(_enrolment(23).pk, 2, demo._days(-8))]
        login(psychologist)
        content = client.get(reverse("programmes:today")).content.decode()
        assert VOLUNTARY_GROUP.replace("'", "&#x27;") in content
        assert "Шаблонов Азамат" in content
        assert "Every past session is logged." not in content

    def test_no_two_sessions_of_the_psychologist_overlap(self, loaded):
        sessions = list(
            Session.objects.filter(facilitator__username="psychologist.kg")
            .exclude(status=Session.Status.CANCELLED)
            .order_by("starts_at")
        )
        assert len(sessions) == 24 + 14 + 4 + 2 * 25  # group sessions, then individual
        assert [(a.pk, b.pk) for a, b in zip(sessions, sessions[1:], strict=False) if b.starts_at < a.ends_at] == []
        assert not Session.objects.filter(status=Session.Status.CANCELLED).exists()

    def test_cts2_intake_and_end_questionnaires_show_a_decrease(self, loaded):
        person = Administration.objects.filter(respondent="person")
        intake = person.filter(occasion="intake")
        end = person.filter(occasion="end")
        assert sorted(intake.values_list("case_id", flat=True)) == sorted(
            Enrolment.objects.values_list("case_id", flat=True)
        )
        completed_cases = set(Enrolment.objects.filter(status=ES.COMPLETED).values_list("case_id", flat=True))
        assert set(end.values_list("case_id", flat=True)) == completed_cases
        assert len(completed_cases) >= 5
        assert all((a.items_answered, a.items_missing) == (78, 0) for a in person)
        assert all(set(a.answer_map()) == set(range(1, 79)) for a in end)
        assert all(0 <= code <= 7 for a in end for code in a.answer_map().values())
        for case_id in completed_cases:
            for scale in ("psychological-aggression", "physical-assault"):
                scores = ScaleScore.objects.filter(
                    administration__case_id=case_id, scale__code=scale, perspective="self"
                ).order_by("administration__administered_on")
                before, after = scores.values_list("annual_frequency", flat=True)
                assert after < before, (case_id, scale)
        # Each end questionnaire completes the enrolment's end-of-programme point.
        points = FollowUp.objects.filter(kind=FollowUp.Kind.END)
        assert Counter(points.values_list("status", flat=True)) == {"done": 7, "due": 5}
        assert all(p.administration.occasion == "end" for p in points.filter(status="done"))

    def test_the_survivor_questionnaire_is_seen_by_the_crisis_centre_only(self, loaded):
        crisis_visible = administrations_visible_to(Scope.for_user(_user("crisis.kg")))
        assert [
            (a.respondent, a.case.referral.submission_key, a.recorded_by.username, a.respondent_consented)
            for a in crisis_visible
        ] == [("survivor", demo._key("kg-crisis-case"), "crisis.kg", True)]
        survivor_questionnaire = crisis_visible.get()
        assert survivor_questionnaire.survivor.given_name == "Динара"
        psychologist_visible = administrations_visible_to(Scope.for_user(_user("psychologist.kg")))
        assert psychologist_visible.count() == 32
        assert not psychologist_visible.filter(pk=survivor_questionnaire.pk).exists()
        assert not administrations_visible_to(Scope.for_user(_user("police.kg"))).exists()

    def test_the_monitoring_dashboard_shows_unsuppressed_figures(self, loaded, login, client):
        login(_user("monitor.kg"))
        response = client.get(reverse("reports:dashboard"))
        assert response.status_code == 200
        report = response.context["report"]
        endings = report.table("endings_by_sex").total.cells
        assert (endings["ended"].value, endings["completed"].value, endings["dropped_out"].value) == (12, 7, 5)
        assert (endings["completion_rate"].display, endings["dropout_rate"].display) == ("58.3%", "41.7%")
        men = {row.key: row for row in report.table("endings_by_sex").rows}["male"].cells
        assert (men["completed"].display, men["dropped_out"].display) == ("7", "5")
        funnel = report.table("referrals_by_sex").total.cells
        assert {k: funnel[k].value for k in ("referrals", "screening", "declined", "accepted", "waiting")} == {
            "referrals": 40,
            "screening": 5,
            "declined": 5,
            "accepted": 30,
            "waiting": 5,
        }
        assert (funnel["acceptance_rate"].display, funnel["enrolment_rate"].display) == ("85.7%", "83.3%")
        cts = {row.key: row.cells for row in report.table("cts_change").rows}
        assert {key: cells["n"].value for key, cells in cts.items()} == dict.fromkeys(
            ("negotiation", "psychological-aggression", "physical-assault", "sexual-coercion", "injury"), 7
        )
        assert cts["physical-assault"]["change"].value < 0
        assert cts["psychological-aggression"]["change"].value < 0
        follow_up = report.table("follow_up").rows[0].cells
        assert (follow_up["due"].value, follow_up["done"].value, follow_up["overdue"].value) == (24, 19, 5)
        content = response.content.decode()
        assert "58.3%" in content
        assert "41.7%" in content

    def test_session_notes_and_questionnaire_answers_are_encrypted_at_rest(self, loaded):
        with connection.cursor() as cursor:
            cursor.execute("SELECT notes FROM programmes_session WHERE status IN ('held', 'not_held')")
            notes = [row[0] for row in cursor.fetchall()]
            cursor.execute("SELECT answers FROM outcomes_administration")
            answers = [row[0] for row in cursor.fetchall()]
        assert len(notes) == 66 and all(n.startswith("fernet:") for n in notes)
        assert len(answers) == 33 and all(a.startswith("fernet:") for a in answers)


def test_cts2_answers_are_invented_deterministically():
    from frontdoor.demo.programme import cts2_answers

    intake = cts2_answers("kg-person-10", stage="intake")
    assert intake == cts2_answers("kg-person-10", stage="intake")
    assert sorted(intake) == list(range(1, 79))
    assert set(intake.values()) <= set(range(8))
    end = cts2_answers("kg-person-10", stage="end")
    assert sum(c for n, c in end.items() if n > 4 and c != 7) < sum(c for n, c in intake.items() if n > 4 and c != 7)
