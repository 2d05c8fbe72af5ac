from django.urls import path

from frontdoor import views

app_name = "frontdoor"

urlpatterns = [
    path("", views.home, name="home"),
]
