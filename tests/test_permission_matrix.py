"""Every URL of the app × every role × own vs other organisation.

Each URL name must have an entry in MATRIX; a new URL without one fails
``test_every_url_has_an_entry``. For each entry and each standing user the
expected status is:
- ``ok`` roles: 200 (or the entry's ``ok_status``),
- ``hidden`` roles (the same role in another organisation): 404,
- every other signed-in role: 403,
- anonymous: a redirect to sign-in (web) or 401 (API), unless ``public``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from tests import factories as f
from tests.conftest import just_active, login_verified

ROLES = [
    "anonymous",
    "police",
    "police2",
    "psychologist",
    "social_worker",
    "manager",
    "provider_admin",
    "survivor_worker",
    "monitoring",
    "other_police",
    "other_psychologist",
    "other_survivor_worker",
    # The other agencies of the pathway: none of them opens a survivor's data
    # or a clinical record.
    "judge",
    "court_clerk",
    "probation_officer",
    "child_protection",
    "social_officer",
    "monitoring_officer",
    "facility_officer",
    "ministry_officer",
]
AGENCIES = {
    "judge",
    "court_clerk",
    "probation_officer",
    "child_protection",
    "social_officer",
    "monitoring_officer",
    "facility_officer",
    "ministry_officer",
}
# Administrators of two referring bodies, standing users of this module
# only: the police unit's (it keeps the standing webhook) and the court's
# (another referring body: that webhook is missing to it).
REFERRER_ADMINS = ["police_admin", "court_admin"]
# Aggregate figures of the country's providers (never names).
COUNTRY_MONITORS = {"monitoring", "monitoring_officer"}
POLICE = {"police", "police2"}
# Every role that enters referrals and follows its own (police, courts, the
# commission on children's rights, local government, ministries, a women's
# resource centre's workers).
REFERRERS = POLICE | {
    "other_police",
    "judge",
    "court_clerk",
    "child_protection",
    "social_officer",
    "ministry_officer",
    "survivor_worker",
    "other_survivor_worker",
}
CLINICAL = {"psychologist", "social_worker"}
PROVIDER_STAFF = CLINICAL | {"manager"}
# The roles with no use for the API (no ``api_user``): a token of theirs is
# refused at authentication, a 401 on every API endpoint.
NO_API_USE = {"provider_admin", "probation_officer", "facility_officer", *REFERRER_ADMINS}
STAFF_KEEPERS = {"manager", "provider_admin"}


@dataclass
class Entry:
    kwargs: Callable[[dict], dict] = lambda w: {}
    ok: set = field(default_factory=set)
    hidden: set = field(default_factory=set)
    ok_status: int = 200
    public: bool = False
    api: bool = False
    method: str = "get"
    # What a POST sends, so that an ok role's request is a valid one.
    data: dict = field(default_factory=dict)
    # For the few pages that answer every signed-in user the same way.
    everyone: int | None = None
    # Per-role exceptions to the rules above.
    special: dict = field(default_factory=dict)
    # The page asks for a code typed in the last minutes: the request is
    # made just after one, so what the matrix sees is the page's answer.
    fresh_code: bool = False
    # A JSON endpoint of the web app (signed in by session): ``data`` goes as JSON.
    json: bool = False


def ref_new(w):
    return {"pk": w["ref_new"].pk}


def case_kw(w):
    return {"pk": w["case"].pk}


def notice_kw(w):
    return {"pk": w["notice"].pk}


def police_notice_kw(w):
    """The referring police unit's notice of a non-compliance on the case,
    built on first use."""
    if "police_notice" not in w:
        from django.db import transaction

        from notifications.models import Notice
        from notifications.services import safety_event_record

        with transaction.atomic():
            event = safety_event_record(
                kind="non_compliance", case=w["case"], facts={}, dedupe_key="non_compliance:matrix"
            )
        w["police_notice"] = event.notices.get(role_hint=Notice.Recipient.POLICE)
    return {"pk": w["police_notice"].pk}


def survivor_kw(w):
    return {"pk": w["case"].pk, "survivor_pk": w["survivor"].pk}


def api_token_kw(w):
    """A token of the psychologist, made on first use."""
    if "api_token" not in w:
        from accounts.models import User
        from accounts.tokens import api_token_create

        w["api_token"], _key = api_token_create(user=User.objects.get(username="psychologist"), name="matrix-page")
    return {"pk": w["api_token"].pk}


def webhook_kw(w):
    """A webhook of the standing police unit, made on first use."""
    if "webhook" not in w:
        from accounts.models import User
        from notifications.models import WebhookSubscription

        police = User.objects.get(username="police")
        w["webhook"] = WebhookSubscription.objects.create(
            organisation=police.membership.organisation, url="https://93.184.216.34/hook", secret="x", created_by=police
        )
    return {"pk": w["webhook"].pk}


def plan_version_kw(w):
    """A version of the survivor's safety plan, saved on first use."""
    if "plan_version" not in w:
        from accounts.models import User
        from casework.services import safety_plan_save
        from tests.casework.conftest import plan_data

        plan = safety_plan_save(
            case=w["case"], survivor=w["survivor"], by=User.objects.get(username="survivor_worker"), **plan_data()
        )
        w["plan_version"] = plan.versions.get()
    return {**survivor_kw(w), "version_pk": w["plan_version"].pk}


