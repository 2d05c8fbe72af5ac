from django.urls import path

from notifications import alert_views, reminder_views, sanction_views, views, webhook_views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("badge/", views.badge, name="badge"),
    path("<int:pk>/", views.notice_detail, name="notice_detail"),
    path("<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("<int:pk>/what-followed/", sanction_views.record_sanction, name="record_sanction"),
    path("cases/<int:pk>/violence/", views.report_violence, name="report_violence"),
    path("my-alerts/", alert_views.my_alerts, name="my_alerts"),
    path("my-alerts/<int:pk>/", alert_views.my_alert_channel, name="my_alert_channel"),
    path("reach/", alert_views.reach, name="reach"),
    path("reminders/", reminder_views.reminder_list, name="reminders"),
    path("webhooks/", webhook_views.webhook_list, name="webhooks"),
    path("webhooks/new/", webhook_views.webhook_add, name="webhook_add"),
    path("webhooks/<int:pk>/", webhook_views.webhook_detail, name="webhook_detail"),
    path(
        "enrolments/<int:pk>/sms-reminders/",
        reminder_views.participant_reminders,
        name="participant_reminders",
    ),
]
