"""JSON API for police information systems, mounted under /api/v1/."""

from django.urls import path

from referrals import api

urlpatterns = [
    path("referrals/", api.ReferralCreateView.as_view(), name="api-referral-create"),
    path("referrals/<int:id>/", api.ReferralDetailView.as_view(), name="api-referral-detail"),
    path("providers/", api.ProviderListView.as_view(), name="api-provider-list"),
]
