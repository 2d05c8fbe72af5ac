"""The demo's other pathways (issue 13, seed 001), each one case built
through the services after the consultation room's programme work:

- **Chance-style monitoring** (Kyrgyzstan): a man the police referred a year
  ago completed the Chance mandatory course (2 individual + 2 group
  sessions) at the Bishkek Consultation Room; the State Department for
  Social Development meets him every three months for 18 months. It
  recorded the 3- and 9-month meetings, missed him at 6 months, and the
  12-month one is due;
- **a programme in a prison** (Kyrgyzstan): the Ministry of Internal
  Affairs referred three inmates of Correctional Facility No. 3, where the
  consultation room runs a voluntary men's group; the facility's officer
  sees its sessions and attendance;
- **a child-protection referral** (Tajikistan): the Khujand Commission on
  Child Rights referred a father who beat his son; the Khujand Consultation
  Room accepted him, did the intake and referred the survivors to the
  women's resource centre. He waits for a group.

The court-ordered referral with its sanction is one of the programme's
people (``programme.PEOPLE``, number 35): it runs in the mandatory group.

The services refuse history older than their backdating limits (a start
more than 90 days ago), as they should for real records. The Chance case
happened a year ago, so every step here runs on its own day: ``clock_on``
moves the clock the services read (``django.utils.timezone.now``) to that
day and hour while the step runs, as if the staff had entered it then.

Idempotent: a pathway is built only when its first referral does not exist
yet, inside the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db.models import Q
from django.utils import timezone

from accounts.models import Organisation, User
from casework import services as case_services
from casework.models import Case, Consent
from frontdoor.demo.common import ROOMS, LoadResult, _accept, _intake, _key, _person, _survivor, clock_on
from frontdoor.demo.programme import GROUP_NOTES, INDIVIDUAL_NOTES, cts2_answers
from notifications import services as notification_services
from notifications.models import Notice
from outcomes import cts2, monitoring_services
from outcomes import services as outcome_services
from outcomes.models import FollowUp, Instrument, Occasion, Respondent
from programmes import services as programme_services
from programmes.models import Attendance, Enrolment, Group, ProgrammeTemplate, Session
from programmes.selectors import expected_by_session
from referrals import services as referral_services
from referrals.models import Referral

CHANCE = "kg-chance-mandatory-men"
PRISON_PROGRAMME = "kg-annex3-voluntary-men"
CHANCE_GROUP = "Men's group, Chance course"
PRISON_GROUP = "Men's group at Correctional Facility No. 3"
# The Chance case's start: its 12-month monitoring meeting falls in the coming weeks.
CHANCE_START = -367
# The prison group: individual sessions from this day, group sessions two weeks later (never today).
PRISON_START = -47
# The monitoring meetings the State Department recorded: months after completion → contact made.
CHANCE_MEETINGS = {3: True, 6: False, 9: True}
MEETING_NOTES = {
    3: "Demo: met him at home; works at a market; no new incidents, his wife confirms by phone.",
    6: "Demo: not at home twice; his mother says he works in Russia until spring.",
    9: "Demo: back from Russia; met at the district office; no new incidents reported.",
}
MARKS = {"P": Attendance.Mark.PRESENT, "L": Attendance.Mark.LATE, "E": Attendance.Mark.EXCUSED}
MARKS["U"] = Attendance.Mark.UNEXCUSED


def _after(session: Session) -> tuple[dt.date, dt.time]:
    """The day and hour an hour after ``session`` ended: when it is logged."""
    end = timezone.localtime(session.ends_at) + dt.timedelta(hours=1)
    return end.date(), end.time()


class _Pathways:
    def __init__(self, orgs: dict[str, Organisation], users: dict[str, User], result: LoadResult):
        self.orgs = orgs
        self.users = users
        self.result = result
        self.today = timezone.localdate()
        self.instrument = Instrument.objects.filter(code=cts2.CODE, is_active=True).order_by("-version").first()

    def day(self, n: int) -> dt.date:
        return self.today + dt.timedelta(days=n)

    def template(self, code: str) -> ProgrammeTemplate:
        return (
            ProgrammeTemplate.objects.filter(code=code, provider=None, status=ProgrammeTemplate.Status.ACTIVE)
            .order_by("-version")
            .get()
        )

    def refer(self, key: str, by: str, provider: str, **data) -> Referral:
        referral, _created = referral_services.referral_create(
            by=self.users[by],
            provider=self.orgs[provider],
            source=data.pop("source", "police"),
            person=data.pop("person"),
            survivors=data.pop("survivors"),
            order=data.pop("order", {}),
            incident_description=data.pop("incident"),
            risk_flags=data.pop("risk_flags", ()),
            submission_key=_key(key),
        )
        self.result.referrals_created.append(key)
        return referral

    def questionnaire(self, case: Case, on: dt.date, seed: str, occasion: str, follow_up=None) -> None:
        if self.instrument is None:
            return
        stage = "intake" if occasion == Occasion.INTAKE else "end"
        outcome_services.administration_record(
            case=case,
            instrument=self.instrument,
            by=self.users["psychologist.kg"],
            respondent=Respondent.PERSON,
            answers=cts2_answers(seed, stage=stage),
            administered_on=on,
            follow_up=follow_up,
            occasion=occasion,
        )
        self.result.questionnaires_created += 1

    def enrol(self, case: Case, group: Group, start: int, seed: str) -> Enrolment:
        """Enrolled two days before the start, with the intake questionnaire."""
        with clock_on(self.day(start - 2), dt.time(12, 0)):
            enrolment = programme_services.enrol(
                case=case,
                template=group.template,
                psychologist=self.users["psychologist.kg"],
                starts_on=self.day(start),
                by=self.users["psychologist.kg"],
                group=group,
            )
            self.questionnaire(case, self.day(start - 2), seed, Occasion.INTAKE)
        self.result.enrolments_created += 1
        return enrolment

    def log_sessions(self, enrolments: list[Enrolment], marks: dict[int, dict[str, str]], until: dt.date) -> None:
        """Log every session of ``enrolments`` that ended before ``until``,
        each an hour after it ended. ``marks``: by enrolment id, exceptions
        to "present" as for ``programme.PEOPLE`` ("g2": group session 2)."""
        ids = [e.pk for e in enrolments]
        group_ids = {e.group_id for e in enrolments if e.group_id}
        sessions = Session.objects.filter(
            Q(enrolment_id__in=ids) | Q(group_id__in=group_ids), status=Session.Status.PLANNED
        ).order_by("starts_at", "pk")
        for session in list(sessions):
            day, at = _after(session)
            if day >= until:
                continue
            expected = expected_by_session([session])[session.pk]
            group = session.kind == Session.Kind.GROUP
            label = f"{'g' if group else 'i'}{session.number}"
            notes = GROUP_NOTES if group else INDIVIDUAL_NOTES
            with clock_on(day, at):
                programme_services.attendance_log(
                    session=session,
                    # A group session by its co-facilitator, or by the one who leads it alone.
                    by=(session.co_facilitator or session.facilitator) if group else self.users["psychologist.kg"],
                    marks={e.pk: MARKS[marks.get(e.pk, {}).get(label, "P")] for e in expected},
                    topic_covered=session.planned_topic,
                    notes=notes[(session.number - 1) % len(notes)],
                )
            self.result.sessions_logged += 1

    def acknowledge(self, case: Case, on: dt.date) -> None:
        """The notices about ``case`` dealt with on ``on`` by each recipient."""
        a = Notice.Action
        who: dict[int, tuple[str, list[str]]] = {
            self.orgs["police.kg"].pk: ("police.kg", [a.ORDER_CHECKED]),
            self.orgs["provider.kg"].pk: ("manager.kg", [a.PARTICIPANT_CONTACTED]),
            self.orgs["crisis.kg"].pk: ("crisis.kg", [a.SURVIVOR_CALLED]),
        }
        with clock_on(on, dt.time(11, 0)):
            for notice in Notice.objects.filter(event__case=case, status=Notice.Status.OPEN).order_by("pk"):
                username, actions = who[notice.organisation_id]
                notification_services.notice_acknowledge(notice=notice, by=self.users[username], actions=actions)

    # -- Chance-style monitoring after the programme -------------------------------

    def chance_referral(self) -> Case:
        """Decree 390: a 3-day protection order, extended to a month with the
        obligation to attend; accepted and through intake the next day."""
        start = CHANCE_START
        with clock_on(self.day(start - 5)):
            referral = self.refer(
                "kg-chance-monitoring",
                "police.kg",
                "provider.kg",
                person=_person(
                    "Образцов", "Бекболот", sex="male", born=dt.date(1982, 4, 6), phone="+996700001201", language="ru"
                ),
                survivors=[_survivor("Образцова", "Чолпон", relationship="partner", phone="+996700002201", children=2)],
                order={
                    "order_number": "KG-DEMO-0301",
                    "order_issuing_authority": self.orgs["police.kg"].name,
                    "order_issued_on": self.day(start - 5),
                    "order_expires_on": self.day(start - 2),
                    "order_obliges_programme": False,
                },
                incident="Demo: beat his wife after she asked for money for the children's school things.",
                risk_flags=["children_present", "escalation"],
            )
        with clock_on(self.day(start - 4)):
            referral_services.referral_extend_order(
                referral=referral,
                by=self.users["police.kg"],
                extended_on=self.day(start - 4),
                new_expiry=self.day(start + 26),
                obliges_programme=True,
            )
            _accept(referral, self.users["psychologist.kg"])
            return _intake(
                referral,
                self.users["psychologist.kg"],
                language="ru",
                share=Consent.Decision.GIVEN,
                risk={"children_present": True, "escalation": True},
                notes="Demo: first incident reported; admits pushing her, not hitting.",
                on=self.day(start - 4),
            )

    def open_group(
        self, code: str, name: str, *, start: int, opened: int, leaders=("psychologist.kg", "social.kg"), **place
    ) -> Group:
        """A closed men's group of the consultation room for people who start
        on day ``start``, opened on day ``opened``; ``leaders``: the
        facilitator and the co-facilitator (None for a programme led by one
        facilitator); ``place``: where and when it meets (``group_create``'s
        capacity, location, language, time of day, setting and facility)."""
        template = self.template(code)
        facilitator, co_facilitator = leaders
        with clock_on(self.day(opened)):
            group, warnings = programme_services.group_create(
                provider=self.orgs["provider.kg"],
                template=template,
                by=self.users["manager.kg"],
                name=name,
                sex="male",
                intake=Group.Intake.CLOSED,
                psychologist=self.users[facilitator],
                social_worker=self.users[co_facilitator] if co_facilitator else None,
                starts_on=self.day(start + (template.first_group_offset() or 0)),
                **place,
            )
        assert not warnings, warnings  # each demo group is led as its programme asks
        self.result.groups_created += 1
        return group

    def chance(self) -> None:
        case = self.chance_referral()
        group = self.open_group(
            CHANCE,
            CHANCE_GROUP,
            start=CHANCE_START,
            opened=CHANCE_START - 4,
            leaders=("trainer.kg", None),
            capacity=8,
            location="Room 1",
            location_translations=ROOMS["Room 1"],
            language="ru",
            time_of_day=dt.time(16, 0),
        )
        enrolment = self.enrol(case, group, CHANCE_START, "kg-chance-monitoring")
        with clock_on(self.day(CHANCE_START - 2), dt.time(12, 30)):
            monitoring_services.monitoring_body_assign(
                enrolment=enrolment,
                body_kind=Organisation.Kind.SOCIAL_DEVELOPMENT,
                organisation=self.orgs["socdev.kg"],
                by=self.users["manager.kg"],
            )
        self.log_sessions([enrolment], {}, until=self.today)
        last = Session.objects.filter(Q(enrolment=enrolment) | Q(group=group)).order_by("-starts_at").first()
        assert last is not None  # the template has sessions
        ended_on, at = _after(last)
        with clock_on(ended_on, at):
            enrolment = programme_services.enrolment_discharge(
                enrolment=enrolment,
                kind=Enrolment.Status.COMPLETED,
                by=self.users["psychologist.kg"],
                on=ended_on,
                notes="Demo: attended all four sessions; named what he did and how he will stop himself.",
            )
            point = enrolment.follow_ups.get(kind=FollowUp.Kind.END, respondent=Respondent.PERSON)
            self.questionnaire(case, ended_on, "kg-chance-monitoring", Occasion.END, follow_up=point)
        with clock_on(ended_on + dt.timedelta(days=1)):
            programme_services.group_close(group=group, by=self.users["manager.kg"], reason="Demo: the course ended.")
        self.acknowledge(case, ended_on + dt.timedelta(days=2))
        self.chance_meetings(enrolment)

    def chance_meetings(self, enrolment: Enrolment) -> None:
        """The State Department records its meetings, each on its due day;
        when it met him, the consultation room gave him the follow-up
        questionnaire the same day."""
        for months, contact in CHANCE_MEETINGS.items():
            meeting = enrolment.monitoring_meetings.get(months=months)
            with clock_on(meeting.due_on, dt.time(15, 0)):
                monitoring_services.monitoring_meeting_record(
                    meeting=meeting,
                    by=self.users["socdev.kg"],
                    met_on=meeting.due_on,
                    contact_made=contact,
                    new_violence=False,
                    note=MEETING_NOTES[months],
                )
                if contact:
                    point = enrolment.follow_ups.get(
                        kind=FollowUp.Kind.AFTER_END, months=months, respondent=Respondent.PERSON
                    )
                    seed = f"kg-chance-monitoring-{months}"
                    self.questionnaire(enrolment.case, meeting.due_on, seed, Occasion.AFTER_END, follow_up=point)

    # -- a programme in a prison -------------------------------------------------

    def prison_referrals(self) -> list[Case]:
        """The Ministry's prevention department refers three inmates who asked
        for the programme; the consultation room accepts them and does the
        intake at the facility."""
        inmates = [
            ("Тестов", "Жениш", dt.date(1980, 1, 21), "Айнура", "Demo: broke his wife's arm; serving three years."),
            ("Примеров", "Азамат", dt.date(1991, 7, 2), "Жамиля", "Demo: beat his wife repeatedly; serving two years."),
            ("Шаблонов", "Медер", dt.date(1986, 3, 13), "Гульмира", "Demo: attacked his wife with a knife."),
        ]
        cases = []
        for n, (family, given, born, survivor, incident) in enumerate(inmates, start=1):
            with clock_on(self.day(PRISON_START - 5)):
                referral = self.refer(
                    f"kg-prison-{n}",
                    "ministry.kg",
                    "provider.kg",
                    person=_person(
                        family,
                        given,
                        sex="male",
                        born=born,
                        phone=f"+99670000121{n}",
                        language="ky",
                        address=f"Correctional Facility No. 3, unit {n}",
                        household="Demo household: in prison; wife and children at home.",
                    ),
                    survivors=[
                        _survivor(f"{family}а", survivor, relationship="partner", phone=f"+99670000221{n}", children=n)
                    ],
                    incident=incident,
                    risk_flags=["escalation"] if n != 3 else ["weapon"],
                )
            with clock_on(self.day(PRISON_START - 3)):
                _accept(referral, self.users["psychologist.kg"])
                cases.append(
                    _intake(
                        referral,
                        self.users["psychologist.kg"],
                        language="ky",
                        share=Consent.Decision.REFUSED,
                        risk=dict.fromkeys(referral.risk_flags, True),
                        notes="Demo: interviewed at the facility; release expected after the programme.",
                        on=self.day(PRISON_START - 3),
                    )
                )
        return cases

    def prison(self) -> None:
        cases = self.prison_referrals()
        group = self.open_group(
            PRISON_PROGRAMME,
            PRISON_GROUP,
            start=PRISON_START,
            opened=PRISON_START - 3,
            capacity=10,
            location="Classroom of the education unit",
            language="ky",
            time_of_day=dt.time(14, 0),
            setting=Group.Setting.PRISON,
            facility=self.orgs["prison.kg"],
        )
        enrolments = [self.enrol(case, group, PRISON_START, f"kg-prison-{n}") for n, case in enumerate(cases, 1)]
        # One came late once; one was excused (a visit from his family) and
        # later missed a session unexcused (in the punishment cell).
        marks = {enrolments[0].pk: {"g3": "L"}, enrolments[2].pk: {"g2": "E", "g4": "U"}}
        self.log_sessions(enrolments, marks, until=self.today)

    # -- a child-protection referral ---------------------------------------------

    def child_protection(self) -> None:
        with clock_on(self.day(-6)):
            referral = self.refer(
                "tj-child-protection",
                "childrights.tj",
                "provider.tj",
                person=_person(
                    "Черновиков", "Джамшед", sex="male", born=dt.date(1979, 12, 1), phone="+992920000203", language="tg"
                ),
                survivors=[
                    _survivor("Черновикова", "Зарина", relationship="partner", phone="+992920000303", children=3),
                    _survivor("Черновиков", "Фирдавс", relationship="child", phone="+992920000304"),
                ],
                incident="Demo: beat his 14-year-old son with a belt; the school told the commission.",
                risk_flags=["children_present", "escalation"],
            )
        with clock_on(self.day(-3)):
            _accept(referral, self.users["psychologist.tj"])
            case = _intake(
                referral,
                self.users["psychologist.tj"],
                language="tg",
                share=Consent.Decision.GIVEN,
                risk={"children_present": True, "escalation": True},
                notes="Demo: violence against the son; the mother and the son to be supported by the centre.",
                on=self.day(-3),
            )
            case_services.survivor_service_refer(
                case=case, organisation=self.orgs["crisis.tj"], by=self.users["psychologist.tj"]
            )


PATHWAYS: list[tuple[str, Callable[[_Pathways], None]]] = [
    ("kg-chance-monitoring", _Pathways.chance),
    ("kg-prison-1", _Pathways.prison),
    ("tj-child-protection", _Pathways.child_protection),
]


def load_pathways(orgs: dict[str, Organisation], users: dict[str, User], result: LoadResult) -> None:
    """Build each pathway whose first referral does not exist yet (see the
    module docstring). Call inside the caller's transaction."""
    pathways = _Pathways(orgs, users, result)
    for key, build in PATHWAYS:
        if not Referral.objects.filter(submission_key=_key(key)).exists():
            build(pathways)
