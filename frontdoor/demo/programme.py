"""Programme data of the demo, for the Bishkek Consultation Room: three
groups, 35 invented people at every stage from referral to the end of a
programme, their sessions and attendance, CTS-2 questionnaires, and the
safety notices all this causes.

It is built by replaying the last three months day by day through the real
services (``referral_create``, ``intake_complete``, ``group_create``,
``enrol``, ``attendance_log``, ``enrolment_discharge``,
``administration_record``, ...), so the notices, follow-up points and
timeline entries are the ones the system itself writes. Every date is
relative to today, so the demo always looks current:

- a voluntary men's group (Kyrgyzstan Annex 3: 2 individual + 24 weekly
  group sessions) that started 8 weeks ago and meets again today at 16:00,
  with six participants plus the two demo open cases, who start today with
  their first individual sessions. One of the six has just missed his third
  group session in a row: the template's dropout rule made a dropout notice
  for the Sezim Crisis Centre, still open;
- a rolling men's group of the mandatory course (Annex 3: 2 + 2 in four
  weeks; the group meets every other week, each person at two meetings
  in a row) running for twelve weeks: seven completed, six dropped out (each
  detected by the rule from a logged unexcused absence, then discharged),
  one has met the requirements and waits to be discharged, one is half-way.
  One of the dropouts was referred by the Oktyabrsky District Court itself,
  with its decision: the court heard of his absence while its order ran
  (non-compliance) and of the dropout, and sentenced him to 40 hours of
  community service;
- a women's group of the same course, which met for the first time this week;
- referrals received, in screening, declined, accepted, and through intake
  but waiting for a group: at least five of each, so that the monitoring
  dashboard shows every referral figure after small-cell suppression.

Notices about endings more than two weeks ago are acknowledged; the recent
ones are open. On those old dropout and non-compliance notices the police
have recorded what followed (a warning, community service, a fine, a court
hearing, or no action because the person came back), in turn.

The demo's other pathways (Chance-style monitoring, a prison group, a
child-protection referral) are built after this, in ``pathways``.

The family names are the demo's usual Russian words for "test", "example",
"sample", "mock-up", "template" and "draft" (with invented given names),
phones are +996 700 001 xxx (people) and +996 700 002 xxx (survivors),
addresses are on "Demonstration street". Nothing is random: the CTS-2
answers come from ``random.Random`` seeded with the person's key.

Idempotent as a whole: the block runs only when the voluntary group does
not exist yet, inside the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone

from accounts.models import Organisation, User
from casework import services as case_services
from casework.models import Case, Consent
from frontdoor.demo.common import (
    KG_AUTHORITY,
    ROOMS,
    LoadResult,
    _accept,
    _days,
    _intake,
    _key,
    _person,
    _screen,
    _survivor,
)
from notifications import services as notification_services
from notifications.models import SANCTIONABLE, Notice, SafetyEvent
from notifications.sanctions import sanction_record
from outcomes import cts2
from outcomes import services as outcome_services
from outcomes.models import FollowUp, Instrument, Occasion, Respondent
from programmes import services as programme_services
from programmes.models import Attendance, Enrolment, Group, ProgrammeTemplate, Session
from programmes.selectors import expected_by_session, local_midnight, progress
from referrals import services as referral_services
from referrals.models import Referral, Screening

COURT_CLERK = "clerk.kg"
SELF_REFERRALS_BY = "social.kg"
VOLUNTARY = "kg-annex3-voluntary-men"  # individual on days 0 and 7, weekly group sessions from day 14
MANDATORY = "kg-annex3-mandatory"  # individual on days 0 and 3, then 2 group sessions 14 days apart from day 7


def _as_of(day: int) -> dt.datetime:
    """When a group or an enrolment whose first day is ``day`` (days from
    today) was set up: half a day more than the minimum notice before that
    day's midnight, so that its first sessions were announced in time."""
    from django.conf import settings

    notice = dt.timedelta(hours=settings.PROGRAMME_MIN_NOTICE_HOURS + 12)
    return local_midnight(_days(day)) - notice


@dataclass(frozen=True)
class GroupPlan:
    name: str
    template: str
    sex: str
    first_session: int  # days from today
    time: dt.time
    language: str
    location: str
    capacity: int
    extra_cycles: int = 0  # group_extend_schedule calls after group_create