def alert_channel_kw(w):
    """The survivor worker's own SMS channel, built on first use."""
    if "alert_channel" not in w:
        from accounts.models import User
        from notifications.models import AlertChannel

        owner = User.objects.get(username="survivor_worker")
        w["alert_channel"] = AlertChannel.objects.get_or_create(user=owner, kind="sms", address="+996555000001")[0]
    return {"pk": w["alert_channel"].pk}


# --- staffing: the provider's records of its facilitators ---------------------
def _staff_records(w):
    """A training, supervision and a qualification of the standing
    psychologist, recorded by the manager on first use."""
    if "staff_records" not in w:
        import datetime as dt
        from decimal import Decimal

        from accounts.models import User
        from staffing import services

        manager, staff = User.objects.get(username="manager"), User.objects.get(username="psychologist")
        common = {"provider": manager.membership.organisation, "by": manager, "staff": staff}
        w["staff_records"] = {
            "training": services.training_save(
                **common,
                course="Working with perpetrators",
                trainer="OSCE",
                starts_on=dt.date(2026, 5, 4),
                ends_on=dt.date(2026, 5, 8),
                hours=Decimal("40"),
            ),
            "supervision": services.supervision_save(
                **common, held_on=dt.date(2026, 6, 1), hours=Decimal("2"), supervisor="Supervisor"
            ),
            "qualification": services.qualification_save(
                **common, family="kg_annex3", granted_on=dt.date(2026, 5, 8), granted_by="OSCE"
            ),
            "staff": staff,
        }
    return w["staff_records"]


def staff_kw(w):
    return {"pk": _staff_records(w)["staff"].pk}


def staff_add_kw(w):
    return {"staff_pk": _staff_records(w)["staff"].pk}


def staff_record_kw(kind: str):
    return lambda w: {"pk": _staff_records(w)[kind].pk}


# --- programmes: session pages ----------------------------------------------
def _sessions_world(w):
    """A group session today with one man in it, a completed enrolment and the
    psychologist's calendar feed; built on first use."""
    if "sessions" not in w:
        from accounts.models import User
        from programmes.calendar import feed_rotate
        from tests.programmes.views_sessions_support import completed_enrolment, men_group_today

        users = {u.username: u for u in User.objects.filter(username__in=["police", "psychologist", "social_worker"])}
        orgs = {"provider": users["psychologist"].membership.organisation}
        _group, people, session = men_group_today(users, orgs, size=1)
        w["sessions"] = {
            "session": session,
            "enrolment": people[0],
            "completed": completed_enrolment(users, orgs),
            "feed": feed_rotate(user=users["psychologist"]),
        }
    return w["sessions"]


def session_kw(w):
    return {"pk": _sessions_world(w)["session"].pk}


def enrolment_kw(w):
    return {"pk": _sessions_world(w)["enrolment"].pk}


def completed_kw(w):
    return {"pk": _sessions_world(w)["completed"].pk}


def feed_kw(w):
    from programmes.calendar import feed_token

    return {"token": feed_token(_sessions_world(w)["feed"])}


# --- programmes: set-up pages -----------------------------------------------
def _setup_world(w):
    """The provider's own copy of a shipped template, a men's group of it and
    a man enrolled in the group; built on first use."""
    if "setup" not in w:
        from accounts.models import User
        from programmes.services import template_copy

        users = {u.username: u for u in User.objects.filter(username__in=["police", "psychologist", "manager"])}
        provider = users["psychologist"].membership.organisation
        own = template_copy(
            template=f.shipped_template("kg-annex3-voluntary-men"), provider=provider, by=users["manager"]
        )
        group = f.make_group(by=users["psychologist"], template=own)
        case = f.make_open_case(police=users["police"], provider=provider, by=users["psychologist"])
        w["setup"] = {
            "template": own,
            "group": group,
            "enrolment": f.enrol_case(case, by=users["psychologist"], template=own, group=group),
        }
    return w["setup"]


