"""Programme pages: set-up (templates, groups, enrolment) and daily work
(today, sessions, attendance, progress, endings, calendar), and the waiting
list of accepted referrals, and the attendance a facility's officers see."""

from django.urls import path

from programmes import views_facility, views_places, views_waiting
from programmes.urls_sessions import urlpatterns as session_patterns
from programmes.urls_setup import urlpatterns as setup_patterns

app_name = "programmes"

urlpatterns = [
    *setup_patterns,
    *session_patterns,
    path("waiting/", views_waiting.waiting_list, name="waiting_list"),
    # Psychologists and social workers: a participant's stay at a residential centre.
    path("enrolments/<int:pk>/stay/", views_places.stay_edit, name="stay"),
    # A prison or correctional facility's officers: its groups' attendance.
    path("facility/", views_facility.facility_groups, name="facility_groups"),
    path("facility/groups/<int:pk>/", views_facility.facility_group, name="facility_group"),
]
