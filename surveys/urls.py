from django.urls import path, re_path

from . import views

app_name = "surveys"

urlpatterns = [
    path("discussions/", views.discussion_list, name="discussion_list"),
    path("discussions/<int:pk>/", views.discussion_detail, name="discussion_detail"),
    path("discussions/<int:pk>/comments/<int:comment_pk>/flag/", views.comment_flag, name="comment_flag"),
    path("surveys/", views.survey_list, name="survey_list"),
    path("surveys/<int:pk>/", views.survey_detail, name="survey_detail"),
    path("surveys/<int:pk>/results/", views.survey_results, name="survey_results"),
    re_path(
        r"^surveys/(?P<pk>\d+)/results\.(?P<fmt>csv|xlsx)$",
        views.survey_results_export,
        name="survey_results_export",
    ),
    path("surveys/confirm/<str:token>/", views.survey_confirm, name="survey_confirm"),
]