GROUPS: dict[str, GroupPlan] = {
    "voluntary": GroupPlan(
        "Men's group, voluntary programme", VOLUNTARY, "male", -56, dt.time(16, 0), "ru", "Room 2", 14
    ),
    "mandatory-men": GroupPlan(
        "Men's group, mandatory course", MANDATORY, "male", -80, dt.time(11, 0), "ky", "Room 1", 10, extra_cycles=6
    ),
    "mandatory-women": GroupPlan(
        "Women's group, mandatory course", MANDATORY, "female", -5, dt.time(11, 0), "ky", "Room 3", 10, extra_cycles=1
    ),
}

MARKS = {
    "P": Attendance.Mark.PRESENT,
    "L": Attendance.Mark.LATE,
    "E": Attendance.Mark.EXCUSED,
    "U": Attendance.Mark.UNEXCUSED,
}
NOT_LOGGED = "-"


@dataclass(frozen=True)
class Synthetic:
    """One invented referred person and what happens to them.

    ``track``: "received", "screening", "declined", "accepted", "waiting"
    (accepted and through intake, not enrolled) or a key of GROUPS.
    ``start``: the enrolment's first day (days from today). ``marks``: exceptions to "present", by session: "i2" the
    second individual session, "g7" the group's session number 7; "P", "L",
    "E", "U", or "-" to leave the session unlogged. ``ending``: how the
    enrolment ends ("completed" as soon as the requirements are met,
    "dropped_out" two days after the first unexcused absence)."""

    n: int
    family: str
    given: str
    sex: str
    born: dt.date
    language: str
    source: str
    track: str
    start: int | None = None
    marks: dict[str, str] = field(default_factory=dict)
    ending: str = ""
    end_reason: str = ""
    survivor_service: bool = False
    decline_reason: str = ""
    survivor_given: str = ""
    # Who enters the referral: the police unit (which may relay a court's or
    # a commission's referral), or the court itself, with its decision. A
    # self-referral is recorded by the consultation room's social worker.
    referrer: str = "police.kg"

    @property
    def key(self) -> str:
        return f"kg-person-{self.n:02d}"

    @property
    def entered_by(self) -> str:
        return SELF_REFERRALS_BY if self.source == "self" else self.referrer

    @property
    def survivor_family(self) -> str:
        return self.family if self.sex == "female" else f"{self.family}а"


def _marks(text: str) -> dict[str, str]:
    return dict(part.split(":") for part in text.split())


def _s(n, family, given, sex, born, language, source, track, start=None, marks="", **kw) -> Synthetic:
    return Synthetic(n, family, given, sex, born, language, source, track, start, _marks(marks), **kw)


