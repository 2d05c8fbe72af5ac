from django.urls import path

from outcomes import instrument_views, monitoring_views, views

app_name = "outcomes"

urlpatterns = [
    path("follow-ups/", views.follow_ups, name="follow_ups"),
    path("follow-ups/<int:pk>/", views.follow_up_detail, name="follow_up_detail"),
    path("monitoring/", monitoring_views.monitoring_list, name="monitoring_list"),
    path("monitoring/<int:pk>/", monitoring_views.monitoring_meeting, name="monitoring_meeting"),
    path("enrolments/<int:pk>/monitoring/", monitoring_views.monitoring_bodies, name="monitoring_bodies"),
    path("instruments/", instrument_views.instruments, name="instruments"),
    path("instruments/scoring/", instrument_views.scoring_settings, name="scoring_settings"),
    path("instruments/<int:pk>/export/", instrument_views.instrument_export, name="instrument_export"),
    path("cases/<int:pk>/", views.case_results, name="case_results"),
    path("cases/<int:pk>/new/", views.administration_new, name="administration_new"),
    path("questionnaires/<int:pk>/", views.administration_detail, name="administration_detail"),
    path("cases/<int:pk>/survivors/<int:survivor_pk>/", views.survivor_results, name="survivor_results"),
    path(
        "cases/<int:pk>/survivors/<int:survivor_pk>/new/",
        views.survivor_administration_new,
        name="survivor_administration_new",
    ),
]
