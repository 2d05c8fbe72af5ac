"""Staff records: trainings, supervision and qualifications of a provider's facilitators."""

from django.urls import path

from staffing import views

app_name = "staffing"

urlpatterns = [
    path("", views.staff_list, name="staff_list"),
    path("mine/", views.mine, name="mine"),
    path("attention/", views.attention, name="attention"),
    path("<int:pk>/", views.staff_detail, name="staff_detail"),
    path("<int:staff_pk>/trainings/new/", views.training_add, name="training_add"),
    path("trainings/<int:pk>/", views.training_edit, name="training_edit"),
    path("<int:staff_pk>/supervision/new/", views.supervision_add, name="supervision_add"),
    path("supervision/<int:pk>/", views.supervision_edit, name="supervision_edit"),
    path("<int:staff_pk>/qualifications/new/", views.qualification_add, name="qualification_add"),
    path("qualifications/<int:pk>/", views.qualification_edit, name="qualification_edit"),
]
