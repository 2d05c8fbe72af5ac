"""Programme templates API, mounted under /api/v1/."""

from django.urls import path

from programmes import api

urlpatterns = [
    path("programme-templates/", api.ProgrammeTemplateListView.as_view(), name="api-programme-templates"),
]
