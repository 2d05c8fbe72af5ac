"""Field work, under /field/."""

from django.urls import path

from fieldwork import views

app_name = "fieldwork"

urlpatterns = [
    path("field/prepare/", views.prepare, name="prepare"),
    path("field/sync/", views.sync, name="sync"),
]
