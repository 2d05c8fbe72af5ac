from django.urls import path

from notifications import reminder_views, views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("badge/", views.badge, name="badge"),
    path("<int:pk>/", views.notice_detail, name="notice_detail"),
    path("<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("cases/<int:pk>/violence/", views.report_violence, name="report_violence"),
    path("reminders/", reminder_views.reminder_list, name="reminders"),
    path(
        "enrolments/<int:pk>/sms-reminders/",
        reminder_views.participant_reminders,
        name="participant_reminders",
    ),
]
