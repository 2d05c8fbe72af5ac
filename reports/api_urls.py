"""Monitoring figures as JSON, mounted under /api/v1/."""

from django.urls import path

from reports import api

urlpatterns = [
    path("reports/outcomes/", api.OutcomesReportView.as_view(), name="api-reports-outcomes"),
]
