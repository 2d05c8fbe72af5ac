"""The set-up pages of a consultation room: programme templates (read,
copy, adapt), groups (open, look at, extend), enrolling a case, moving a
participant between groups and transferring them to another provider.

Views are thin: a decorator decides the role (403), a selector the object
(404 outside the user's organisation), a form parses, a service writes and
its ValidationError lands on the form. Who may do what:
- every member of a provider's staff reads templates and groups, opens,
  changes and closes groups, extends a rolling group, moves and transfers
  participants;
- programme managers copy and adapt templates;
- psychologists and social workers enrol.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Country, Language, Organisation, Role
from accounts.permissions import clinical_required, manager_required, provider_staff_required
from casework.models import Case
from casework.selectors import get_case_for_user
from core.confirm import Confirmation, is_confirmed
from core.errors import add_service_errors, service_error_messages
from core.search import current_search, handle_search_post
from core.shipped import shown
from programmes import services
from programmes.forms_setup import (
    EnrolForm,
    GroupCloseForm,
    GroupEditForm,
    GroupForm,
    MoveGroupForm,
    TemplateForm,
    TransferForm,
)
from programmes.models import Enrolment, Group, ProgrammeTemplate, Session
from programmes.selectors import (
    active_enrolment,
    facilitators,
    facilities_for,
    get_browsable_template_for_user,
    get_enrolment_for_user,
    get_group_for_user,
    get_own_template_for_user,
    group_leaders,
    group_members,
    group_sessions,
    groups_for_enrolment,
    groups_list_for,
    groups_to_take_over,
    legal_window,
    police_units_for,
    qualification_warnings,
    running_groups_of,
    template_in_use,
    template_versions,
    templates_browsable,
    usable_templates,
)
from programmes.standards import compare_with_standards
from referrals.models import Referral
from referrals.selectors import programme_providers

PAGE_SIZE = 25
ALL_COUNTRIES = "all"


def _page(request, queryset):
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    return page


def _is_manager(scope) -> bool:
    return scope.is_provider_staff and scope.role == Role.PROGRAMME_MANAGER


# --- Example schedule ------------------------------------------------------------


@dataclass
class ScheduleWeek:
    number: int
    individual: list[tuple[int, int]] = field(default_factory=list)  # (session number, day)
    group: list[tuple[int, int]] = field(default_factory=list)


def example_schedule(template: ProgrammeTemplate) -> list[ScheduleWeek]:
    """The template's cadence for one person, week by week: which individual
    and group sessions fall in each week (days counted from 1 = the start).
    Weeks without a session are left out."""
    weeks: dict[int, ScheduleWeek] = {}
    for number, offset in enumerate(template.individual_offsets(), start=1):
        weeks.setdefault(offset // 7 + 1, ScheduleWeek(offset // 7 + 1)).individual.append((number, offset + 1))
    for number, offset in enumerate(template.group_offsets(), start=1):
        weeks.setdefault(offset // 7 + 1, ScheduleWeek(offset // 7 + 1)).group.append((number, offset + 1))
    return [weeks[n] for n in sorted(weeks)]


# --- Templates -----------------------------------------------------------------


def _country_filter(request) -> str:
    """The country whose shipped templates to show: "" for all of them;
    by default the provider's own."""
    raw = request.GET.get("country")
    if raw == ALL_COUNTRIES:
        return ""
    if raw in Country.values:
        return raw
    return request.scope.organisation.country


@provider_staff_required
def template_list(request):
    """The provider's own templates and the shipped ones (current versions),
    the shipped ones of one country at a time or of all."""
    list_name = "programmes:templates"
    if response := handle_search_post(request, list_name):
        return response
    term = current_search(request, list_name)
    country = _country_filter(request)
    page = _page(request, templates_browsable(request.scope, country=country, term=term))
    chosen = country or ALL_COUNTRIES
    return render(
        request,
        "programmes/setup/template_list.html",
        {
            "page": page,
            "country": chosen,
            "countries": [(ALL_COUNTRIES, _("All countries")), *Country.choices],
            "filter_query": urlencode({"country": chosen}) + "&",
            "own_country": request.scope.organisation.country,
            "search_term": term,
            "search_placeholder": _("Programme name or code"),
        },
    )