D = dt.date
# fmt: off
PEOPLE: list[Synthetic] = [
    # The voluntary men's group: three cohorts (rolling intake).
    _s(1, "Тестов", "Бакыт", "male", D(1984, 2, 11), "ky", "court", "voluntary", -70, "g4:L", survivor_given="Айгуль"),
    _s(2, "Примеров", "Нурбек", "male", D(1979, 7, 3), "ru", "self", "voluntary", -71, "g3:E",
       survivor_given="Нургуль"),
    # The template's rule (3 unexcused absences in a row) is reached at session 8, a week ago.
    _s(3, "Образцов", "Тимур", "male", D(1990, 10, 23), "ky", "womens_centre", "voluntary", -74,
       "g6:U g7:U g8:U", survivor_service=True, survivor_given="Бермет"),
    _s(4, "Макетов", "Улан", "male", D(1987, 4, 30), "ru", "child_rights", "voluntary", -75, "g2:U",
       survivor_given="Динара"),
    _s(5, "Шаблонов", "Эрлан", "male", D(1982, 12, 5), "ky", "womens_centre", "voluntary", -49, "g6:U g7:U",
       survivor_given="Айжан"),
    _s(6, "Черновиков", "Айбек", "male", D(1993, 1, 17), "ru", "self", "voluntary", -50, "g5:L",
       survivor_given="Гулзат"),
    # Not in a group: through intake and waiting for a place; received; accepted.
    _s(7, "Тестов", "Канат", "male", D(1976, 8, 9), "ky", "court", "waiting", survivor_given="Элиза"),
    _s(8, "Примеров", "Мирлан", "male", D(1995, 3, 28), "ru", "self", "received", survivor_given="Назгуль"),
    _s(9, "Образцов", "Руслан", "male", D(1981, 6, 14), "ky", "womens_centre", "accepted", survivor_given="Зарина"),
    # The mandatory men's course: a new cohort nearly every week for twelve weeks, each joining the group's next
    # fortnightly meeting a week after the first individual session (g1 is 80 days ago, g6 ten days ago).
    _s(10, "Макетов", "Данияр", "male", D(1985, 9, 1), "ky", "police", "mandatory-men", -87,
       ending="completed", survivor_service=True, survivor_given="Камила"),
    _s(11, "Шаблонов", "Жоомарт", "male", D(1978, 5, 19), "ky", "police", "mandatory-men", -88, "g1:L",
       ending="completed", survivor_given="Алтынай"),
    _s(12, "Черновиков", "Бекзат", "male", D(1991, 11, 8), "ru", "police", "mandatory-men", -82, "g2:U",
       ending="dropped_out", end_reason="Stopped attending", survivor_service=True, survivor_given="Мира"),
    _s(13, "Тестов", "Самат", "male", D(1989, 2, 2), "ky", "police", "mandatory-men", -76,
       ending="completed", survivor_given="Салтанат"),
    _s(14, "Примеров", "Талант", "male", D(1983, 7, 27), "ru", "police", "mandatory-men", -69,
       ending="completed", survivor_given="Жибек"),
    _s(15, "Образцов", "Кубат", "male", D(1994, 4, 4), "ky", "police", "mandatory-men", -62, "i2:U",
       ending="dropped_out", end_reason="Did not come back after the first session", survivor_given="Айдай"),
    _s(16, "Макетов", "Чынгыз", "male", D(1980, 10, 10), "ky", "police", "mandatory-men", -61, "i2:L",
       ending="completed", survivor_given="Чынара"),
    _s(17, "Шаблонов", "Азиз", "male", D(1986, 1, 29), "ru", "police", "mandatory-men", -55,
       ending="completed", survivor_given="Венера"),
    _s(18, "Черновиков", "Максат", "male", D(1977, 3, 16), "ky", "police", "mandatory-men", -48, "g4:U",
       ending="dropped_out", end_reason="Left for work in another city", survivor_given="Гулмира"),
    _s(19, "Тестов", "Нурсултан", "male", D(1992, 8, 21), "ru", "police", "mandatory-men", -50,
       ending="completed", survivor_given="Аида"),
    _s(20, "Примеров", "Адилет", "male", D(1988, 12, 12), "ky", "police", "mandatory-men", -47, "g5:U",
       ending="dropped_out", end_reason="Stopped attending", survivor_given="Асема"),
    _s(21, "Образцов", "Эмиль", "male", D(1996, 6, 6), "ru", "police", "mandatory-men", -27, "g6:U",
       ending="dropped_out", end_reason="Refused to continue", survivor_given="Толкун"),
    # Has attended everything: ready to be discharged as completed (and get a certificate).
    _s(22, "Макетов", "Ислам", "male", D(1983, 9, 25), "ky", "police", "mandatory-men", -38, survivor_given="Бегимай"),
    # His second individual session a week ago is not logged yet: Today lists it.
    _s(23, "Шаблонов", "Бактыбек", "male", D(1990, 11, 30), "ky", "police", "mandatory-men", -11, "i2:-",
       survivor_given="Нурайым"),
    # The women's mandatory course: mothers-in-law referred for violence against a daughter-in-law.
    _s(24, "Черновикова", "Назира", "female", D(1963, 5, 2), "ky", "police", "mandatory-women", -12,
       survivor_service=True, survivor_given="Асылзат"),
    _s(25, "Тестова", "Бурул", "female", D(1958, 2, 20), "ky", "police", "mandatory-women", -13,
       survivor_given="Урмат"),
    _s(26, "Примерова", "Чолпон", "female", D(1966, 7, 7), "ru", "police", "mandatory-women", -18, "g1:E",
       survivor_given="Каныкей"),
    # Not (yet) in a programme.
    _s(27, "Образцов", "Эркин", "male", D(1975, 1, 9), "ky", "police", "declined",
       decline_reason=Referral.DeclineReason.OUT_OF_AREA, survivor_given="Айнура"),
    _s(28, "Макетова", "Жылдыз", "female", D(1970, 4, 18), "ru", "self", "declined",
       decline_reason=Referral.DeclineReason.BASIC_THERAPY_FIRST, survivor_given="Сезим"),
    _s(29, "Шаблонов", "Алибек", "male", D(1985, 10, 3), "ky", "child_rights", "waiting", survivor_given="Перизат"),
    _s(30, "Черновикова", "Мээрим", "female", D(1992, 8, 15), "ru", "self", "received", survivor_given="Эльвира"),
    _s(31, "Тестов", "Мирбек", "male", D(1973, 11, 1), "ky", "police", "declined",
       decline_reason=Referral.DeclineReason.NOT_ELIGIBLE, survivor_given="Нуриза"),
    _s(32, "Примеров", "Арстан", "male", D(1969, 3, 3), "ky", "other", "declined",
       decline_reason=Referral.DeclineReason.OTHER, survivor_given="Гульзада"),
    _s(33, "Образцова", "Айнагуль", "female", D(1961, 9, 9), "ru", "police", "accepted", survivor_given="Мадина"),
    _s(34, "Макетов", "Темирлан", "male", D(1989, 5, 15), "ky", "police", "screening", survivor_given="Айсулуу"),
    # Ordered by the court itself to attend the mandatory course: he missed his
    # first group session while the order ran, the court heard of the absence and
    # of the dropout, and sentenced him to 40 hours of community service.
    _s(35, "Черновиков", "Бекжан", "male", D(1987, 6, 12), "ky", "court", "mandatory-men", -44, "g5:U",
       ending="dropped_out", end_reason="Did not come to the group", survivor_given="Гулнара", referrer="clerk.kg"),
]
# fmt: on

