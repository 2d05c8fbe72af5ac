from django.urls import path

from casework import views

app_name = "casework"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("survivor-service/", views.survivor_cases, name="survivor_cases"),
    path("intake/<int:referral_pk>/", views.intake, name="intake"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/risk/", views.risk_reassess, name="risk_reassess"),
    path("<int:pk>/consents/", views.consent_record, name="consent_record"),
    path("<int:pk>/survivor-service/", views.refer_survivor_service, name="refer_survivor_service"),
    path("<int:pk>/survivors/<int:survivor_pk>/", views.survivor_detail, name="survivor_detail"),
    path("<int:pk>/survivors/<int:survivor_pk>/contact/", views.survivor_contact, name="survivor_contact"),
    path("<int:pk>/survivors/<int:survivor_pk>/safety-plan/", views.safety_plan, name="safety_plan"),
    path(
        "<int:pk>/survivors/<int:survivor_pk>/safety-plan/versions/",
        views.safety_plan_history,
        name="safety_plan_versions",
    ),
    path(
        "<int:pk>/survivors/<int:survivor_pk>/safety-plan/versions/<int:version_pk>/",
        views.safety_plan_version,
        name="safety_plan_version",
    ),
]