@provider_staff_required
def template_detail(request, pk: int):
    scope = request.scope
    template = get_browsable_template_for_user(scope, pk)
    versions = template_versions(template)
    manager = _is_manager(scope)
    own = template.provider_id == scope.organisation_id
    retired = template.status == ProgrammeTemplate.Status.RETIRED
    usable = template.status == ProgrammeTemplate.Status.ACTIVE and (
        own or template.country == scope.organisation.country
    )
    return render(
        request,
        "programmes/setup/template_detail.html",
        {
            "template": template,
            "versions": versions,
            "newest": versions[0] if versions else template,
            "schedule": example_schedule(template),
            "schedule_errors": template.schedule_errors(),
            "standards": compare_with_standards(template),
            "languages": [Language(code).label for code in template.languages if code in Language.values],
            "follow_up": ", ".join(f"+{m}" for m in template.follow_up_months),
            "monitoring_bodies": [
                Organisation.Kind(code).label for code in template.monitoring_bodies if code in Organisation.Kind.values
            ],
            "own": own,
            "can_copy": manager and not retired,
            "can_edit": manager and own and not retired,
            "can_open_group": usable and template.group_sessions > 0,
        },
    )


@manager_required
@require_POST
def template_copy(request, pk: int):
    template = get_browsable_template_for_user(request.scope, pk)
    try:
        copy = services.template_copy(template=template, provider=request.scope.organisation, by=request.user)
    except ValidationError as exc:
        for message in service_error_messages(exc):
            messages.error(request, message)
        return redirect("programmes:template_detail", template.pk)
    messages.success(
        request,
        _("Copied as %(code)s. Adapt the copy below; the original stays as it is.") % {"code": copy.code},
    )
    return redirect("programmes:template_edit", copy.pk)


@never_cache
@require_http_methods(["GET", "POST"])
@manager_required
def template_edit(request, pk: int):
    """Every field of one of the provider's own templates. A template in
    use is never changed: saving makes the next version."""
    template = get_own_template_for_user(request.scope, pk)
    versions = template_versions(template)
    newest = versions[0]
    retired = template.status == ProgrammeTemplate.Status.RETIRED
    if retired and newest.pk != template.pk and newest.status != ProgrammeTemplate.Status.RETIRED:
        messages.info(
            request,
            _("Version %(old)d is retired; you are editing the current version %(new)d.")
            % {"old": template.version, "new": newest.version},
        )
        return redirect("programmes:template_edit", newest.pk)
    form = None
    if not retired:
        if request.method == "POST":
            form = TemplateForm(request.POST)
            if form.is_valid():
                try:
                    updated = services.template_update(template=template, by=request.user, **form.service_kwargs())
                except ValidationError as exc:
                    add_service_errors(form, exc)
                else:
                    if updated.pk != template.pk:
                        messages.success(
                            request,
                            _(
                                "Saved as version %(new)d. Version %(old)d is retired; "
                                "running enrolments and groups stay on it."
                            )
                            % {"new": updated.version, "old": template.version},
                        )
                    else:
                        messages.success(request, _("Template saved."))
                    return redirect("programmes:template_detail", updated.pk)
        else:
            form = TemplateForm(initial=TemplateForm.initial_for(template))
    return render(
        request,
        "programmes/setup/template_edit.html",
        {
            "template": template,
            "form": form,
            "in_use": template_in_use(template),
            "next_version": newest.version + 1,
        },
    )


# --- Groups --------------------------------------------------------------------


@provider_staff_required
def group_list(request):
    list_name = "programmes:groups"
    if response := handle_search_post(request, list_name):
        return response
    term = current_search(request, list_name)
    page = _page(request, groups_list_for(request.scope, term=term))
    return render(
        request,
        "programmes/setup/group_list.html",
        {
            "page": page,
            "filter_query": "",
            "search_term": term,
            "search_placeholder": _("Group name or place"),
        },
    )