DECLINE_EXPLANATIONS = {
    Referral.DeclineReason.BASIC_THERAPY_FIRST: "Demo: psychiatric treatment first; may be referred again afterwards.",
    Referral.DeclineReason.OUT_OF_AREA: "Demo: lives in Osh; referred to the consultation room there.",
    Referral.DeclineReason.NOT_ELIGIBLE: "Demo: the violence was against a neighbour, not within the family.",
    Referral.DeclineReason.OTHER: "Demo: referred by a village elder; he did not come to two screening appointments.",
}
INCIDENTS = [
    "Demo: pushed his wife during an argument about money; the children saw it.",
    "Demo: insulted and threatened his wife in front of relatives.",
    "Demo: slapped his wife and took away her phone.",
    "Demo: kept his wife from leaving the house for two days.",
    "Demo: threw a plate at his wife; she was cut on the arm.",
    "Demo: shouted at and shoved his wife after drinking at a wedding.",
]
WOMEN_INCIDENTS = [
    "Demo: repeatedly insulted and slapped her daughter-in-law and locked her out of the house.",
    "Demo: took her daughter-in-law's passport and forbade her to visit her parents.",
]
RISK_FLAGS = [
    ("escalation",),
    ("children_present",),
    ("stalking", "escalation"),
    ("earlier_orders",),
    ("children_present", "separation"),
    (),
]
GROUP_NOTES = [
    "Demo: opening round; the group went over its rules again.",
    "Demo: worked on early signs of anger; two participants gave examples from home.",
    "Demo: role play of a calm conversation; one participant blamed his wife and the group challenged it.",
    "Demo: homework reviewed; most kept to their time-out plan this week.",
    "Demo: discussion of who decides about money at home; lively, nobody left early.",
    "Demo: a quiet session; a new participant introduced himself.",
]
INDIVIDUAL_NOTES = [
    "Demo: first meeting; explained the rules, confidentiality and its limits; agreed goals.",
    "Demo: went through the incident again; still minimises it; agreed to talk about it in the group.",
]


# --- CTS-2 answers (invented patterns; the item wording is never used) ------------

# Answer codes (0 never … 6 more than 20 times in the past year) drawn per
# subscale, for the respondent's own acts: at intake, then at the end.
OWN_ACTS = {
    "negotiation-emotional": ((2, 4), (3, 6)),
    "negotiation-cognitive": ((1, 3), (3, 5)),
    "psychological-aggression-minor": ((3, 6), (1, 3)),
    "psychological-aggression-severe": ((1, 4), (0, 1)),
    "physical-assault-minor": ((2, 4), (0, 1)),
    "physical-assault-severe": ((0, 2), (0, 0)),
    "sexual-coercion-minor": ((0, 2), (0, 1)),
    "sexual-coercion-severe": ((0, 1), (0, 0)),
    "injury-minor": ((1, 3), (0, 1)),
    "injury-severe": ((0, 1), (0, 0)),
}
# A survivor's own answers: her acts ("self") and his ("partner").
SURVIVOR = {
    "negotiation-emotional": ((2, 4), (0, 2)),
    "negotiation-cognitive": ((2, 4), (0, 1)),
    "psychological-aggression-minor": ((0, 2), (4, 6)),
    "psychological-aggression-severe": ((0, 1), (2, 5)),
    "physical-assault-minor": ((0, 1), (3, 5)),
    "physical-assault-severe": ((0, 0), (1, 3)),
    "sexual-coercion-minor": ((0, 0), (1, 3)),
    "sexual-coercion-severe": ((0, 0), (0, 2)),
    "injury-minor": ((0, 0), (2, 4)),
    "injury-severe": ((0, 0), (0, 2)),
}


