"""Where a group runs (consultation room, prison, residential centre) and a
participant's stay at a residential centre: group_create and group_update
with a setting, enrol_with_stay and stay_record."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Organisation
from core.models import TimelineEntry
from programmes import services
from programmes.models import Enrolment, Group, ResidentialStay
from programmes.services import StayDetails
from tests import factories as f
from tests.programmes.conftest import days

K = Organisation.Kind


@pytest.fixture
def prison(orgs):
    return orgs["prison"]


def _errors(exc) -> dict:
    return exc.value.message_dict


# --- The setting of a group ---------------------------------------------------


def test_a_group_runs_in_the_consultation_room_by_default(group_of, men):
    group = group_of(men)
    assert (group.setting, group.facility) == (Group.Setting.CONSULTATION_ROOM, None)


def test_a_group_in_a_prison_names_the_facility(group_of, men, prison):
    group = group_of(men, setting="prison", facility=prison)
    group.refresh_from_db()
    assert (group.setting, group.facility_id) == ("prison", prison.pk)
    assert group.sessions.count() == men.group_sessions


def test_a_prison_group_without_a_facility_is_refused(group_of, men):
    with pytest.raises(ValidationError) as exc:
        group_of(men, setting="prison")
    assert _errors(exc) == {"facility": ["Choose the prison or correctional facility where the sessions are held."]}
    assert not Group.objects.exists()


@pytest.mark.parametrize(
    ("kind", "country", "message"),
    [
        (K.POLICE_UNIT, "KG", "Choose a prison or correctional facility."),
        (K.PROGRAMME_PROVIDER, "KG", "Choose a prison or correctional facility."),
        (K.PRISON, "TJ", "Choose a facility in your organisation's country."),
    ],
)
def test_the_facility_is_a_prison_of_the_providers_country(group_of, men, kind, country, message):
    other = f.make_org(kind, country=country)
    with pytest.raises(ValidationError) as exc:
        group_of(men, setting="prison", facility=other)
    assert _errors(exc) == {"facility": [message]}


def test_an_inactive_facility_is_refused(group_of, men, prison):
    prison.is_active = False
    prison.save(update_fields=["is_active"])
    with pytest.raises(ValidationError) as exc:
        group_of(men, setting="prison", facility=prison)
    assert _errors(exc) == {"facility": ["This facility is no longer active."]}


@pytest.mark.parametrize("setting", ["room", "residential"])
def test_only_a_prison_group_names_a_facility(group_of, men, prison, setting):
    with pytest.raises(ValidationError) as exc:
        group_of(men, setting=setting, facility=prison)
    assert _errors(exc) == {"facility": ["Only a group in a prison or correctional facility names a facility."]}


def test_an_unknown_setting_is_refused_on_its_field(group_of, men):
    with pytest.raises(ValidationError) as exc:
        group_of(men, setting="hospital")
    assert "Choose where the group runs." in _errors(exc)["setting"]


def test_the_setting_errors_come_with_the_other_errors(group_of, men):
    with pytest.raises(ValidationError) as exc:
        group_of(men, setting="prison", capacity=0, name="")
    assert {"facility", "capacity", "name"} <= set(_errors(exc))


def _update(group, by, **overrides):
    data = {
        "group": group,
        "by": by,
        "name": group.name,
        "capacity": group.capacity,
        "psychologist": group.psychologist,
        "social_worker": group.social_worker,
        "location": group.location,
        "time_of_day": group.time_of_day,
    }
    data.update(overrides)
    return services.group_update(**data)


def test_a_change_without_a_setting_keeps_it(users, group_of, men, prison):
    group = group_of(men, setting="prison", facility=prison)
    _update(group, users["manager"], name="Colony group")
    group.refresh_from_db()
    assert (group.name, group.setting, group.facility_id) == ("Colony group", "prison", prison.pk)


def test_a_running_group_moves_into_a_prison_with_the_same_checks(users, group_of, men, prison):
    group = group_of(men)
    with pytest.raises(ValidationError) as exc:
        _update(group, users["manager"], setting="prison", facility=None)
    assert _errors(exc) == {"facility": ["Choose the prison or correctional facility where the sessions are held."]}
    _update(group, users["manager"], setting="prison", facility=prison)
    group.refresh_from_db()
    assert (group.setting, group.facility_id) == ("prison", prison.pk)


# --- A stay at a residential centre ---------------------------------------------


@pytest.fixture
def centre_group(group_of, men):
    return group_of(men, setting="residential", location="Turkistan residential centre")


def _enrol(users, case, template, group, stay):
    return services.enrol_with_stay(
        case=case,
        template=template,
        group=group,
        psychologist=users["psychologist"],
        starts_on=group.starts_on - dt.timedelta(days=template.first_group_offset() or 0),
        by=users["psychologist"],
        now=f.planned_as_of(group.starts_on),
        stay=stay,
    )


def test_enrolling_at_a_residential_centre_records_the_stay(users, orgs, new_case, men, centre_group):
    case = new_case()
    stay = StayDetails(arrival_on=days(-3), brought_by_police=True, police_unit=orgs["police"], departure_on=days(60))
    enrolment = _enrol(users, case, men, centre_group, stay)
    row = ResidentialStay.objects.get(enrolment=enrolment)
    assert (row.arrival_on, row.brought_by_police, row.police_unit_id, row.departure_on, row.recorded_by_id) == (
        days(-3),
        True,
        orgs["police"].pk,
        days(60),
        users["psychologist"].pk,
    )
    entry = TimelineEntry.objects.get(referral=case.referral, kind="stay_recorded")
    assert entry.params == {"arrival": days(-3).isoformat(), "departure": days(60).isoformat()}
    assert entry.detail_text == f"{days(-3):%d.%m.%Y} to {days(60):%d.%m.%Y}"


def test_the_departure_may_wait_and_the_police_unit_is_optional(users, new_case, men, centre_group):
    enrolment = _enrol(users, new_case(), men, centre_group, StayDetails(arrival_on=days(0), brought_by_police=True))
    assert (enrolment.stay.departure_on, enrolment.stay.police_unit, enrolment.stay.brought_by_police) == (
        None,
        None,
        True,
    )


def test_a_residential_group_needs_the_arrival_and_nothing_is_written_without_it(users, new_case, men, centre_group):
    case = new_case()
    with pytest.raises(ValidationError) as exc:
        _enrol(users, case, men, centre_group, None)
    assert _errors(exc) == {"arrival_on": ["Enter the date the person arrived at the centre."]}
    assert not Enrolment.objects.filter(case=case).exists()


@pytest.mark.parametrize("departure", [-3, -4])
def test_the_departure_comes_after_the_arrival(users, new_case, men, centre_group, departure):
    case = new_case()
    with pytest.raises(ValidationError) as exc:
        _enrol(users, case, men, centre_group, StayDetails(arrival_on=days(-3), departure_on=days(departure)))
    assert _errors(exc) == {"departure_on": ["The departure must be after the arrival."]}
    assert not Enrolment.objects.filter(case=case).exists()


def test_an_arrival_too_far_off_is_refused(users, new_case, men, centre_group):
    with pytest.raises(ValidationError) as exc:
        _enrol(users, new_case(), men, centre_group, StayDetails(arrival_on=days(-400)))
    assert _errors(exc) == {"arrival_on": ["Choose an arrival date within the last year or the next year."]}


def test_a_police_unit_is_named_only_when_the_police_brought_the_person(users, orgs, new_case, men, centre_group):
    with pytest.raises(ValidationError) as exc:
        _enrol(users, new_case(), men, centre_group, StayDetails(arrival_on=days(0), police_unit=orgs["police"]))
    assert _errors(exc) == {"police_unit": ["Name a police unit only when the police brought the person."]}


@pytest.mark.parametrize(
    ("kind", "country", "message"),
    [
        (K.SURVIVOR_SERVICE, "KG", "Choose a police unit."),
        (K.POLICE_UNIT, "TJ", "Choose a police unit in your organisation's country."),
    ],
)
def test_the_police_unit_is_a_police_unit_of_the_country(users, new_case, men, centre_group, kind, country, message):
    unit = f.make_org(kind, country=country)
    with pytest.raises(ValidationError) as exc:
        _enrol(
            users,
            new_case(),
            men,
            centre_group,
            StayDetails(arrival_on=days(0), brought_by_police=True, police_unit=unit),
        )
    assert _errors(exc) == {"police_unit": [message]}


def test_stay_errors_come_with_the_enrolment_errors(users, new_case, men, centre_group):
    with pytest.raises(ValidationError) as exc:
        services.enrol_with_stay(
            case=new_case(),
            template=men,
            group=centre_group,
            psychologist=users["social_worker"],
            starts_on=days(0),
            by=users["psychologist"],
            stay=StayDetails(arrival_on=days(2), departure_on=days(1)),
        )
    assert _errors(exc)["departure_on"] == ["The departure must be after the arrival."]
    assert _errors(exc)["psychologist"] == ["Choose a psychologist of your organisation."]


def test_a_group_elsewhere_takes_no_stay(users, new_case, men, group_of):
    group = group_of(men)
    with pytest.raises(ValidationError) as exc:
        _enrol(users, new_case(), men, group, StayDetails(arrival_on=days(0)))
    assert _errors(exc) == {"arrival_on": ["Stay dates are recorded only for a group at a residential centre."]}
    enrolment = _enrol(users, new_case(), men, group, None)
    assert not ResidentialStay.objects.filter(enrolment=enrolment).exists()


def test_the_departure_is_recorded_later(users, new_case, men, centre_group):
    enrolment = _enrol(users, new_case(), men, centre_group, StayDetails(arrival_on=days(-1)))
    stay = services.stay_record(
        enrolment=enrolment, by=users["social_worker"], stay=StayDetails(arrival_on=days(-1), departure_on=days(30))
    )
    assert ResidentialStay.objects.get().pk == stay.pk
    assert (stay.departure_on, stay.recorded_by_id) == (days(30), users["social_worker"].pk)
    with pytest.raises(ValidationError) as exc:
        services.stay_record(
            enrolment=enrolment, by=users["social_worker"], stay=StayDetails(arrival_on=days(-1), departure_on=days(-1))
        )
    assert _errors(exc) == {"departure_on": ["The departure must be after the arrival."]}


def test_a_stay_is_recorded_only_by_the_providers_clinical_staff(users, new_case, men, centre_group):
    enrolment = _enrol(users, new_case(), men, centre_group, StayDetails(arrival_on=days(-1)))
    for who in ("manager", "other_psychologist", "facility_officer", "police"):
        with pytest.raises(PermissionDenied):
            services.stay_record(enrolment=enrolment, by=users[who], stay=StayDetails(arrival_on=days(-2)))
    assert ResidentialStay.objects.get().arrival_on == days(-1)


def test_a_stay_is_not_recorded_outside_a_residential_group(users, new_case, men, group_of):
    enrolment = f.enrol_case(new_case(), by=users["psychologist"], template=men, group=group_of(men))
    with pytest.raises(ValidationError) as exc:
        services.stay_record(enrolment=enrolment, by=users["psychologist"], stay=StayDetails(arrival_on=days(0)))
    assert _errors(exc) == {"__all__": ["Stay dates are recorded only for a group at a residential centre."]}