def _group_form(provider, data=None, initial=None) -> GroupForm:
    return GroupForm(
        data,
        initial=initial,
        templates=usable_templates(provider).filter(group_sessions__gt=0),
        psychologists=facilitators(provider, Role.PSYCHOLOGIST),
        social_workers=facilitators(provider, Role.SOCIAL_WORKER),
        facilities=facilities_for(provider),
    )


@never_cache
@require_http_methods(["GET", "POST"])
@provider_staff_required
def group_create(request):
    provider = request.scope.organisation
    if request.method == "POST":
        form = _group_form(provider, request.POST)
        if form.is_valid():
            try:
                group, warnings = services.group_create(provider=provider, by=request.user, **form.service_kwargs())
            except ValidationError as exc:
                add_service_errors(form, exc, lambda key: form.location_field() if key == "location" else key)
            else:
                count = group.sessions.count()
                messages.success(
                    request,
                    ngettext(
                        "Group %(name)s opened; %(n)d session is planned.",
                        "Group %(name)s opened; %(n)d sessions are planned.",
                        count,
                    )
                    % {"name": group.name, "n": count},
                )
                for warning in warnings:
                    messages.warning(request, warning)
                return redirect("programmes:group_detail", group.pk)
    else:
        initial = {"starts_on": timezone.localdate()}
        if request.scope.role == Role.PSYCHOLOGIST:
            initial["psychologist"] = request.user.pk
        elif request.scope.role == Role.SOCIAL_WORKER:
            initial["social_worker"] = request.user.pk
        form = _group_form(provider, initial=initial)
        chosen = request.GET.get("template")
        if chosen and chosen.isdigit() and form.fields["template"].queryset.filter(pk=chosen).exists():
            form.initial["template"] = int(chosen)
    return render(request, "programmes/setup/group_create.html", {"form": form})


@never_cache
@provider_staff_required
def group_detail(request, pk: int):
    group = get_group_for_user(request.scope, pk)
    members = list(group_members(group))
    sessions = list(group_sessions(group))
    now = timezone.now()
    return render(
        request,
        "programmes/setup/group_detail.html",
        {
            "group": group,
            "members": members,
            "sessions": sessions,
            "next_session": next((s for s in sessions if s.status == "planned" and s.starts_at >= now), None),
            "free_places": max(0, group.capacity - group.active_count),
            "can_extend": group.is_active and group.intake == Group.Intake.ROLLING,
            "can_change": group.is_active,
            "qualification_warnings": qualification_warnings(
                group.template, group_leaders(group), max(group.starts_on, timezone.localdate())
            )
            if group.is_active
            else [],
        },
    )


@provider_staff_required
@require_POST
def group_extend(request, pk: int):
    group = get_group_for_user(request.scope, pk)
    try:
        added = services.group_extend_schedule(group=group, by=request.user)
    except ValidationError as exc:
        for message in service_error_messages(exc):
            messages.error(request, message)
    else:
        if added:
            messages.success(
                request,
                _("%(n)d more sessions planned (numbers %(first)d to %(last)d).")
                % {"n": len(added), "first": added[0].number, "last": added[-1].number},
            )
    return redirect("programmes:group_detail", group.pk)


@never_cache
@require_http_methods(["GET", "POST"])
@provider_staff_required
def group_edit(request, pk: int):
    """Change a running group's name, capacity, pair, place and time."""
    group = get_group_for_user(request.scope, pk)
    if not group.is_active:
        messages.error(request, _("This group is closed; it can no longer be changed."))
        return redirect("programmes:group_detail", group.pk)
    provider = request.scope.organisation
    staff = {
        "psychologists": facilitators(provider, Role.PSYCHOLOGIST),
        "social_workers": facilitators(provider, Role.SOCIAL_WORKER),
        "facilities": facilities_for(provider),
    }
    if request.method == "POST":
        form = GroupEditForm(request.POST, **staff)
        if form.is_valid():
            try:
                result = services.group_update(group=group, by=request.user, **form.service_kwargs())
            except ValidationError as exc:
                add_service_errors(form, exc, lambda key: form.location_field() if key == "location" else key)
            else:
                message = _("Group %(name)s saved.") % {"name": result.group.name}
                if result.sessions_moved:
                    message += " " + ngettext(
                        "%(n)d session moved to the new time.",
                        "%(n)d sessions moved to the new time.",
                        result.sessions_moved,
                    ) % {"n": result.sessions_moved}
                messages.success(request, message)
                for warning in result.warnings:
                    messages.warning(request, warning)
                return redirect("programmes:group_detail", group.pk)
    else:
        form = GroupEditForm(initial=GroupEditForm.initial_for(group), **staff)
    return render(request, "programmes/setup/group_edit.html", {"group": group, "form": form})