def _draw(rng: random.Random, low: int, high: int) -> int:
    code = rng.randint(max(0, low), max(0, min(6, high)))
    # Sometimes "not in the past year, but it happened before".
    return 7 if code == 0 and rng.random() < 0.2 else code


def cts2_answers(seed: str, *, stage: str, severity: int = 0) -> dict[int, int]:
    """All 78 answers of one invented questionnaire: ``stage`` "intake" or
    "end" for the referred person (the partner's acts a notch below his
    own), "survivor" for a survivor. ``severity`` (-1, 0, 1) shifts the
    intake answers of the aggression scales."""
    rng = random.Random(f"cts2:{seed}:{stage}")  # noqa: S311 - invented demo answers, fixed seed
    answers = {}
    for number, subscale, perspective, _pair in cts2.items():
        if stage == "survivor":
            low, high = SURVIVOR[subscale][0 if perspective == cts2.SELF else 1]
        else:
            low, high = OWN_ACTS[subscale][0 if stage == "intake" else 1]
            aggression = not subscale.startswith("negotiation")
            if aggression and stage == "intake":
                low, high = low + severity, high + severity
            if aggression and perspective == cts2.PARTNER:
                low, high = low - 1, high - 2
        answers[number] = _draw(rng, low, high)
    return answers


# --- The replay --------------------------------------------------------------------


