"""Set-up pages (views_setup): templates, groups, enrolment, moves and
transfers; combined in programmes/urls.py (app_name "programmes")."""

from django.urls import path

from programmes import views_setup as views

urlpatterns = [
    # Provider staff read templates; programme managers copy and adapt them.
    path("templates/", views.template_list, name="templates"),
    path("templates/<int:pk>/", views.template_detail, name="template_detail"),
    path("templates/<int:pk>/copy/", views.template_copy, name="template_copy"),
    path("templates/<int:pk>/edit/", views.template_edit, name="template_edit"),
    # Provider staff.
    path("groups/", views.group_list, name="groups"),
    path("groups/new/", views.group_create, name="group_create"),
    path("groups/<int:pk>/", views.group_detail, name="group_detail"),
    path("groups/<int:pk>/extend/", views.group_extend, name="group_extend"),
    path("groups/<int:pk>/edit/", views.group_edit, name="group_edit"),
    path("groups/<int:pk>/close/", views.group_close, name="group_close"),
    # Psychologists and social workers enrol; provider staff move and transfer.
    path("cases/<int:case_pk>/enrol/", views.enrol, name="enrol"),
    path("enrolments/<int:pk>/move/", views.move_group, name="move_group"),
    path("enrolments/<int:pk>/transfer/", views.transfer, name="transfer"),
]
