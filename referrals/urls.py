from django.urls import path

from referrals import views

app_name = "referrals"

urlpatterns = [
    # Police officers
    path("mine/", views.police_list, name="police_list"),
    path("new/", views.create, name="create"),
    path("<int:pk>/status/", views.police_detail, name="police_detail"),
    path("<int:pk>/extend/", views.extend_order, name="extend_order"),
    # Provider staff (psychologists, social workers, programme managers)
    path("incoming/", views.incoming, name="incoming"),
    path("self/new/", views.self_create, name="self_create"),
    path("<int:pk>/screen/", views.screen, name="screen"),
    # Programme managers and organisation administrators of a provider
    path("criteria/", views.criteria, name="criteria"),
    path("criteria/adopt/", views.criteria_adopt, name="criteria_adopt"),
    path("criteria/new/", views.criterion_add, name="criterion_add"),
    path("criteria/<int:pk>/edit/", views.criterion_edit, name="criterion_edit"),
    path("criteria/<int:pk>/deactivate/", views.criterion_deactivate, name="criterion_deactivate"),
]
