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
from notifications.models import Delivery, Notice, SafetyEvent, Sanction
from notifications.selectors import notices_visible_to
from outcomes.models import Administration, FollowUp, MonitoringMeeting, ScaleScore
from outcomes.selectors import administrations_visible_to
from programmes.certificates import certificate_for
from programmes.models import Attendance, Enrolment, Group, Session
from programmes.selectors import progress, sessions_today, unlogged_past_sessions
from programmes.services import MAX_BACKDATE_DAYS
from programmes.services.groups import facilitator_warnings
from referrals import timeline as referrals_timeline
from referrals.models import Person, Referral
from staffing.models import Qualification, Supervision, Training
from staffing.selectors import expiring_qualifications, missing_qualifications
from tests.conftest import ensure_shipped_data
from tests.notices import case_events, case_notices

pytestmark = pytest.mark.django_db

K = Organisation.Kind


def rfc6238(secret_b32: str, at: float) -> str:
    """An independent TOTP (SHA-1, 30 s, 6 digits), as an authenticator app computes it."""
    key = base64.b32decode(secret_b32)
    digest = hmac.new(key, struct.pack(">Q", int(at // 30)), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    """The demo loaded once per test module that asks for it (it replays
    three months through the services: about six seconds), in a transaction
    rolled back after the module's last test; each test runs in a savepoint
    inside it. So a module's tests that need an empty database come before
    its first test that asks for the demo, as here."""
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
    Sanction,
    MonitoringMeeting,
    Training,
    Supervision,
    Qualification,
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
        "Demo data: 22 organisations, 24 users, 48 referrals, 5 groups, 30 enrolments, 77 sessions logged, "
        "41 questionnaires created." in text
    )
    assert (
        "(accepted 7, completed 8, declined 5, dropped_out 6, enrolled 16, received 4, screening 2), "
        "34 cases, 5 groups, 30 enrolments." in text
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
            "trainer.kg": Role.PSYCHOLOGIST,
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
        states = sorted(case_notices().values_list("pk", "status"))
        again = demo.load_demo_data()
        assert again == demo.LoadResult()
        assert {m.__name__: m.objects.count() for m in EVERY_MODEL} == counts
        assert sorted(case_notices().values_list("pk", "status")) == states
        assert SensitiveRead.objects.count() == 0

    def test_the_bishkek_facilitators_are_trained_and_qualified_one_expiring_soon(self, loaded):
        provider = Organisation.objects.get(name="Bishkek Consultation Room")
        for username in ("psychologist.kg", "social.kg", "trainer.kg"):
            staff = User.objects.get(username=username)
            assert Training.objects.filter(staff=staff).count() == 2
            assert Supervision.objects.filter(staff=staff).count() == 2
            assert list(Qualification.objects.filter(staff=staff).values_list("family", flat=True)) == ["kg_annex3"]
        today = timezone.localdate()
        assert [q.staff.username for q in expiring_qualifications(provider, today)] == ["social.kg"]
        # Nobody of the running groups lacks what the programme asks, so no warning shows.
        assert missing_qualifications(provider, today) == []

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
CHANCE_GROUP = "Men's group, Chance course"
PRISON_GROUP = "Men's group at Correctional Facility No. 3"
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
        assert kg.count() == 45
        assert Counter(kg.values_list("status", flat=True)) == {
            "received": 3,
            "screening": 2,
            "declined": 5,
            "accepted": 5,
            "enrolled": 16,
            "completed": 8,
            "dropped_out": 6,
        }
        assert set(kg.values_list("source", flat=True)) == {
            "police",
            "court",
            "child_rights",
            "womens_centre",
            "self",
            "other",
        }
        assert Counter(kg.values_list("person__sex", flat=True)) == {"male": 38, "female": 7}
        assert Counter(Enrolment.objects.values_list("status", flat=True)) == {
            ES.ACTIVE: 16,
            ES.COMPLETED: 8,
            ES.DROPPED_OUT: 6,
        }
        groups = Counter(Enrolment.objects.values_list("group__name", "case__referral__person__sex"))
        assert groups == {
            (VOLUNTARY_GROUP, "male"): 8,
            (MANDATORY_GROUP, "male"): 15,
            (WOMEN_GROUP, "female"): 3,
            (CHANCE_GROUP, "male"): 1,
            (PRISON_GROUP, "male"): 3,
        }
        # Accepted and through intake, but not enrolled: waiting for a group.
        waiting = Case.objects.filter(
            provider__name="Bishkek Consultation Room",
            referral__status=Referral.Status.ACCEPTED,
            enrolments__isnull=True,
        )
        assert sorted(waiting.values_list("referral__person__given_name", flat=True)) == ["Алибек", "Канат"]

    def test_enrolments_started_within_the_backdating_limit(self, loaded):
        programme = Enrolment.objects.filter(group__name__in=(VOLUNTARY_GROUP, MANDATORY_GROUP, WOMEN_GROUP))
        starts = programme.values_list("starts_on", flat=True)
        assert (min(starts), max(starts)) == (demo._days(-88), demo._days(0))
        # The Chance case started a year ago: it was entered then, within the limit of its day.
        for enrolment in Enrolment.objects.all():
            entered = timezone.localdate(enrolment.enrolled_at)
            assert entered - dt.timedelta(days=MAX_BACKDATE_DAYS) <= enrolment.starts_on, enrolment.pk

    def test_completions_met_the_requirements_and_have_a_certificate(self, loaded, login, client):
        completed = Enrolment.objects.filter(status=ES.COMPLETED).order_by("ended_on", "pk")
        assert completed.count() == 8
        for enrolment in completed:
            state = progress(enrolment)
            assert (state.individual_attended, state.group_attended, state.requirements_met) == (2, 2, True)
            assert enrolment.template.code in ("kg-annex3-mandatory", "kg-chance-mandatory-men")
            assert enrolment.case.referral.status == Referral.Status.COMPLETED
        first = completed.filter(group__name=MANDATORY_GROUP).first()
        certificate = certificate_for(first)
        assert (certificate.person_name, certificate.completed_on) == ("Шаблонов Жоомарт", demo._days(-66))
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
        assert dropped.count() == 6
        for enrolment in dropped:
            absence = enrolment.attendance.get(mark=Attendance.Mark.UNEXCUSED)
            assert enrolment.ended_on == absence.session.local_date + dt.timedelta(days=2)
            event = case_events().get(dedupe_key=f"dropout:enrolment:{enrolment.pk}")
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
            case_notices().filter(status=Notice.Status.OPEN).values_list("organisation__name", "event__kind")
        )
        assert open_notices == {
            ("Sezim Crisis Centre", "dropout"): 1,
            ("Bishkek Consultation Room", "dropout"): 2,
            ("Bishkek City Police, Oktyabrsky District", "dropout"): 1,
            ("Bishkek City Police, Oktyabrsky District", "non_compliance"): 1,
            # The court recorded what followed the non-compliance; both notices stay in its inbox.
            ("Oktyabrsky District Court of Bishkek", "dropout"): 1,
            ("Oktyabrsky District Court of Bishkek", "non_compliance"): 1,
        }
        assert case_notices().filter(status=Notice.Status.ACKNOWLEDGED).count() == 30

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
        # The programme's group sessions and individual ones, the Chance course's individual ones (its
        # trainer led the group), the prison group's.
        assert len(sessions) == 24 + 14 + 4 + 2 * 26 + 2 + (24 + 2 * 3)
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
                    administration__case_id=case_id,
                    administration__occasion__in=("intake", "end"),
                    scale__code=scale,
                    perspective="self",
                ).order_by("administration__administered_on")
                before, after = scores.values_list("annual_frequency", flat=True)
                assert after < before, (case_id, scale)
        # Each end questionnaire completes the enrolment's end-of-programme point.
        points = FollowUp.objects.filter(kind=FollowUp.Kind.END)
        assert Counter(points.values_list("status", flat=True)) == {"done": 8, "due": 6}
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
        assert psychologist_visible.count() == 40
        assert not psychologist_visible.filter(pk=survivor_questionnaire.pk).exists()
        assert not administrations_visible_to(Scope.for_user(_user("police.kg"))).exists()

    def test_the_monitoring_dashboard_shows_unsuppressed_figures(self, loaded, login, client):
        login(_user("monitor.kg"))
        response = client.get(reverse("reports:dashboard"))
        assert response.status_code == 200
        report = response.context["report"]
        endings = report.table("endings_by_sex").total.cells
        assert (endings["ended"].value, endings["completed"].value, endings["dropped_out"].value) == (14, 8, 6)
        assert (endings["completion_rate"].display, endings["dropout_rate"].display) == ("57.1%", "42.9%")
        men = {row.key: row for row in report.table("endings_by_sex").rows}["male"].cells
        assert (men["completed"].display, men["dropped_out"].display) == ("8", "6")
        funnel = report.table("referrals_by_sex").total.cells
        assert {k: funnel[k].value for k in ("referrals", "screening", "declined", "accepted", "waiting")} == {
            "referrals": 45,
            "screening": 5,
            "declined": 5,
            "accepted": 35,
            "waiting": 5,
        }
        assert (funnel["acceptance_rate"].display, funnel["enrolment_rate"].display) == ("87.5%", "85.7%")
        cts = {row.key: row.cells for row in report.table("cts_change").rows}
        assert {key: cells["n"].value for key, cells in cts.items()} == dict.fromkeys(
            ("negotiation", "psychological-aggression", "physical-assault", "sexual-coercion", "injury"), 8
        )
        assert cts["physical-assault"]["change"].value < 0
        assert cts["psychological-aggression"]["change"].value < 0
        follow_up = report.table("follow_up").rows[0].cells
        assert (follow_up["due"].value, follow_up["done"].value, follow_up["overdue"].value) == (31, 24, 7)
        content = response.content.decode()
        assert "57.1%" in content
        assert "42.9%" in content

    def test_session_notes_and_questionnaire_answers_are_encrypted_at_rest(self, loaded):
        with connection.cursor() as cursor:
            cursor.execute("SELECT notes FROM programmes_session WHERE status IN ('held', 'not_held')")
            notes = [row[0] for row in cursor.fetchall()]
            cursor.execute("SELECT answers FROM outcomes_administration")
            answers = [row[0] for row in cursor.fetchall()]
        assert len(notes) == 77 and all(n.startswith("fernet:") for n in notes)
        assert len(answers) == 41 and all(a.startswith("fernet:") for a in answers)


def test_cts2_answers_are_invented_deterministically():
    from frontdoor.demo.programme import cts2_answers

    intake = cts2_answers("kg-person-10", stage="intake")
    assert intake == cts2_answers("kg-person-10", stage="intake")
    assert sorted(intake) == list(range(1, 79))
    assert set(intake.values()) <= set(range(8))
    end = cts2_answers("kg-person-10", stage="end")
    assert sum(c for n, c in end.items() if n > 4 and c != 7) < sum(c for n, c in intake.items() if n > 4 and c != 7)


class TestPathways:
    """A case for each pathway of issue 13 (frontdoor/demo/pathways.py and
    the court's person of the programme), in the right country, referred by
    the right kind of body."""

    def test_the_court_ordered_referral_has_a_sanction_recorded_after_its_non_compliance_notice(self, loaded):
        referral = _referral("kg-person-35")
        court = referral.referring_body
        assert (court.name, court.kind, court.country) == ("Oktyabrsky District Court of Bishkek", K.COURT, "KG")
        assert (referral.source, referral.created_by.username, referral.provider.country) == ("court", "clerk.kg", "KG")
        assert (referral.court_decision_number, referral.court_decision_date) == ("5-135/DEMO", demo._days(-49))
        assert (referral.order_obliges_programme, referral.order_current_expiry) == (True, demo._days(-19))
        enrolment = referral.case.enrolments.get()
        absence = enrolment.attendance.get(mark=Attendance.Mark.UNEXCUSED)
        assert (enrolment.status, enrolment.ended_on) == (ES.DROPPED_OUT, absence.session.local_date + dt.timedelta(2))
        notices = Notice.objects.filter(organisation=court, event__case=referral.case)
        assert sorted(notices.values_list("event__kind", flat=True)) == ["dropout", "non_compliance"]
        non_compliance = notices.get(event__kind="non_compliance")
        assert non_compliance.event.facts["missed_on"] == absence.session.local_date.isoformat()
        sanction = Sanction.objects.get(notice__organisation=court)
        assert (sanction.notice, sanction.kind, sanction.service_hours) == (non_compliance, "community_service", 40)
        assert sanction.recorded_by.username == "clerk.kg"
        assert sanction.recorded_at > non_compliance.event.occurred_at
        entry = referral.timeline.get(kind="sanction_community_service")
        assert (entry.actor_organisation, entry.actor) == (court, sanction.recorded_by)

    def test_the_court_and_the_provider_see_the_sanction(self, loaded, login, client):
        referral = _referral("kg-person-35")
        login(_user("clerk.kg"))
        page = client.get(reverse("referrals:police_detail", args=[referral.pk])).content.decode()
        assert "5-135/DEMO" in page
        assert "After the notice: community service" in page
        login(_user("psychologist.kg"))
        case_page = client.get(reverse("casework:case_detail", args=[referral.case.pk])).content.decode()
        assert "After the notice: community service" in case_page

    def test_the_self_referrals_were_recorded_by_the_consultation_room_without_an_order(self, loaded):
        provider = Organisation.objects.get(name="Bishkek Consultation Room")
        own = Referral.objects.filter(source="self")
        assert own.count() == 5
        assert set(
            own.values_list(
                "referring_body", "provider", "created_by__username", "order_number", "court_decision_number"
            )
        ) == {(provider.pk, provider.pk, "social.kg", "", "")}
        assert Counter(own.values_list("status", flat=True)) == {"enrolled": 2, "received": 2, "declined": 1}
        enrolled = _referral("kg-person-02")
        assert (enrolled.source, enrolled.case.enrolments.get().group.name) == ("self", VOLUNTARY_GROUP)
        assert not Referral.objects.filter(source="self", referring_body__kind=K.POLICE_UNIT).exists()

    def test_the_chance_case_is_monitored_by_the_state_department_with_one_meeting_missed(self, loaded):
        from outcomes.services import add_months

        referral = _referral("kg-chance-monitoring")
        assert (referral.referring_body.kind, referral.referring_body.country) == (K.POLICE_UNIT, "KG")
        assert referral.order_extensions.get().obliges_programme is True
        enrolment = referral.case.enrolments.get()
        assert (enrolment.template.code, enrolment.status) == ("kg-chance-mandatory-men", ES.COMPLETED)
        assert (enrolment.group.name, enrolment.group.is_active) == (CHANCE_GROUP, False)
        # One trainer, a man, led the group, as the Chance course asks: no warning on its page.
        group = enrolment.group
        assert (group.template.facilitation, group.psychologist.username, group.social_worker) == (
            "man",
            "trainer.kg",
            None,
        )
        assert facilitator_warnings(group) == []
        assert set(group.sessions.values_list("logged_by__username", flat=True)) == {"trainer.kg"}
        assert enrolment.starts_on == demo._days(-367)
        # Entered on its day, two days before the start, like every step of it.
        assert timezone.localdate(enrolment.enrolled_at) == demo._days(-369)
        assert referral.created_at.date() == demo._days(-372)
        meetings = enrolment.monitoring_meetings.order_by("months")
        socdev = Organisation.objects.get(name="State Department for Social Development, Bishkek")
        assert (socdev.kind, socdev.country) == (K.SOCIAL_DEVELOPMENT, "KG")
        assert {(m.organisation, m.body_kind) for m in meetings} == {(socdev, "social_development")}
        rows = [(m.months, m.due_on, m.status, m.met_on, m.contact_made) for m in meetings]
        due = {months: add_months(enrolment.ended_on, months) for months in (3, 6, 9, 12, 15, 18)}
        assert rows == [
            (3, due[3], "done", due[3], True),
            (6, due[6], "missed", due[6], False),
            (9, due[9], "done", due[9], True),
            (12, due[12], "due", None, None),
            (15, due[15], "due", None, None),
            (18, due[18], "due", None, None),
        ]
        assert due[9] < demo._days(0) < due[12]
        recorded = meetings.exclude(status=MonitoringMeeting.Status.DUE)
        assert set(recorded.values_list("recorded_by__username", "new_violence")) == {("socdev.kg", False)}
        # The consultation room's follow-up questionnaires when the department met him.
        done = enrolment.follow_ups.filter(kind=FollowUp.Kind.AFTER_END, status="done")
        assert sorted(done.values_list("months", flat=True)) == [3, 9]

    def test_the_state_department_lists_the_missed_meeting_and_the_next_one_due(self, loaded, login, client):
        from outcomes.monitoring_selectors import monitoring_counts

        socdev = _user("socdev.kg")
        today = timezone.localdate()
        assert monitoring_counts(Scope.for_user(socdev), today=today) == {"due": 3, "missed": 1, "done": 2}
        assert monitoring_counts(Scope.for_user(_user("socdev.tj")), today=today) == {"due": 0, "missed": 0, "done": 0}
        case = _referral("kg-chance-monitoring").case
        login(socdev)
        missed = client.get(reverse("outcomes:monitoring_list"), {"show": "missed"}).content.decode()
        assert case.number in missed
        assert "Образцов Бекболот" in missed

    def test_the_prison_programme_runs_at_the_facility_with_attendance(self, loaded, login, client):
        group = Group.objects.get(name=PRISON_GROUP)
        assert (group.setting, group.facility.name) == ("prison", "Correctional Facility No. 3, Chuy Region")
        assert (group.facility.kind, group.facility.country, group.provider.country) == (K.PRISON, "KG", "KG")
        assert group.template.code == "kg-annex3-voluntary-men"
        referrals = Referral.objects.filter(case__enrolments__group=group)
        assert set(referrals.values_list("referring_body__kind", "source", "status")) == {
            (K.MINISTRY_DEPARTMENT, "other", "enrolled")
        }
        held = group.sessions.filter(status=Session.Status.HELD).order_by("number")
        assert [s.local_date for s in held] == [demo._days(-33 + 7 * i) for i in range(5)]
        assert {s.location for s in group.sessions.all()} == {group.location}
        marks = Counter(Attendance.objects.filter(session__group=group).values_list("mark", flat=True))
        assert marks == {"present": 12, "late": 1, "excused": 1, "unexcused": 1}
        login(_user("prison.kg"))
        page = client.get(reverse("programmes:facility_group", args=[group.pk]))
        assert page.status_code == 200
        assert "Тестов Жениш" in page.content.decode()
        login(_user("prison.tj"))
        assert client.get(reverse("programmes:facility_group", args=[group.pk])).status_code == 404

    def test_the_child_protection_referral_is_a_tajik_case_with_the_survivors_supported(self, loaded):
        referral = _referral("tj-child-protection")
        body = referral.referring_body
        assert (body.name, body.kind, body.country) == ("Khujand Commission on Child Rights", K.CHILD_PROTECTION, "TJ")
        assert (referral.source, referral.created_by.username) == ("child_rights", "childrights.tj")
        assert (referral.provider.name, referral.status) == ("Khujand Consultation Room", Referral.Status.ACCEPTED)
        assert sorted(referral.survivors.values_list("relationship", flat=True)) == ["child", "partner"]
        assert (referral.order_number, referral.order_obliges_programme) == ("", False)
        case = referral.case
        assert case.intake.interviewer.username == "psychologist.tj"
        assert case.survivor_services.get().organisation.name == "Khujand Women's Resource Centre"
        assert not case.enrolments.exists()

    def test_the_referring_bodies_noted_the_older_decisions_on_their_referrals(self, loaded):
        decisions = Notice.objects.filter(event__kind__in=["referral_accepted", "referral_declined"])
        old = decisions.filter(created_at__lte=timezone.now() - demo.DECISIONS_STILL_OPEN)
        assert old.exists()
        assert not old.filter(status=Notice.Status.OPEN).exists()
        for notice in old.select_related("acknowledged_by__membership"):
            assert notice.actions == ["noted"]
            assert notice.acknowledged_by.membership.organisation_id == notice.organisation_id
            assert notice.acknowledged_at == notice.created_at + demo.DECISION_NOTED_AFTER
