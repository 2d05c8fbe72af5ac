from django.urls import path

from core.views import placeholder

app_name = "referrals"

# PLACEHOLDERS: replaced by the referral pages.
urlpatterns = [
    path("mine/", placeholder, name="police_list"),
    path("new/", placeholder, name="create"),
    path("incoming/", placeholder, name="incoming"),
]
