"""Field work: under /field/, and the manifest and the service worker at the
root (a service worker looks after the pages under its own path only)."""

from django.urls import path

from fieldwork import views

app_name = "fieldwork"

urlpatterns = [
    path("field/", views.shell, name="shell"),
    path("field/prepare/", views.prepare, name="prepare"),
    path("field/sync/", views.sync, name="sync"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service_worker"),
]
