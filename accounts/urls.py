from django.urls import path

from core.views import placeholder

app_name = "accounts"

# PLACEHOLDERS: replaced by the sign-in and two-factor pages.
urlpatterns = [
    path("login/", placeholder, name="login"),
    path("logout/", placeholder, name="logout"),
    path("verify/", placeholder, name="verify"),
    path("two-factor/setup/", placeholder, name="two_factor_setup"),
]
