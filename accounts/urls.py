from django.urls import path

from accounts import views, views_tokens

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("verify/", views.verify_view, name="verify"),
    path("confirm/", views.reauth_view, name="reauth"),
    path("two-factor/setup/", views.two_factor_setup_view, name="two_factor_setup"),
    path("api-tokens/", views_tokens.api_tokens, name="api_tokens"),
    path("api-tokens/new/", views_tokens.api_token_issue, name="api_token_issue"),
    path("api-tokens/<int:pk>/revoke/", views_tokens.api_token_revoke, name="api_token_revoke"),
]
