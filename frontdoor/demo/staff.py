"""The demo facilitators' staff records: the trainings they attended, the
supervision they received and their qualifications, recorded by the
Bishkek Consultation Room's programme manager through ``staffing``.

The three Bishkek facilitators (the Chance course's trainer among them)
went through the OSCE's five-day training of trainers for the Annex 3
programmes (seed 001) and an internship, so the groups they lead raise no
qualification warning; the social worker's
qualification lapses in six weeks, so the manager's page shows one that
expires soon. Each record is looked up before it is made, so loading twice
makes none twice.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from accounts.models import Organisation, User
from frontdoor.demo.common import _days
from staffing import services as staffing_services
from staffing.models import Qualification, Supervision, Training

OSCE = "OSCE Programme Office in Bishkek"
COURSE = "Working with perpetrators of domestic violence: five-day training of trainers (Decree 390, Annex 3)"
INTERNSHIP = "Internship at the Chance crisis centre's men's groups"

# username: (certificate number, qualification expires in days from today or None)
FACILITATORS: dict[str, tuple[str, int | None]] = {
    "psychologist.kg": ("OSCE-KG-2024-031", None),
    "social.kg": ("OSCE-KG-2024-032", 45),
    "trainer.kg": ("OSCE-KG-2024-047", None),
}


def _trainings(provider: Organisation, by: User, staff: User, certificate: str) -> None:
    courses = [
        (COURSE, OSCE, _days(-730), _days(-726), Decimal("40"), certificate, OSCE),
        (INTERNSHIP, "Chance crisis centre", _days(-700), _days(-640), Decimal("60"), "", ""),
    ]
    for course, trainer, starts_on, ends_on, hours, number, issuer in courses:
        if Training.objects.filter(staff=staff, course=course).exists():
            continue
        staffing_services.training_save(
            provider=provider,
            by=by,
            staff=staff,
            course=course,
            trainer=trainer,
            starts_on=starts_on,
            ends_on=ends_on,
            hours=hours,
            certificate_number=number,
            certificate_issuer=issuer,
        )


def _supervision(provider: Organisation, by: User, staff: User) -> None:
    for days_ago in (90, 30):
        held_on = _days(-days_ago)
        if Supervision.objects.filter(staff=staff, held_on=held_on).exists():
            continue
        staffing_services.supervision_save(
            provider=provider, by=by, staff=staff, held_on=held_on, hours=Decimal("2"), supervisor=OSCE
        )


def _qualification(provider: Organisation, by: User, staff: User, expires_in: int | None) -> None:
    if Qualification.objects.filter(staff=staff, family="kg_annex3").exists():
        return
    expires_on: dt.date | None = _days(expires_in) if expires_in is not None else None
    staffing_services.qualification_save(
        provider=provider,
        by=by,
        staff=staff,
        family="kg_annex3",
        granted_on=_days(-640),
        granted_by=OSCE,
        expires_on=expires_on,
    )


def load_staff_records(orgs: dict[str, Organisation], users: dict[str, User]) -> None:
    provider, manager = orgs["provider.kg"], users["manager.kg"]
    for username, (certificate, expires_in) in FACILITATORS.items():
        staff = users[username]
        _trainings(provider, manager, staff, certificate)
        _supervision(provider, manager, staff)
        _qualification(provider, manager, staff, expires_in)
