from django.urls import path

from . import views

app_name = "appeals"

urlpatterns = [
    path("m/<slug:slug>/appeals/", views.municipality_appeals, name="municipality"),
]
