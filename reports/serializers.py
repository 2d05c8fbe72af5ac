"""JSON shape of the monitoring report (GET /api/v1/reports/outcomes/).

The API serializes the same ``reports.figures.Report`` that the dashboard
and the exports show: every figure already suppressed.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.validators import not_before_1900
from reports.suppression import SMALL_CELL


class ReportFigureSerializer(serializers.Serializer):
    value = serializers.SerializerMethodField(
        help_text=_("The figure (a count, a percentage 0-100 or a mean); null when hidden or not applicable.")
    )
    display = serializers.CharField(help_text=_('As shown on the dashboard, e.g. "12", "66.7%", "<5", "—".'))
    suppressed = serializers.SerializerMethodField(
        help_text=_(
            'null when shown; "small": fewer than 5 people; "secondary": hidden because it could otherwise be '
            "worked out from the figures shown."
        )
    )

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_value(self, cell):
        return None if cell.suppressed else cell.value

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_suppressed(self, cell):
        return cell.suppressed or None


def figure_data(cell) -> dict:
    """``ReportFigureSerializer(cell).data``, written out: a report has
    thousands of cells, and a serializer per cell (its fields deep-copied
    each time) cost the statistics API a few hundred milliseconds."""
    return {
        "value": None if cell.suppressed else cell.value,
        "display": str(cell.display),
        "suppressed": cell.suppressed or None,
    }


class ReportColumnSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.CharField(help_text=_('"count", "percent", "mean" or "change".'))


class ReportRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text=_('Sex, provider id, region, programme code, session number, or "all".'))
    label = serializers.CharField()
    total = serializers.BooleanField(source="is_total", help_text=_("The row for everyone (the table's total)."))
    cells = serializers.SerializerMethodField(help_text=_("One figure per column key."))

    @extend_schema_field(serializers.DictField(child=ReportFigureSerializer()))
    def get_cells(self, row):
        return {key: figure_data(cell) for key, cell in row.cells.items()}


class ReportTableSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    definition = serializers.CharField()
    columns = ReportColumnSerializer(many=True)
    rows = ReportRowSerializer(many=True)


class ReportSectionSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    intro = serializers.CharField()
    tables = ReportTableSerializer(many=True)


class ReportKeyFigureSerializer(serializers.Serializer):
    label = serializers.CharField()
    detail = serializers.CharField()
    figure = ReportFigureSerializer(source="cell")


class ReportPeriodSerializer(serializers.Serializer):
    date_from = serializers.DateField(allow_null=True, validators=[not_before_1900])
    date_to = serializers.DateField(allow_null=True, validators=[not_before_1900])


class ReportFiltersSerializer(serializers.Serializer):
    provider = serializers.IntegerField(allow_null=True, source="provider.pk", default=None)
    region = serializers.CharField(allow_blank=True)
    template = serializers.CharField(allow_blank=True, help_text=_("Programme template code (all its versions)."))
    sex = serializers.CharField(allow_blank=True, help_text=_("male, female, or empty for both."))


class MonitoringReportSerializer(serializers.Serializer):
    period = ReportPeriodSerializer(source="filters")
    filters = ReportFiltersSerializer()
    scope = serializers.CharField(source="scope_label", help_text=_("Whose figures these are."))
    small_cell_threshold = serializers.SerializerMethodField(
        help_text=_("No figure comes from fewer people than this.")
    )
    key_figures = ReportKeyFigureSerializer(many=True)
    sections = ReportSectionSerializer(many=True)

    @extend_schema_field(OpenApiTypes.INT)
    def get_small_cell_threshold(self, report) -> int:
        return SMALL_CELL


class ReportFilterErrorsSerializer(serializers.Serializer):
    date_from = serializers.ListField(child=serializers.CharField(), required=False)
    date_to = serializers.ListField(child=serializers.CharField(), required=False)
    provider = serializers.ListField(child=serializers.CharField(), required=False)
    region = serializers.ListField(child=serializers.CharField(), required=False)
    template = serializers.ListField(child=serializers.CharField(), required=False)
    sex = serializers.ListField(child=serializers.CharField(), required=False)
