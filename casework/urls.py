from django.urls import path

from core.views import placeholder

app_name = "casework"

# PLACEHOLDERS: replaced by the case pages.
urlpatterns = [
    path("", placeholder, name="case_list"),
    path("survivor-service/", placeholder, name="survivor_cases"),
]
