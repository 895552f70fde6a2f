"""URLs of the community pages, mounted at ``/community/`` on the public side."""

from django.urls import path

from . import views

app_name = "community"

urlpatterns = [
    path("", views.room_list, name="rooms"),
    path("r/<slug:slug>/", views.room_detail, name="room"),
    path("r/<slug:slug>/post/", views.post_create, name="post_create"),
    path("p/<int:pk>/", views.post_detail, name="post"),
    path("p/<int:pk>/comment/", views.comment_create, name="comment"),
    path("p/<int:pk>/react/", views.react, name="react"),
    path("p/<int:pk>/report/", views.report, name="report_post"),
    path(
        "c/<int:pk>/report/", views.report, {"kind": "comment"}, name="report_comment"
    ),
    path("p/<int:pk>/moderate/", views.moderate, name="moderate_post"),
    path(
        "c/<int:pk>/moderate/",
        views.moderate,
        {"kind": "comment"},
        name="moderate_comment",
    ),
    path("share/", views.share, name="share"),
    path("moderation/", views.moderation_queue, name="moderation"),
    path("moderation/members/<int:user_id>/", views.block_member, name="block"),
    path(
        "moderation/alerts/<int:pk>/ack/",
        views.acknowledge_alert,
        name="acknowledge_alert",
    ),
    path("surveys/", views.survey_list, name="surveys"),
    path("surveys/<int:pk>/", views.survey_answer, name="survey"),
    path("rules/", views.rules_page, name="rules"),
    path("join/", views.join, name="join"),
    path("join/confirm/<str:token>/", views.confirm, name="confirm"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/sent/",
        views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/done/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("me/", views.profile, name="profile"),
    path("me/posts/", views.my_posts, name="my_posts"),
    path("me/notifications/", views.notifications, name="notifications"),
    path("me/delete/", views.account_delete, name="account_delete"),
]