def _facility_world(w):
    """A men's group of the provider held at the standing prison, with a man
    enrolled in it; built on first use."""
    if "facility" not in w:
        from accounts.models import Organisation, User

        users = {u.username: u for u in User.objects.filter(username__in=["police", "psychologist"])}
        provider = users["psychologist"].membership.organisation
        prison = Organisation.objects.get(kind=Organisation.Kind.PRISON, name="Correctional Colony No. 47")
        template = f.shipped_template("kg-annex3-voluntary-men")
        group = f.make_group(by=users["psychologist"], template=template, setting="prison", facility=prison)
        case = f.make_open_case(police=users["police"], provider=provider, by=users["psychologist"])
        f.enrol_case(case, by=users["psychologist"], template=template, group=group)
        w["facility"] = {"group": group}
    return w["facility"]


def facility_group_kw(w):
    return {"pk": _facility_world(w)["group"].pk}


def resident_kw(w):
    """A man enrolled in a group at a residential centre, with his stay;
    built on first use."""
    if "resident" not in w:
        import datetime as dt

        from django.utils import timezone

        from accounts.models import User
        from programmes.services import StayDetails, enrol_with_stay

        users = {u.username: u for u in User.objects.filter(username__in=["police", "psychologist"])}
        provider = users["psychologist"].membership.organisation
        template = f.shipped_template("kg-annex3-voluntary-men")
        group = f.make_group(by=users["psychologist"], template=template, setting="residential")
        w["resident"] = enrol_with_stay(
            case=f.make_open_case(police=users["police"], provider=provider, by=users["psychologist"]),
            template=template,
            group=group,
            psychologist=users["psychologist"],
            starts_on=group.starts_on - dt.timedelta(days=template.first_group_offset() or 0),
            by=users["psychologist"],
            now=f.planned_as_of(group.starts_on),
            stay=StayDetails(arrival_on=timezone.localdate()),
        )
    return {"pk": w["resident"].pk}


def own_template_kw(w):
    return {"pk": _setup_world(w)["template"].pk}


def group_kw(w):
    return {"pk": _setup_world(w)["group"].pk}


def setup_enrolment_kw(w):
    return {"pk": _setup_world(w)["enrolment"].pk}


# --- outcomes: questionnaires and follow-ups ----------------------------------
def _outcomes_world(w):
    """The person's intake CTS2 on the standing case, and a follow-up point
    of an enrolment of that case; built on first use."""
    if "outcomes" not in w:
        from accounts.models import User
        from outcomes.models import Instrument
        from outcomes.services import administration_record, follow_ups_schedule
        from programmes.models import Enrolment

        psychologist = User.objects.get(username="psychologist")
        case = w["case"]
        administration = administration_record(
            case=case,
            instrument=Instrument.objects.get(code="cts2"),
            by=psychologist,
            respondent="person",
            answers={1: 0},
            administered_on=case.opened_at.date(),
            occasion="intake",
        )
        enrolment = Enrolment.objects.create(
            case=case,
            template=f.shipped_template("kz-union-crisis-centres"),
            provider=case.provider,
            psychologist=psychologist,
            starts_on=case.opened_at.date(),
            status="completed",
            ended_on=case.opened_at.date(),
            enrolled_by=psychologist,
        )
        w["outcomes"] = {
            "administration": administration,
            "point": follow_ups_schedule(enrolment=enrolment)[-1],
        }
    return w["outcomes"]


def administration_kw(w):
    return {"pk": _outcomes_world(w)["administration"].pk}


def follow_up_kw(w):
    return {"pk": _outcomes_world(w)["point"].pk}


def _monitoring_world(w):
    """A completed Chance enrolment on the standing case, monitored by the
    standing social-development department; built on first use."""
    if "monitoring" not in w:
        from accounts.models import Organisation, User
        from outcomes.monitoring_services import monitoring_body_assign
        from programmes.models import Enrolment

        psychologist = User.objects.get(username="psychologist")
        case = w["case"]
        enrolment = Enrolment.objects.create(
            case=case,
            template=f.shipped_template("kg-chance-mandatory-men"),
            provider=case.provider,
            psychologist=psychologist,
            starts_on=case.opened_at.date(),
            status="completed",
            ended_on=case.opened_at.date(),
            enrolled_by=psychologist,
        )
        body = Organisation.objects.get(kind="social_development", name="State Department for Social Development")
        monitoring_body_assign(enrolment=enrolment, body_kind="social_development", organisation=body, by=psychologist)
        w["monitoring"] = {"enrolment": enrolment, "meeting": enrolment.monitoring_meetings.order_by("months")[0]}
    return w["monitoring"]


def monitoring_meeting_kw(w):
    return {"pk": _monitoring_world(w)["meeting"].pk}


def monitoring_enrolment_kw(w):
    return {"pk": _monitoring_world(w)["enrolment"].pk}