@never_cache
@require_http_methods(["GET", "POST"])
@provider_staff_required
def group_close(request, pk: int):
    """Close a group: nobody new joins, the sessions to come are cancelled;
    the people still in it are moved to another group first. The first
    valid POST asks for confirmation; only the confirmed one closes it."""
    group = get_group_for_user(request.scope, pk)
    if not group.is_active:
        messages.info(request, _("This group is already closed."))
        return redirect("programmes:group_detail", group.pk)
    members = list(group_members(group))
    form = GroupCloseForm(request.POST or None, groups=groups_to_take_over(group))
    to_cancel = group.sessions.filter(status=Session.Status.PLANNED, starts_at__gt=timezone.now()).count()
    confirm = None
    if request.method == "POST" and form.is_valid():
        close = {"reason": form.cleaned_data["reason"], "move_to": form.cleaned_data["move_to"]}
        result = None
        try:
            if is_confirmed(request):
                result = services.group_close(group=group, by=request.user, **close)
            else:
                services.group_close_check(group=group, by=request.user, **close)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if result is None:
                confirm = _close_confirmation(request, group, form, moving=len(members), to_cancel=to_cancel)
            else:
                messages.success(request, _closed_message(group, result, form))
                return redirect("programmes:group_detail", group.pk)
    return render(
        request,
        "programmes/setup/group_close.html",
        {"group": group, "form": form, "members": members, "to_cancel": to_cancel, "confirm": confirm},
    )


def _close_confirmation(request, group: Group, form: GroupCloseForm, *, moving: int, to_cancel: int) -> Confirmation:
    what = [_("You are about to close the group %(name)s: nobody new can join.") % {"name": group.name}]
    if to_cancel:
        what.append(
            ngettext(
                "%(n)d session still to come will be cancelled.",
                "%(n)d sessions still to come will be cancelled.",
                to_cancel,
            )
            % {"n": to_cancel}
        )
    if moving:
        what.append(
            ngettext(
                "%(n)d person moves to %(group)s from today.", "%(n)d people move to %(group)s from today.", moving
            )
            % {"n": moving, "group": form.cleaned_data["move_to"].name}
        )
    return Confirmation.of(request, what=" ".join(what), tells=_("No notice goes to another organisation."))


def _closed_message(group: Group, result, form: GroupCloseForm) -> str:
    message = _("Group %(name)s closed.") % {"name": group.name}
    if result.cancelled:
        message += " " + ngettext(
            "%(n)d session to come was cancelled.", "%(n)d sessions to come were cancelled.", result.cancelled
        ) % {"n": result.cancelled}
    if result.moved:
        message += " " + ngettext(
            "%(n)d person moved to %(group)s.", "%(n)d people moved to %(group)s.", result.moved
        ) % {"n": result.moved, "group": form.cleaned_data["move_to"].name}
    return message


# --- Enrolment -------------------------------------------------------------------


def _chosen(queryset, raw):
    if raw and str(raw).isdigit():
        return queryset.filter(pk=raw).first()
    return None


def _chosen_date(raw) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except (TypeError, ValueError):
        return None


