"""The monitoring dashboard and its CSV / XLSX exports.

Aggregates only, for ``Scope.can_monitor`` (monitoring viewers: their
country; a provider's programme manager: their provider); everyone else
gets 403. The filters are GET parameters: they carry no personal data.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.permissions import monitoring_required
from reports import charts, exports
from reports.figures import build_report
from reports.forms import ReportFilterForm
from reports.selectors import Filters
from reports.suppression import HIDDEN, SMALL, SMALL_CELL

FILTER_NAMES = ("date_from", "date_to", "provider", "region", "template", "sex")


def _form(request) -> ReportFilterForm:
    data = request.GET if any(name in request.GET for name in FILTER_NAMES) else None
    return ReportFilterForm(data, scope=request.scope)


def _report(request, form: ReportFilterForm):
    """The report for valid filters (none given: all time), else None."""
    if not form.is_bound:
        filters = Filters()
    elif form.is_valid():
        filters = form.filters()
    else:
        return None
    return build_report(request.scope, filters, template_names=dict(form.templates))


def _context(request, form, report) -> dict:
    sections = []
    if report is not None:
        for section in report.sections:
            tables = [{"table": t, "chart": charts.chart_for(t)} for t in section.tables]
            sections.append({"section": section, "tables": tables})
    return {
        "form": form,
        "report": report,
        "sections": sections,
        "query": _query(request),
        "small": SMALL,
        "hidden": HIDDEN,
        "threshold": SMALL_CELL,
    }


def _query(request) -> str:
    kept = {name: request.GET[name] for name in FILTER_NAMES if request.GET.get(name)}
    return urlencode(kept)


@require_GET
@monitoring_required
def dashboard(request):
    form = _form(request)
    return render(request, "reports/dashboard.html", _context(request, form, _report(request, form)))


def _filename(report, extension: str) -> str:
    f = report.filters
    period = f"{f.date_from or 'start'}_{f.date_to or timezone.localdate()}"
    return f"monitoring_{period}.{extension}"


def _export(request, extension: str):
    form = _form(request)
    report = _report(request, form)
    if report is None:
        # Bad filters: the page, saying what is wrong.
        return render(request, "reports/dashboard.html", _context(request, form, None), status=400)
    if extension == "csv":
        response = HttpResponse(exports.to_csv(report), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            exports.to_xlsx(report), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    response["Content-Disposition"] = f'attachment; filename="{_filename(report, extension)}"'
    return response


@require_GET
@never_cache
@monitoring_required
def export_csv(request):
    return _export(request, "csv")


@require_GET
@never_cache
@monitoring_required
def export_xlsx(request):
    return _export(request, "xlsx")
