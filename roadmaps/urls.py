from django.urls import path

from . import views

app_name = "roadmaps"

urlpatterns = [
    path("m/<slug:slug>/", views.municipality_page, name="municipality"),
    path("m/<slug:slug>/roadmaps/<int:pk>/", views.roadmap_page, name="roadmap"),
    path("m/<slug:slug>/roadmaps/<int:roadmap_pk>/measures/<int:pk>/", views.measure_page, name="measure"),
]
