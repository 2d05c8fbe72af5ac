"""Programmes API (templates, enrolments, attendance), mounted under /api/v1/."""

from django.urls import path

from programmes import api

urlpatterns = [
    path("programme-templates/", api.ProgrammeTemplateListView.as_view(), name="api-programme-templates"),
    path("enrolments/", api.EnrolmentListView.as_view(), name="api-enrolments"),
    path("enrolments/<int:id>/attendance/", api.EnrolmentAttendanceView.as_view(), name="api-enrolment-attendance"),
]
