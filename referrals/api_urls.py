"""JSON API for police information systems, mounted under /api/v1/."""

from django.urls import path

from referrals import api

urlpatterns = [
    # GET lists the unit's referrals, POST enters one (the name is older than the list).
    path("referrals/", api.ReferralCollectionView.as_view(), name="api-referral-create"),
    path("referrals/<int:id>/", api.ReferralDetailView.as_view(), name="api-referral-detail"),
    path("referrals/<int:id>/history/", api.ReferralHistoryView.as_view(), name="api-referral-history"),
    path("providers/", api.ProviderListView.as_view(), name="api-provider-list"),
]
