from django.urls import path

from . import feeds, views

app_name = "following"

urlpatterns = [
    path("follow/<str:kind>/<int:pk>/", views.follow, name="follow"),
    path("follow/confirm/<str:token>/", views.confirm, name="confirm"),
    path("follow/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("m/<slug:slug>/roadmaps/<int:pk>/feed/", feeds.RoadmapFeed(), name="roadmap_feed"),
    path(
        "m/<slug:slug>/roadmaps/<int:roadmap_pk>/measures/<int:pk>/feed/",
        feeds.MeasureFeed(),
        name="measure_feed",
    ),
    path("discussions/<int:pk>/feed/", feeds.DiscussionFeed(), name="discussion_feed"),
]
