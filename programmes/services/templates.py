"""Writes for programme templates: copying a shipped template and editing an own one."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Organisation
from accounts.permissions import require_staff
from accounts.scope import Scope
from core.validation import validated
from programmes.models import ProgrammeTemplate

TEMPLATE_FIELDS = (
    "name",
    "source",
    "status",
    "mandatory",
    "sex",
    "individual_sessions",
    "group_sessions",
    "span_weeks",
    "individual_interval_days",
    "group_interval_days",
    "individual_first",
    "group_offset_days",
    "individual_minutes",
    "group_minutes",
    "facilitation",
    "hours_required",
    "curriculum",
    "follow_up_months",
    "follow_up_close_relations",
    "mid_programme_session",
    "monitoring_bodies",
    "monitoring_interval_months",
    "monitoring_months",
    "dropout_consecutive",
    "dropout_total",
    "languages",
    "required_qualification",
    "notes",
)


# --- Templates -----------------------------------------------------------------


def _clean_template_input(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(TEMPLATE_FIELDS)
    if unknown:
        raise ValueError(f"Unknown template fields: {sorted(unknown)}")
    cleaned = dict(fields)
    if "curriculum" in cleaned:
        cleaned["curriculum"] = [" ".join(str(t).split()) for t in cleaned["curriculum"] or [] if str(t).strip()]
    if "languages" in cleaned:
        cleaned["languages"] = list(dict.fromkeys(cleaned["languages"] or []))
    if "monitoring_bodies" in cleaned:
        cleaned["monitoring_bodies"] = list(dict.fromkeys(cleaned["monitoring_bodies"] or []))
    if "follow_up_months" in cleaned:
        cleaned["follow_up_months"] = sorted(set(cleaned["follow_up_months"] or []))
    for name in ("name", "source", "notes"):
        if name in cleaned:
            cleaned[name] = (cleaned[name] or "").strip()
    return cleaned


def _template_values(template: ProgrammeTemplate) -> dict[str, Any]:
    return {
        f.attname: getattr(template, f.attname)
        for f in ProgrammeTemplate._meta.concrete_fields
        if not f.primary_key and f.name != "created_at"
    }


@transaction.atomic
def template_copy(*, template: ProgrammeTemplate, provider: Organisation, by) -> ProgrammeTemplate:
    """Copy a shipped template (of any country) or one of the provider's own
    into a new template the provider owns and can adapt.

    The copy: code "<code>-p<provider id>" (with "-2", "-3" … when taken),
    version 1, ``parent`` = the template, the provider's country; active,
    except that a copy of a draft stays a draft."""
    require_staff(provider.pk, by)
    if template.provider_id not in (None, provider.pk):
        raise ValidationError({"template": [_("You can copy the shipped templates and your own.")]})
    if template.status == ProgrammeTemplate.Status.RETIRED:
        raise ValidationError({"template": [_("This version is retired; copy the current version.")]})
    base = template.code if template.provider_id == provider.pk else f"{template.code}-p{provider.pk}"
    base = base[:54]
    code, n = base, 1
    if template.provider_id == provider.pk:
        n, code = 2, f"{base}-2"
    while ProgrammeTemplate.objects.filter(code=code).exists():
        n += 1
        code = f"{base}-{n}"
    values = _template_values(template)
    values.update(
        code=code,
        version=1,
        provider_id=provider.pk,
        parent_id=template.pk,
        country=provider.country,
        status=ProgrammeTemplate.Status.DRAFT
        if template.status == ProgrammeTemplate.Status.DRAFT
        else ProgrammeTemplate.Status.ACTIVE,
    )
    copy = ProgrammeTemplate(**values)
    errors: dict[str, list] = {}
    validated(copy, errors, "", exclude=["provider", "parent"])
    if errors:
        raise ValidationError(errors)
    copy.save()
    return copy


@transaction.atomic
def template_update(*, template: ProgrammeTemplate, by, **fields: Any) -> ProgrammeTemplate:
    """Change one of the provider's own templates; returns the template as
    it now stands.

    Shipped templates are read-only (copy them first). A template that is in
    use (any enrolment or group) is never changed: the change becomes a new
    version (same code, next version number, ``parent`` = the old version)
    and the old version is retired; running enrolments and groups keep the
    old version. A change of ``status`` alone is made in place. Keys of
    ``fields``: see TEMPLATE_FIELDS (anything else is a programming error,
    ValueError)."""
    scope = Scope.for_user(by)
    if not scope.is_provider_staff:
        raise PermissionDenied(_("Only the provider's staff do this."))
    cleaned = _clean_template_input(fields)
    template = ProgrammeTemplate.objects.select_for_update().get(pk=template.pk)
    if template.provider_id is None:
        raise ValidationError(
            {"__all__": [_("The shipped templates cannot be changed; copy the template and adapt the copy.")]}
        )
    if template.provider_id != scope.organisation_id:
        raise PermissionDenied(_("Only the provider that owns this template changes it."))
    if template.status == ProgrammeTemplate.Status.RETIRED:
        raise ValidationError({"__all__": [_("This version is retired; change the current version.")]})

    candidate = ProgrammeTemplate(pk=template.pk, created_at=template.created_at, **_template_values(template))
    candidate._state.adding = False  # validated as the row it may replace
    for name, value in cleaned.items():
        setattr(candidate, name, value)
    errors: dict[str, list] = {}
    validated(candidate, errors, "", exclude=["provider", "parent"])
    if errors:
        raise ValidationError(errors)
    changed = {name for name in cleaned if getattr(candidate, name) != getattr(template, name)}
    if not changed:
        return template
    in_use = template.enrolments.exists() or template.groups.exists()
    if not (in_use and changed - {"status"}):
        candidate.save()
        return candidate

    candidate.pk = None
    candidate._state.adding = True
    candidate.created_at = None
    candidate.parent_id = template.pk
    candidate.version = (
        ProgrammeTemplate.objects.filter(code=template.code).order_by("-version").values_list("version", flat=True)[0]
        + 1
    )
    if candidate.status == ProgrammeTemplate.Status.RETIRED:
        raise ValidationError({"status": [_("A new version cannot start retired.")]})
    candidate.save()
    template.status = ProgrammeTemplate.Status.RETIRED
    template.save(update_fields=["status"])
    return candidate
