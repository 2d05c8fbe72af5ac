"""How a programme template compares with the standards the seeds name.

European guidance (WWP EN) and the regional guidance quoted in seed 001 ask
of a behaviour-change programme: at least six months; about 30 sessions (75
hours); risk assessment at the start and during the programme; contact
offered to the partner; no joint sessions of perpetrator and survivor.

The first two are the template's own figures and are compared here. The
other three are how every case is kept, whatever the template: a risk
assessment at intake and reassessments on the case, the survivor met
separately and only if she agrees (the survivor contact log), and a survivor
is never a session participant (``programmes.models``). They are shown
beside the figures, met by design.

"About 30 sessions" is met by 26 or more (one a week over the six months),
or by 75 hours. A course shorter than three months (the Kyrgyz mandatory
2 + 2 in four weeks, a six-week lecture series) is a short course below the
standard: what the law or the provider allows, not an error in the template.
The same rule is a query expression (``standard_expression``) so that the
monitoring report counts the participants in programmes that meet it.

Nothing here writes or reads the database.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.lookups import GreaterThanOrEqual
from django.utils.translation import gettext_lazy as _

MIN_SPAN_WEEKS = 26  # six months
ABOUT_SESSIONS = 30
MIN_SESSIONS = 26  # one a week over the six months: "about 30"
MIN_HOURS = 75
SHORT_COURSE_WEEKS = 13  # under three months


class Standard(models.TextChoices):
    MEETS = "meets", _("Meets the standard")
    SHORT_COURSE = "short_course", _("A short course, below the standard")
    BELOW = "below", _("Below the standard")


@dataclass(frozen=True)
class Criterion:
    """One line of the comparison: what the standard asks, what the
    template has, whether it is met; ``by_design`` when it holds for every
    case whatever the template."""

    code: str
    standard: str
    template: str
    met: bool
    by_design: bool = False


@dataclass(frozen=True)
class Comparison:
    verdict: str
    criteria: list[Criterion]

    @property
    def label(self) -> str:
        return str(Standard(self.verdict).label)

    @property
    def missing(self) -> list[Criterion]:
        return [c for c in self.criteria if not c.met]


def _verdict(span_weeks: int, sessions: int, hours: float) -> str:
    if span_weeks >= MIN_SPAN_WEEKS and (sessions >= MIN_SESSIONS or hours >= MIN_HOURS):
        return Standard.MEETS
    if span_weeks < SHORT_COURSE_WEEKS:
        return Standard.SHORT_COURSE
    return Standard.BELOW


def _figures(template) -> list[Criterion]:
    hours = round(template.planned_hours, 1)
    return [
        Criterion(
            "span",
            str(_("At least six months (%(weeks)d weeks)") % {"weeks": MIN_SPAN_WEEKS}),
            str(_("%(weeks)d weeks") % {"weeks": template.span_weeks}),
            template.span_weeks >= MIN_SPAN_WEEKS,
        ),
        Criterion(
            "sessions",
            str(
                _("About %(sessions)d sessions (at least %(least)d) or %(hours)d hours")
                % {"sessions": ABOUT_SESSIONS, "least": MIN_SESSIONS, "hours": MIN_HOURS}
            ),
            str(_("%(sessions)d sessions, %(hours)s hours") % {"sessions": template.total_sessions, "hours": hours}),
            template.total_sessions >= MIN_SESSIONS or hours >= MIN_HOURS,
        ),
    ]


def _by_design() -> list[Criterion]:
    return [
        Criterion(
            "risk",
            str(_("Risk assessment at the start and during the programme")),
            str(_("On every case: a risk assessment at intake and reassessments during the programme")),
            True,
            by_design=True,
        ),
        Criterion(
            "partner_contact",
            str(_("Contact offered to the partner")),
            str(_("On every case: the survivor's service offers contact, met separately and only if she agrees")),
            True,
            by_design=True,
        ),
        Criterion(
            "no_joint_sessions",
            str(_("No joint sessions of perpetrator and survivor")),
            str(_("A survivor is never a session participant")),
            True,
            by_design=True,
        ),
    ]


def compare_with_standards(template) -> Comparison:
    """The template's figures beside the standards, and its verdict."""
    verdict = _verdict(template.span_weeks, template.total_sessions, template.planned_hours)
    return Comparison(verdict, _figures(template) + _by_design())


def standard_expression(prefix: str = "") -> Case:
    """The verdict of ``compare_with_standards`` as a query expression over
    a template's fields (``prefix`` e.g. "template__" from an enrolment)."""

    def field(name: str) -> F:
        return F(f"{prefix}{name}")

    sessions = field("individual_sessions") + field("group_sessions")
    minutes = field("individual_sessions") * field("individual_minutes") + field("group_sessions") * field(
        "group_minutes"
    )
    long_enough = Q(**{f"{prefix}span_weeks__gte": MIN_SPAN_WEEKS})
    meets = long_enough & (
        Q(GreaterThanOrEqual(sessions, MIN_SESSIONS)) | Q(GreaterThanOrEqual(minutes, MIN_HOURS * 60))
    )
    short = Q(**{f"{prefix}span_weeks__lt": SHORT_COURSE_WEEKS})
    return Case(
        When(meets, then=Value(Standard.MEETS.value)),
        When(short, then=Value(Standard.SHORT_COURSE.value)),
        default=Value(Standard.BELOW.value),
        output_field=models.CharField(),
    )
