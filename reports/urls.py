from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("m/<slug:slug>/roadmaps/<int:pk>/reports/", views.published_reports, name="published"),
    path("reports/<int:pk>/download/", views.download, name="download"),
    path("reports/letters/<int:pk>/download/", views.letter_download, name="letter_download"),
]
