"""Daily work and endings (views_sessions); combined in programmes/urls.py."""

from django.urls import path

from programmes import views_sessions as views

urlpatterns = [
    path("today/", views.today, name="today"),
    path("sessions/<int:pk>/log/", views.session_log, name="session_log"),
    path("sessions/<int:pk>/reschedule/", views.session_reschedule, name="session_reschedule"),
    path("sessions/<int:pk>/cancel/", views.session_cancel, name="session_cancel"),
    path("enrolments/<int:pk>/", views.enrolment_detail, name="enrolment_detail"),
    path("enrolments/<int:pk>/discharge/", views.discharge, name="discharge"),
    path("enrolments/<int:pk>/certificate/", views.certificate, name="certificate"),
    path("enrolments/<int:pk>/certificate.pdf", views.certificate_pdf, name="certificate_pdf"),
    path("calendar/", views.calendar_settings, name="calendar_settings"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