def window_note(window: dict) -> tuple[str, str] | None:
    """(level, text) that sets the legal obligation against the programme,
    or None before a programme is chosen. Level "warning" when the legal
    pressure ends before the programme does."""
    ends_on = window["programme_ends_on"]
    if ends_on is None:
        return None
    expiry = window["order_expires_on"]
    if not window["obligation_ends_before_programme"]:
        return "success", _("The legal obligation lasts until the programme ends.")
    if expiry is None:
        return "warning", _(
            "There is no protection order: attendance rests on motivation for the whole programme. "
            "Plan motivation work."
        )
    date = formats.date_format(expiry, "DATE_FORMAT")
    if window["programme_starts_on"] and expiry < window["programme_starts_on"]:
        return "warning", _(
            "The legal obligation ended on %(date)s, before the programme starts. Plan motivation work."
        ) % {"date": date}
    gap = window["days_without_obligation"] or 0
    if gap >= 7:
        text = ngettext(
            "The legal obligation ends on %(date)s — %(n)d week before the programme ends. Plan motivation work.",
            "The legal obligation ends on %(date)s — %(n)d weeks before the programme ends. Plan motivation work.",
            gap // 7,
        ) % {"date": date, "n": gap // 7}
    else:
        text = ngettext(
            "The legal obligation ends on %(date)s — %(n)d day before the programme ends. Plan motivation work.",
            "The legal obligation ends on %(date)s — %(n)d days before the programme ends. Plan motivation work.",
            gap,
        ) % {"date": date, "n": gap}
    return "warning", text


def _enrol_blocked(case: Case) -> str | None:
    """Why this case cannot be enrolled now (as ``enrol`` would say)."""
    if case.status != Case.Status.OPEN:
        return _("This case is closed.")
    if case.referral.status not in (Referral.Status.ACCEPTED, Referral.Status.ENROLLED):
        return _("Only an accepted referral can be enrolled.")
    return None


def _enrol_form(request, case: Case, *, templates, all_templates, template, starts_on: dt.date) -> EnrolForm:
    """The enrolment form: as submitted, or to fill in with the programme
    and start chosen so far (and the psychologist, when one fills it in)."""
    provider = case.provider
    kwargs = {
        "templates": templates,
        "groups": groups_for_enrolment(case),
        "all_templates": all_templates,
        "all_groups": running_groups_of(provider),
        "psychologists": facilitators(provider, Role.PSYCHOLOGIST),
        "window_url": reverse("programmes:enrol", args=[case.pk]),
        "police_units": police_units_for(provider),
    }
    if request.method == "POST":
        return EnrolForm(request.POST, **kwargs)
    initial = {"starts_on": starts_on}
    if template is not None:
        initial["template"] = template.pk
    if request.scope.role == Role.PSYCHOLOGIST:
        initial["psychologist"] = request.user.pk
    return EnrolForm(initial=initial, **kwargs)


def _enrol_submitted(request, case: Case, form: EnrolForm) -> Enrolment | None:
    """The enrolment the submitted form makes, or None with the errors on the form."""
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        return services.enrol_with_stay(
            case=case,
            template=data["template"],
            group=data["group"],
            psychologist=data["psychologist"],
            starts_on=data["starts_on"],
            by=request.user,
            allow_clash=data["allow_clash"],
            stay=form.stay(),
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None


def _say_enrolled(request, case: Case, enrolment: Enrolment) -> None:
    """Say the case is enrolled, and when the first individual session is."""
    messages.success(
        request,
        _("Case %(case)s is enrolled in %(programme)s; the individual sessions are planned.")
        % {"case": case.number, "programme": shown(enrolment.template.name)},
    )
    first = enrolment.individual_sessions.order_by("starts_at").first()
    if first is not None:
        when = timezone.localtime(first.starts_at)
        messages.info(
            request,
            _("The first individual session is on %(date)s at %(time)s: tell the person.")
            % {"date": formats.date_format(when.date(), "SHORT_DATE_FORMAT"), "time": f"{when:%H:%M}"},
        )
    on = max(enrolment.starts_on, timezone.localdate())
    for warning in qualification_warnings(enrolment.template, [enrolment.psychologist], on):
        messages.warning(request, warning)


@never_cache
@require_http_methods(["GET", "POST"])
@clinical_required
def enrol(request, case_pk: int):
    """Enrol the person of a case: programme, group, psychologist and start,
    with the legal obligation window from the protection order beside it."""
    scope = request.scope
    case = get_case_for_user(scope, case_pk)
    provider = case.provider
    current = active_enrolment(case)
    blocked = None if current else _enrol_blocked(case)
    sex = case.referral.person.sex
    all_templates = usable_templates(provider)
    templates = [t for t in all_templates if t.sex in (sex, "any")]
    source = request.POST if request.method == "POST" else request.GET
    template = _chosen(all_templates, source.get("template"))
    starts_on = _chosen_date(source.get("starts_on")) or timezone.localdate()
    if current is not None:
        window = legal_window(case)
    else:
        window = legal_window(case, template=template, starts_on=starts_on)
    window_context = {"window": window, "note": window_note(window), "case": case}
    if request.htmx and request.method == "GET":
        return render(request, "programmes/setup/partials/legal_window.html", window_context)

    form = None
    if current is None and blocked is None:
        form = _enrol_form(
            request, case, templates=templates, all_templates=all_templates, template=template, starts_on=starts_on
        )
        if request.method == "POST":
            enrolment = _enrol_submitted(request, case, form)
            if enrolment is not None:
                _say_enrolled(request, case, enrolment)
                return redirect("casework:case_detail", case.pk)
    return render(
        request,
        "programmes/setup/enrol.html",
        {
            "case": case,
            "person": case.referral.person,
            "current": current,
            "blocked": blocked,
            "form": form,
            **window_context,
        },
    )


def _ended_message(enrolment: Enrolment) -> str | None:
    if enrolment.status != Enrolment.Status.ACTIVE:
        return _("This enrolment has already ended.")
    return None


@never_cache
@require_http_methods(["GET", "POST"])
@provider_staff_required
def move_group(request, pk: int):
    enrolment = get_enrolment_for_user(request.scope, pk)
    ended = _ended_message(enrolment)
    form = None
    if ended is None:
        kwargs = {
            "groups": groups_for_enrolment(enrolment.case, enrolment.template).exclude(pk=enrolment.group_id),
            "all_groups": running_groups_of(enrolment.provider),
        }
        if request.method == "POST":
            form = MoveGroupForm(request.POST, **kwargs)
            if form.is_valid():
                try:
                    moved = services.enrolment_move_group(
                        enrolment=enrolment, group=form.cleaned_data["group"], by=request.user
                    )
                except ValidationError as exc:
                    add_service_errors(form, exc)
                else:
                    messages.success(
                        request,
                        _("Case %(case)s moved to group %(group)s.")
                        % {"case": enrolment.case.number, "group": moved.group.name},
                    )
                    return redirect("programmes:group_detail", moved.group_id)
        else:
            form = MoveGroupForm(**kwargs)
    return render(
        request,
        "programmes/setup/move_group.html",
        {"enrolment": enrolment, "case": enrolment.case, "form": form, "ended": ended},
    )


@never_cache
@require_http_methods(["GET", "POST"])
@provider_staff_required
def transfer(request, pk: int):
    enrolment = get_enrolment_for_user(request.scope, pk)
    ended = _ended_message(enrolment)
    form = None
    if ended is None:
        providers = programme_providers(request.scope).exclude(pk=enrolment.provider_id)
        if request.method == "POST":
            form = TransferForm(request.POST, providers=providers)
            if form.is_valid():
                try:
                    services.enrolment_transfer(
                        enrolment=enrolment,
                        provider=form.cleaned_data["provider"],
                        reason=form.cleaned_data["reason"],
                        by=request.user,
                    )
                except ValidationError as exc:
                    add_service_errors(form, exc)
                else:
                    messages.success(
                        request,
                        _("Case %(case)s was transferred to %(provider)s; it is now in their list of cases.")
                        % {"case": enrolment.case.number, "provider": form.cleaned_data["provider"].name},
                    )
                    return redirect("casework:case_list")
        else:
            form = TransferForm(providers=providers)
    return render(
        request,
        "programmes/setup/transfer.html",
        {"enrolment": enrolment, "case": enrolment.case, "form": form, "ended": ended},
    )
