from django.urls import path, re_path

from patients import views

app_name = "patients"

# Anything shaped like a date reaches the view, which explains an impossible one
# (2026-02-30) instead of answering a bare 404.
DAY = r"(?P<value>\d{4}-\d{2}-\d{2})"

urlpatterns = [
    path("", views.today, name="today"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("offline.json", views.offline_manifest, name="offline_manifest"),
    path("history/", views.history, name="history"),
    path("print/", views.handout, name="print"),
    path("check-in/", views.function_checkin, name="checkin"),
    path("safety/", views.safety, name="safety"),
    path("symptoms/", views.symptoms, name="symptoms"),
    path("settings/", views.reminder_settings, name="settings"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar"),
    path("exercises/<int:pk>/", views.exercise_detail, name="exercise"),
    path("messages/", views.message_thread, name="messages"),
    path("learn/", views.learn, name="learn"),
    path("learn/<slug:slug>/", views.learn_page, name="learn_page"),
    path("learn/<slug:slug>/read/", views.learn_read, name="learn_read"),
    path("videos/<int:pk>/<str:name>", views.video_file, name="video"),
    re_path(rf"^{DAY}/$", views.day, name="day"),
    re_path(rf"^{DAY}/check/$", views.check_off, name="check_off"),
    re_path(rf"^{DAY}/feedback/$", views.feedback, name="feedback"),
    re_path(rf"^{DAY}/sessions/(?P<number>[1-3])/done/$", views.session_done, name="session_done"),
    re_path(rf"^{DAY}/sessions/(?P<number>[1-3])/guided/$", views.guided, name="guided"),
]