# The roles that may monitor a person after the programme (accounts.permissions.POST_MONITOR_ROLES).
POST_MONITORS = POLICE | {"other_police", "social_officer", "monitoring_officer"}


def instrument_kw(w):
    from outcomes.models import Instrument

    return {"pk": Instrument.objects.get(code="cts2", version=1).pk}


# --- end outcomes -----------------------------------------------------------------


MATRIX: dict[str, Entry] = {
    # Each role is sent to where its work starts; an org admin and clinical
    # staff (their sessions today, incoming referrals) have a home page.
    "frontdoor:home": Entry(
        everyone=302,
        special={
            "provider_admin": 200,
            **{role: 200 for role in REFERRER_ADMINS},
            "psychologist": 200,
            "social_worker": 200,
            "other_psychologist": 200,
            **{role: 200 for role in AGENCIES - COUNTRY_MONITORS - REFERRERS - {"facility_officer"}},
        },
    ),
    "core:healthz": Entry(public=True, everyone=200),
    "core:livez": Entry(public=True, everyone=200),
    # --- reports: monitoring dashboard (aggregates for monitoring viewers, the state
    # social-development department's monitoring officers and programme managers) ---
    "reports:dashboard": Entry(ok=COUNTRY_MONITORS | {"manager"}),
    "reports:export_csv": Entry(ok=COUNTRY_MONITORS | {"manager"}),
    "reports:export_xlsx": Entry(ok=COUNTRY_MONITORS | {"manager"}),
    "api-reports-outcomes": Entry(ok=COUNTRY_MONITORS | {"manager"}, api=True),
    # --- end reports ---
    # A signed-in user is sent on from the sign-in page.
    "accounts:login": Entry(public=True, everyone=302, special={"anonymous": 200}),
    "accounts:logout": Entry(public=True, everyone=405),
    "accounts:verify": Entry(everyone=302),
    "accounts:two_factor_setup": Entry(everyone=302),
    "accounts:reauth": Entry(everyone=200),
    # The organisation administrator's token page; issuing and revoking ask
    # for a fresh code first (a redirect to accounts:reauth).
    # Every organisation's administrator keeps its own members' tokens; the
    # revoke page asks for the code before it looks the token up.
    "accounts:api_tokens": Entry(ok={"provider_admin", *REFERRER_ADMINS}),
    "accounts:api_token_issue": Entry(ok={"provider_admin", *REFERRER_ADMINS}, ok_status=302),
    "accounts:api_token_revoke": Entry(api_token_kw, ok={"provider_admin", *REFERRER_ADMINS}, ok_status=302),
    # A referring organisation's administrator keeps its webhooks: the
    # police unit's lists and adds its own and opens its webhook, the court's
    # lists and adds its own but the unit's webhook is missing to it; every
    # other standing role is refused, the provider's administrator included
    # (tests/notifications/test_webhook_pages.py goes through each action).
    "notifications:webhooks": Entry(ok=set(REFERRER_ADMINS)),
    "notifications:webhook_add": Entry(ok=set(REFERRER_ADMINS), fresh_code=True),
    "notifications:webhook_detail": Entry(webhook_kw, ok={"police_admin"}, hidden={"court_admin"}, fresh_code=True),
    "set_language": Entry(public=True, everyone=302),
    # Every referring body lists and enters its own referrals; another
    # body's referral (here a police unit's) is missing to it.
    "referrals:police_list": Entry(ok=REFERRERS),
    "referrals:create": Entry(ok=REFERRERS),
    "referrals:police_detail": Entry(ref_new, ok=POLICE, hidden=REFERRERS - POLICE),
    # A police unit or a court extends the order of its own referrals.
    "referrals:extend_order": Entry(ref_new, ok=POLICE, hidden={"other_police", "judge", "court_clerk"}),
    "referrals:incoming": Entry(ok=PROVIDER_STAFF | {"other_psychologist"}),
    # A provider's staff record a self-referral to their own provider.
    "referrals:self_create": Entry(ok=PROVIDER_STAFF | {"other_psychologist"}),
    "referrals:screen": Entry(ref_new, ok=PROVIDER_STAFF, hidden={"other_psychologist"}),
    "referrals:criteria": Entry(ok={"manager", "provider_admin"}),
    "referrals:criteria_adopt": Entry(ok={"manager", "provider_admin"}, method="post", ok_status=302),
    "referrals:criterion_add": Entry(ok={"manager", "provider_admin"}),
    "referrals:criterion_edit": Entry(lambda w: {"pk": w["criterion"].pk}, ok={"manager", "provider_admin"}),
    "referrals:criterion_deactivate": Entry(
        lambda w: {"pk": w["criterion"].pk}, ok={"manager", "provider_admin"}, method="post", ok_status=302
    ),
    # A provider's managers and administrators keep its facilitators'
    # records; a psychologist or social worker reads her own.
    "staffing:staff_list": Entry(ok=STAFF_KEEPERS),
    "staffing:mine": Entry(ok=CLINICAL | {"other_psychologist"}),
    "staffing:attention": Entry(ok=STAFF_KEEPERS),
    "staffing:staff_detail": Entry(staff_kw, ok=STAFF_KEEPERS),
    "staffing:training_add": Entry(staff_add_kw, ok=STAFF_KEEPERS),
    "staffing:training_edit": Entry(staff_record_kw("training"), ok=STAFF_KEEPERS),
    "staffing:supervision_add": Entry(staff_add_kw, ok=STAFF_KEEPERS),
    "staffing:supervision_edit": Entry(staff_record_kw("supervision"), ok=STAFF_KEEPERS),
    "staffing:qualification_add": Entry(staff_add_kw, ok=STAFF_KEEPERS),
    "staffing:qualification_edit": Entry(staff_record_kw("qualification"), ok=STAFF_KEEPERS),
    "casework:case_list": Entry(ok=PROVIDER_STAFF | {"other_psychologist"}),
    "casework:survivor_cases": Entry(ok={"survivor_worker", "other_survivor_worker"}),
    "casework:intake": Entry(
        lambda w: {"referral_pk": w["ref_accepted"].pk}, ok=CLINICAL, hidden={"other_psychologist"}
    ),
    "casework:case_detail": Entry(
        case_kw, ok=PROVIDER_STAFF | {"survivor_worker"}, hidden={"other_psychologist", "other_survivor_worker"}
    ),
    "casework:risk_reassess": Entry(case_kw, ok=CLINICAL, hidden={"other_psychologist"}),
    "casework:consent_record": Entry(
        case_kw, ok=CLINICAL | {"survivor_worker"}, hidden={"other_psychologist", "other_survivor_worker"}
    ),
    "casework:refer_survivor_service": Entry(case_kw, ok=CLINICAL, hidden={"other_psychologist"}),
    "casework:survivor_detail": Entry(survivor_kw, ok={"survivor_worker"}, hidden={"other_survivor_worker"}),
    "casework:survivor_contact": Entry(
        survivor_kw, ok=CLINICAL | {"survivor_worker"}, hidden={"other_psychologist", "other_survivor_worker"}
    ),
    "casework:safety_plan": Entry(survivor_kw, ok={"survivor_worker"}, hidden={"other_survivor_worker"}),
    "casework:safety_plan_versions": Entry(survivor_kw, ok={"survivor_worker"}, hidden={"other_survivor_worker"}),
    "casework:safety_plan_version": Entry(plan_version_kw, ok={"survivor_worker"}, hidden={"other_survivor_worker"}),
    # Every member of an organisation has an inbox; a notice is its
    # organisation's (here the crisis centre's): everyone else gets 404.
    "notifications:inbox": Entry(everyone=200),
    "notifications:badge": Entry(everyone=200),
    "notifications:notice_detail": Entry(
        notice_kw, ok={"survivor_worker"}, hidden={*ROLES, *REFERRER_ADMINS} - {"survivor_worker"}
    ),
    "notifications:acknowledge": Entry(
        notice_kw,
        ok={"survivor_worker"},
        # Only the roles that acknowledge notices at all reach the 404.
        hidden={*ROLES, *REFERRER_ADMINS} - {"survivor_worker", "monitoring"} - (AGENCIES - REFERRERS),
        method="post",
        data={"actions": ["survivor_called"]},
        ok_status=302,
    ),
    # What followed a non-compliance notice: the police unit it reached
    # (a court's judges and clerks for their court's notices); other police
    # and the court do not see this one.
    "notifications:record_sanction": Entry(
        police_notice_kw, ok=POLICE, hidden={"other_police", "judge", "court_clerk"}
    ),
    "notifications:report_violence": Entry(
        case_kw,
        ok=CLINICAL | POLICE | {"survivor_worker"},
        hidden={"other_psychologist", "other_survivor_worker", "other_police"},
    ),
    # --- alert channels ---
    # Everyone keeps her own channels; a channel is its owner's alone
    # (anyone else: 404). The reach page is for administrators and
    # programme managers of their own organisation.
    "notifications:my_alerts": Entry(everyone=200),
    "notifications:my_alert_channel": Entry(
        alert_channel_kw,
        ok={"survivor_worker"},
        hidden={*ROLES, *REFERRER_ADMINS} - {"survivor_worker", "anonymous"},
        method="post",
        data={"action": "urgencies", "urgencies": ["urgent"]},
        ok_status=302,
    ),
    "notifications:reach": Entry(ok={"manager", "provider_admin", *REFERRER_ADMINS}),
    # --- end alert channels ---
    # --- reminders ---
    # Everyone has their own reminder list; a participant's SMS reminders
    # are the enrolment provider's staff's to change.
    "notifications:reminders": Entry(everyone=200),
    "notifications:participant_reminders": Entry(enrolment_kw, ok=PROVIDER_STAFF, hidden={"other_psychologist"}),
    # --- end reminders ---
    # --- programmes: session pages ---
    "programmes:today": Entry(ok=PROVIDER_STAFF | {"other_psychologist"}),
    "programmes:session_log": Entry(session_kw, ok=PROVIDER_STAFF, hidden={"other_psychologist"}),
    "programmes:session_reschedule": Entry(session_kw, ok=PROVIDER_STAFF, hidden={"other_psychologist"}),
    "programmes:session_cancel": Entry(session_kw, ok=PROVIDER_STAFF, hidden={"other_psychologist"}),
    "programmes:enrolment_detail": Entry(enrolment_kw, ok=PROVIDER_STAFF, hidden={"other_psychologist"}),
    "programmes:discharge": Entry(enrolment_kw, ok=CLINICAL, hidden={"other_psychologist"}),
    "programmes:certificate": Entry(completed_kw, ok=PROVIDER_STAFF, hidden={"other_psychologist"}),
    "programmes:certificate_pdf": Entry(completed_kw, ok=PROVIDER_STAFF, hidden={"other_psychologist"}),
    "programmes:calendar_settings": Entry(ok=PROVIDER_STAFF | {"other_psychologist"}),
    # --- fieldwork: a phone prepared for the field, and what it sends back ---
    # Each practitioner's own sessions only (another organisation's are
    # never in her bundle, and a sync names them "not found": tests/fieldwork).
    "fieldwork:prepare": Entry(ok=CLINICAL | {"other_psychologist"}),
    "fieldwork:sync": Entry(ok=CLINICAL | {"other_psychologist"}, method="post", json=True, data={"entries": []}),
    # The offline page the service worker keeps: no data of its own.
    "fieldwork:shell": Entry(ok=CLINICAL | {"other_psychologist"}),
    # The installable app: no data, for every visitor.
    "fieldwork:manifest": Entry(public=True, everyone=200),
    "fieldwork:service_worker": Entry(public=True, everyone=200),
    # No sign-in (calendar apps cannot do a second factor): the token is the
    # key, so everyone with a valid link gets the feed (a wrong one: 404,
    # see tests/programmes/test_calendar.py).
    "programmes:calendar_feed": Entry(feed_kw, public=True, everyone=200),
    # --- programmes: set-up pages ---
    # Provider staff read templates and groups; programme managers copy and
    # edit their own templates; clinical staff enrol.
    "programmes:templates": Entry(ok=PROVIDER_STAFF | {"other_psychologist"}),
    "programmes:template_detail": Entry(own_template_kw, ok=PROVIDER_STAFF, hidden={"other_psychologist"}),
    "programmes:template_copy": Entry(own_template_kw, ok={"manager"}, method="post", ok_status=302),
    "programmes:template_edit": Entry(own_template_kw, ok={"manager"}),
    "programmes:groups": Entry(ok=PROVIDER_STAFF | {"other_psychologist"}),
    "programmes:waiting_list": Entry(ok=PROVIDER_STAFF | {"other_psychologist"}),
    "programmes:group_create": Entry(ok=PROVIDER_STAFF | {"other_psychologist"}),
    "programmes:group_detail": Entry(group_kw, ok=PROVIDER_STAFF, hidden={"other_psychologist"}),
    "programmes:group_extend": Entry(
        group_kw, ok=PROVIDER_STAFF, hidden={"other_psychologist"}, method="post", ok_status=302
    ),
    # Provider staff change and close a running group, as they open one.
    "programmes:group_edit": Entry(group_kw, ok=PROVIDER_STAFF, hidden={"other_psychologist"}),
    "programmes:group_close": Entry(group_kw, ok=PROVIDER_STAFF, hidden={"other_psychologist"}),
    "programmes:enrol": Entry(lambda w: {"case_pk": w["case"].pk}, ok=CLINICAL, hidden={"other_psychologist"}),
    # A prison's officers: the attendance of the groups held there, nothing else.
    "programmes:facility_groups": Entry(ok={"facility_officer"}),
    "programmes:facility_group": Entry(facility_group_kw, ok={"facility_officer"}),
    "programmes:stay": Entry(resident_kw, ok=CLINICAL, hidden={"other_psychologist"}),
    "programmes:move_group": Entry(setup_enrolment_kw, ok=PROVIDER_STAFF, hidden={"other_psychologist"}),
    "programmes:transfer": Entry(setup_enrolment_kw, ok=PROVIDER_STAFF, hidden={"other_psychologist"}),
    # Templates are reference data: every member of an organisation may list them.
    "api-programme-templates": Entry(everyone=200, api=True),
    # A provider's own systems: its enrolments and their attendance, as on the enrolment pages.
    "api-enrolments": Entry(ok=PROVIDER_STAFF | {"other_psychologist"}, api=True),
    "api-enrolment-attendance": Entry(
        lambda w: {"id": enrolment_kw(w)["pk"]}, ok=PROVIDER_STAFF, hidden={"other_psychologist"}, api=True
    ),
    # --- outcomes: questionnaires and follow-ups ---
    # The person's questionnaires are clinical records (psychologists and
    # social workers of the provider); a survivor's only reach the survivor
    # services on the case. Programme managers plan follow-ups.
    "outcomes:follow_ups": Entry(ok=PROVIDER_STAFF | {"other_psychologist"}),
    "outcomes:follow_up_detail": Entry(follow_up_kw, ok=CLINICAL, hidden={"other_psychologist"}),
    # Monitoring after the programme: a body sees only the meetings it was named for.
    "outcomes:monitoring_list": Entry(ok=POST_MONITORS),
    "outcomes:monitoring_meeting": Entry(
        monitoring_meeting_kw, ok={"monitoring_officer"}, hidden=POST_MONITORS - {"monitoring_officer"}
    ),
    "outcomes:monitoring_bodies": Entry(monitoring_enrolment_kw, ok=PROVIDER_STAFF, hidden={"other_psychologist"}),
    # Questionnaires offered to the organisation: its programme managers load them and set the scoring rule.
    "outcomes:instruments": Entry(ok={"manager"}),
    "outcomes:scoring_settings": Entry(ok={"manager"}, method="post", ok_status=302, data={"prorate_missing": "no"}),
    "outcomes:instrument_export": Entry(instrument_kw, ok={"manager"}),
    "outcomes:case_results": Entry(case_kw, ok=CLINICAL, hidden={"other_psychologist"}),
    "outcomes:administration_new": Entry(case_kw, ok=CLINICAL, hidden={"other_psychologist"}),
    "outcomes:administration_detail": Entry(
        administration_kw, ok=CLINICAL, hidden={"other_psychologist", "survivor_worker", "other_survivor_worker"}
    ),
    "outcomes:survivor_results": Entry(survivor_kw, ok={"survivor_worker"}, hidden={"other_survivor_worker"}),
    "outcomes:survivor_administration_new": Entry(
        survivor_kw, ok={"survivor_worker"}, hidden={"other_survivor_worker"}
    ),
    # --- end outcomes ---
    # The OpenAPI document: any signed-in user (a token), nobody anonymous.
    "api-schema": Entry(everyone=200, api=True),
    # Its interactive reference (Swagger UI): the same readers.
    "api-docs": Entry(everyone=200, api=True),
    # GET: the unit's own referrals (another unit's officer gets its own, empty, list).
    "api-referral-create": Entry(ok=REFERRERS, api=True),
    "api-referral-detail": Entry(lambda w: {"id": w["ref_new"].pk}, ok=POLICE, hidden=REFERRERS - POLICE, api=True),
    "api-referral-history": Entry(lambda w: {"id": w["ref_new"].pk}, ok=POLICE, hidden=REFERRERS - POLICE, api=True),
    "api-provider-list": Entry(ok=REFERRERS, api=True),
}