class _Demo:
    def __init__(self, orgs: dict[str, Organisation], users: dict[str, User], result: LoadResult):
        self.orgs = orgs
        self.users = users
        self.result = result
        self.provider = orgs["provider.kg"]
        self.psychologist = users["psychologist.kg"]
        self.social = users["social.kg"]
        self.instrument = Instrument.objects.filter(code=cts2.CODE, is_active=True).order_by("-version").first()
        self.groups: dict[str, Group] = {}
        self.cases: dict[int, Case] = {}  # person number -> case
        self.enrolments: dict[int, Enrolment] = {}  # person number -> enrolment
        self.person_of: dict[int, Synthetic] = {}  # enrolment id -> person
        self.discharge_on: dict[int, int] = {}  # person number -> day

    # -- referrals and cases --

    def order(self, p: Synthetic) -> dict[str, Any]:
        """The protection order of a police referral, or the court's decision
        and the order it issued; none for a referral the police relay."""
        court = p.referrer == COURT_CLERK
        if p.source != "police" and not court:
            return {}
        start = p.start if p.start is not None else -3
        order: dict[str, Any] = {
            "order_number": f"KG-DEMO-{100 + p.n:04d}",
            "order_issuing_authority": self.orgs["court.kg"].name if court else KG_AUTHORITY,
            "order_issued_on": _days(start - 5),
            "order_expires_on": _days(start + 25),
            "order_obliges_programme": p.track.startswith("mandatory"),
        }
        if court:
            order |= {"court_decision_number": f"5-{100 + p.n}/DEMO", "court_decision_date": _days(start - 5)}
        return order

    def refer(self, p: Synthetic) -> Referral | None:
        woman = p.sex == "female"
        referral, created = referral_services.referral_create(
            by=self.users[p.entered_by],
            provider=self.provider,
            source=p.source,
            person=_person(
                p.family,
                p.given,
                sex=p.sex,
                born=p.born,
                phone=f"+996700001{p.n:03d}",
                language=p.language,
                address=f"Демонстрационная ул., {10 + p.n}",
                household=(
                    "Demo household: son, daughter-in-law, grandchildren."
                    if woman
                    else "Demo household: wife, children, his mother."
                ),
            ),
            survivors=[
                _survivor(
                    p.survivor_family,
                    p.survivor_given,
                    relationship="daughter_in_law" if woman else "partner",
                    phone=f"+996700002{p.n:03d}",
                    children=p.n % 4,
                    address=f"Демонстрационная ул., {10 + p.n}, кв. {1 + p.n % 9}",
                )
            ],
            order=self.order(p),
            incident_description=(WOMEN_INCIDENTS if woman else INCIDENTS)[p.n % (2 if woman else len(INCIDENTS))],
            risk_flags=RISK_FLAGS[p.n % len(RISK_FLAGS)],
            submission_key=_key(p.key),
        )
        if created:
            self.result.referrals_created.append(p.key)
        return referral if created else None

    def prepare(self, p: Synthetic) -> None:
        referral = self.refer(p)
        if referral is None or p.track == "received":
            return
        if p.track == "screening":
            _screen(
                referral,
                self.social,
                {"no_addiction": Screening.Answer.UNKNOWN},
                notes="Demo: asked the family doctor about his drinking; no answer yet.",
            )
            return
        if p.track == "declined":
            basic_therapy = p.decline_reason == Referral.DeclineReason.BASIC_THERAPY_FIRST
            _screen(referral, self.social, {"no_mental_disorder": Screening.Answer.NOT_MET} if basic_therapy else None)
            referral_services.referral_decline(
                referral=referral,
                by=self.psychologist,
                reason=p.decline_reason,
                explanation=DECLINE_EXPLANATIONS[p.decline_reason],
            )
            return
        _accept(referral, self.psychologist)
        if p.track == "accepted":
            return
        start = p.start if p.start is not None else -1
        flags = referral.risk_flags
        share = Consent.Decision.GIVEN if p.survivor_service or p.n % 3 else Consent.Decision.REFUSED
        case = _intake(
            referral,
            self.psychologist,
            language=p.language,
            share=share,
            risk=dict.fromkeys(flags, True),
            notes="Demo: initial assessment from the referral and the interview.",
            on=_days(start - 2),
            acknowledges=("yes", "partly", "partly", "no")[p.n % 4],
            motivation=("high", "medium", "low")[p.n % 3],
            substance_use=("none", "some")[p.n % 2],
            interview_notes=(
                "Demo: waiting for a place in a Kyrgyz-language group."
                if p.track == "waiting"
                else "Demo: came with the referral letter; agrees to attend."
            ),
        )
        if p.survivor_service:
            case_services.survivor_service_refer(case=case, organisation=self.orgs["crisis.kg"], by=self.social)
        self.cases[p.n] = case

    # -- groups --

    def open_groups(self) -> None:
        manager = self.users["manager.kg"]
        for key, plan in GROUPS.items():
            template = (
                ProgrammeTemplate.objects.filter(code=plan.template, provider=None, status="active")
                .order_by("-version")
                .first()
            )
            group, _warnings = programme_services.group_create(
                provider=self.provider,
                template=template,
                by=manager,
                name=plan.name,
                sex=plan.sex,
                capacity=plan.capacity,
                psychologist=self.psychologist,
                social_worker=self.social,
                location=plan.location,
                location_translations=ROOMS.get(plan.location),
                language=plan.language,
                starts_on=_days(plan.first_session),
                time_of_day=plan.time,
                now=min(_as_of(plan.first_session), timezone.now()),
            )
            for _cycle in range(plan.extra_cycles):
                programme_services.group_extend_schedule(
                    group=group, by=manager, now=min(_as_of(plan.first_session), timezone.now())
                )
            self.groups[key] = group
            self.result.groups_created += 1

    # -- enrolment, questionnaires, sessions, endings --

    def enrol(self, case: Case, group: Group, day: int, seed: str, severity: int) -> Enrolment:
        # Enrolled in time for the minimum notice before the first day.
        enrolment = programme_services.enrol(
            case=case,
            template=group.template,
            psychologist=self.psychologist,
            starts_on=_days(day),
            by=self.psychologist,
            group=group,
            now=_as_of(day),
        )
        self.result.enrolments_created += 1
        self.questionnaire(case, _days(day), cts2_answers(seed, stage="intake", severity=severity), Occasion.INTAKE)
        return enrolment

    def questionnaire(self, case: Case, on: dt.date, answers: dict[int, int], occasion: str, follow_up=None) -> None:
        if self.instrument is None:
            return
        outcome_services.administration_record(
            case=case,
            instrument=self.instrument,
            by=self.psychologist,
            respondent=Respondent.PERSON,
            answers=answers,
            administered_on=on,
            follow_up=follow_up,
            occasion=occasion,
        )
        self.result.questionnaires_created += 1

    def sessions_on(self, day: int) -> list[Session]:
        date = _days(day)
        return list(
            Session.objects.filter(
                Q(group__in=self.groups.values()) | Q(enrolment__in=self.enrolments.values()),
                status=Session.Status.PLANNED,
                starts_at__gte=local_midnight(date),
                starts_at__lt=local_midnight(date + dt.timedelta(days=1)),
            ).order_by("starts_at", "pk")
        )

    def log(self, session: Session, day: int) -> list[Enrolment]:
        expected = expected_by_session([session])[session.pk]
        if not expected:
            programme_services.session_cancel(
                session=session, reason="Demo: nobody was due at this session.", by=self.users["manager.kg"]
            )
            return []
        label = f"g{session.number}" if session.kind == Session.Kind.GROUP else f"i{session.number}"
        codes = {e.pk: self.person_of[e.pk].marks.get(label, "P") if e.pk in self.person_of else "P" for e in expected}
        if NOT_LOGGED in codes.values():
            return []
        group = session.kind == Session.Kind.GROUP
        notes = (GROUP_NOTES if group else INDIVIDUAL_NOTES)[(session.number - 1) % (len(GROUP_NOTES) if group else 2)]
        programme_services.attendance_log(
            session=session,
            by=self.social if group else self.psychologist,
            marks={pk: MARKS[code] for pk, code in codes.items()},
            topic_covered=session.planned_topic,
            notes=notes,
        )
        self.result.sessions_logged += 1
        for enrolment in expected:
            p = self.person_of.get(enrolment.pk)
            if p and codes[enrolment.pk] == "U" and p.ending == Enrolment.Status.DROPPED_OUT:
                self.discharge_on.setdefault(p.n, min(day + 2, 0))
        return expected

    def discharge(self, p: Synthetic, day: int) -> None:
        enrolment = self.enrolments[p.n]
        completed = p.ending == Enrolment.Status.COMPLETED
        enrolment = programme_services.enrolment_discharge(
            enrolment=enrolment,
            kind=p.ending,
            by=self.psychologist,
            on=_days(day),
            reason=p.end_reason,
            notes=(
                "Demo: attended every session; talked openly about his responsibility at the end."
                if completed
                else "Demo: three calls unanswered; a letter was sent to his address."
            ),
        )
        self.enrolments[p.n] = enrolment
        if completed:
            point = enrolment.follow_ups.get(kind=FollowUp.Kind.END, respondent=Respondent.PERSON)
            answers = cts2_answers(p.key, stage="end")
            self.questionnaire(enrolment.case, _days(day), answers, Occasion.END, follow_up=point)

    def replay(self, people: list[Synthetic]) -> None:
        enrolled = [p for p in people if p.track in GROUPS and p.n in self.cases]
        starts: dict[int, list[Synthetic]] = {}
        for p in enrolled:
            starts.setdefault(p.start, []).append(p)
        for day in range(min(starts, default=0), 0):
            for p in starts.get(day, []):
                enrolment = self.enrol(self.cases[p.n], self.groups[p.track], day, p.key, p.n % 3 - 1)
                self.enrolments[p.n] = enrolment
                self.person_of[enrolment.pk] = p
            seen: list[Enrolment] = []
            for session in self.sessions_on(day):
                seen.extend(self.log(session, day))
            for p in enrolled:
                if self.discharge_on.get(p.n) == day:
                    self.discharge(p, day)
            for enrolment in {e.pk: e for e in seen}.values():
                p = self.person_of.get(enrolment.pk)
                if (
                    p
                    and p.ending == Enrolment.Status.COMPLETED
                    and self.enrolments[p.n].status == Enrolment.Status.ACTIVE
                    and progress(self.enrolments[p.n]).requirements_met
                ):
                    self.discharge(p, day)
        for p in enrolled:  # a dropout two days after an absence yesterday
            if self.discharge_on.get(p.n) == 0 and self.enrolments[p.n].status == Enrolment.Status.ACTIVE:
                self.discharge(p, 0)

    # -- today --

    def demo_cases_start_today(self) -> None:
        """The two hand-written open cases joined the voluntary group in time
        for a first individual session today: the psychologist sees one at
        10:00 and the other in her next free hour."""
        group = self.groups["voluntary"]
        for key in ("kg-open-case", "kg-crisis-case"):
            case = Case.objects.filter(referral__submission_key=_key(key), status=Case.Status.OPEN).first()
            if case is None or case.enrolments.exists():
                continue
            self.enrol(case, group, 0, key, 1)

    def survivor_questionnaire(self) -> None:
        """Sezim records a CTS-2 with the survivor of the crisis case, who
        agreed to be contacted and to answer."""
        case = Case.objects.filter(referral__submission_key=_key("kg-crisis-case")).first()
        crisis = self.orgs["crisis.kg"]
        if self.instrument is None or case is None or not case.survivor_services.filter(organisation=crisis).exists():
            return
        survivor = case.referral.survivors.order_by("pk").first()
        if not outcome_services.survivor_questionnaire_allowed(case, survivor):
            return
        outcome_services.administration_record(
            case=case,
            instrument=self.instrument,
            by=self.users["crisis.kg"],
            respondent=Respondent.SURVIVOR,
            survivor=survivor,
            answers=cts2_answers("kg-crisis-case", stage="survivor"),
            administered_on=timezone.localdate(),
            occasion=Occasion.INTAKE,
            respondent_consented=True,
        )
        self.result.questionnaires_created += 1

    def acknowledge_old_notices(self) -> None:
        """Notices about endings more than two weeks ago have been dealt
        with; the recent ones are still open."""
        cutoff = _days(-14)
        case_ids = [e.case_id for e in self.enrolments.values() if e.ended_on and e.ended_on <= cutoff]
        a = Notice.Action
        who = {
            self.orgs["crisis.kg"].pk: (self.users["crisis.kg"], [a.SURVIVOR_CALLED, a.SAFETY_PLAN_REVIEWED], ""),
            self.orgs["police.kg"].pk: (
                self.users["police.kg"],
                [a.ORDER_CHECKED, a.OTHER],
                "Demo: noted in the case file.",
            ),
            self.provider.pk: (
                self.users["manager.kg"],
                [a.PARTICIPANT_CONTACTED, a.OTHER],
                "Demo: discussed at the team meeting; the survivor was told by phone.",
            ),
        }
        notices = Notice.objects.filter(status=Notice.Status.OPEN, event__case_id__in=case_ids).order_by("pk")
        for notice in notices:
            if notice.organisation_id in who:
                user, actions, note = who[notice.organisation_id]
                notification_services.notice_acknowledge(notice=notice, by=user, actions=actions, note=note)

    def record_what_followed(self) -> None:
        """The police recorded what followed their old dropout and
        non-compliance notices, one outcome of each kind in turn."""
        cutoff = _days(-14)
        case_ids = [e.case_id for e in self.enrolments.values() if e.ended_on and e.ended_on <= cutoff]
        notices = Notice.objects.filter(
            organisation=self.orgs["police.kg"], event__kind__in=SANCTIONABLE, event__case_id__in=case_ids
        ).select_related("event")
        outcomes: list[dict[str, Any]] = [
            {"kind": "warning"},
            {"kind": "community_service", "service_hours": 40},
            {"kind": "fine", "fine_amount": 3000, "fine_currency": "KGS"},
            {"kind": "court_hearing", "hearing_on": _days(10)},
            {"kind": "no_action", "no_action_reason": "resumed"},
        ]
        for i, notice in enumerate(notices.order_by("pk")):
            sanction_record(notice=notice, by=self.users["police.kg"], **outcomes[i % len(outcomes)])

    def court_records_what_followed(self) -> None:
        """The court heard that the person it ordered to attend missed a
        session while its order ran, and sentenced him to community service
        (Kyrgyzstan: 40 hours). Its dropout notice is still open."""
        notices = Notice.objects.filter(organisation=self.orgs["court.kg"], event__kind=SafetyEvent.Kind.NON_COMPLIANCE)
        for notice in notices.order_by("pk"):
            sanction_record(notice=notice, by=self.users[COURT_CLERK], kind="community_service", service_hours=40)


def voluntary_group_exists(orgs: dict[str, Organisation]) -> bool:
    return Group.objects.filter(provider=orgs["provider.kg"], name=GROUPS["voluntary"].name).exists()


def load_programme(orgs: dict[str, Organisation], users: dict[str, User], result: LoadResult) -> None:
    """Build the programme data unless it is there already (see the module
    docstring). Call inside the caller's transaction."""
    if voluntary_group_exists(orgs):
        return
    demo = _Demo(orgs, users, result)
    for person in PEOPLE:
        demo.prepare(person)
    demo.open_groups()
    demo.replay(PEOPLE)
    demo.demo_cases_start_today()
    demo.survivor_questionnaire()
    demo.acknowledge_old_notices()
    demo.record_what_followed()
    demo.court_records_what_followed()