def _walk(patterns, namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or namespace
            if ns == "admin":
                continue  # the admin has its own staff + second-factor guard
            yield from _walk(pattern.url_patterns, ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name
        elif isinstance(pattern, URLPattern):
            yield f"(unnamed) {pattern.pattern}"


def test_every_url_has_an_entry():
    names = set(_walk(get_resolver().url_patterns))
    assert sorted(names - set(MATRIX)) == [], "add these URLs to the permission matrix"
    assert sorted(set(MATRIX) - names) == [], "these matrix entries name URLs that no longer exist"


def build_world(users, orgs):
    """The standing records every matrix URL points at (the lazily built
    parts too, when ``complete``)."""
    from referrals.services import criteria_adopt_defaults

    ref_new = f.make_referral(police=users["police"], provider=orgs["provider"])
    ref_accepted = f.accept(f.make_referral(police=users["police"], provider=orgs["provider"]), users["psychologist"])
    case = f.open_case(f.make_referral(police=users["police"], provider=orgs["provider"]), users["psychologist"])
    from casework.services import survivor_service_refer

    survivor_service_refer(case=case, organisation=orgs["survivor_service"], by=users["social_worker"])
    criteria = criteria_adopt_defaults(provider=orgs["provider"], by=users["manager"])
    from django.utils import timezone

    from notifications.models import AlertChannel
    from notifications.services import safety_event_record

    # Reachable off-line, so the notice stays with its organisation.
    AlertChannel.objects.create(
        user=users["survivor_worker"], kind="email", address="sw@example.org", confirmed_at=timezone.now()
    )
    event = safety_event_record(kind="dropout", case=case, facts={}, dedupe_key="dropout:matrix")
    return {
        "notice": event.notices.get(organisation=orgs["survivor_service"]),
        "ref_new": ref_new,
        "ref_accepted": ref_accepted,
        "case": case,
        "survivor": case.referral.survivors.get(),
        "criterion": criteria[0],
    }


def _workers_alive():
    """A worker and beat alive, so /healthz answers 200."""
    from core.heartbeat import NAMES, heartbeat_record

    for name in NAMES:
        heartbeat_record(name=name)


@pytest.fixture
def world(users, orgs):
    _workers_alive()
    return build_world(users, orgs)


@pytest.fixture(scope="module")
def _module_world(django_db_setup, django_db_blocker):
    """The standing users and the world built once for this module's 2,000-odd
    requests, in a transaction rolled back after the module; each test runs
    in a savepoint inside it, so what a POST changes (a session ended by
    signing out too) is undone before the next test. What an entry builds on
    first use is built here, since a test's savepoint would take it away
    again; so are each role's signed-in session (second factor passed) and
    API token, which every test of that role presents."""
    from django.db import transaction

    from tests.conftest import ensure_shipped_data, standing_orgs, standing_users

    with django_db_blocker.unblock():
        ensure_shipped_data()
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            orgs = standing_orgs()
            users = {**standing_users(orgs), **_referrer_admins(orgs)}
            w = build_world(users, orgs)
            for entry in MATRIX.values():
                entry.kwargs(w)  # what an entry builds on first use, built now
            yield {"orgs": orgs, "users": users, "world": w, **_credentials(users)}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _code_just_typed(client) -> None:
    import time

    from accounts.reauth import SESSION_KEY

    session = client.session
    session[SESSION_KEY] = time.time()
    session.save()


def _referrer_admins(orgs) -> dict:
    from accounts.models import Role

    return {
        "police_admin": f.make_user(orgs["police"], Role.ORG_ADMIN, "police_admin"),
        "court_admin": f.make_user(orgs["court"], Role.ORG_ADMIN, "court_admin"),
    }


def _credentials(users) -> dict:
    """{"sessions": role -> session key, "tokens": role -> API token} for every
    signed-in role."""
    from django.conf import settings
    from django.test import Client

    from accounts.tokens import api_token_create

    sessions, tokens = {}, {}
    for role in [*ROLES, *REFERRER_ADMINS]:
        if role == "anonymous":
            continue
        client = login_verified(Client(), users[role])
        sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
        tokens[role] = api_token_create(user=users[role], name="matrix")[1]
    return {"sessions": sessions, "tokens": tokens}


@pytest.fixture
def matrix_world(_module_world, db):
    return _module_world


def _expected(entry: Entry, role: str) -> int:
    if role in entry.special:
        return entry.special[role]
    if role == "anonymous":
        if entry.public:
            return entry.everyone
        return 401 if entry.api else 302
    if entry.api and role in NO_API_USE:
        return 401
    if entry.everyone is not None:
        return entry.everyone
    if role in entry.ok:
        return entry.ok_status
    if role in entry.hidden:
        return 404
    return 403


CASES = [(name, role) for name in MATRIX for role in [*ROLES, *REFERRER_ADMINS]]


@pytest.mark.parametrize(("name", "role"), CASES, ids=[f"{n}-{r}" for n, r in CASES])
def test_status(name, role, matrix_world, client):
    from django.conf import settings

    world = matrix_world["world"]
    entry = MATRIX[name]
    url = reverse(name, kwargs=entry.kwargs(world))
    if name == "core:healthz":
        _workers_alive()
    if entry.api:
        api = APIClient()
        if role != "anonymous":
            api.credentials(HTTP_AUTHORIZATION=f"Token {matrix_world['tokens'][role]}")
        response = getattr(api, entry.method)(url)
    else:
        if role != "anonymous":
            client.cookies[settings.SESSION_COOKIE_NAME] = matrix_world["sessions"][role]
            just_active(client)
            if entry.fresh_code:
                _code_just_typed(client)
        if entry.json:
            response = getattr(client, entry.method)(url, entry.data, content_type="application/json")
        else:
            response = getattr(client, entry.method)(url, entry.data)
    expected = _expected(entry, role)
    assert response.status_code == expected, f"{name} as {role}: {response.status_code}, expected {expected}"
    if role == "anonymous" and expected == 302 and not entry.public:
        assert response["Location"].startswith(reverse("accounts:login"))
