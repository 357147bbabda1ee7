from django.urls import path

from . import views

app_name = "regions"

urlpatterns = [
    path("region/", views.region_list, name="list"),
    path("region/<slug:slug>/", views.region_page, name="region"),
    path("region/<slug:slug>/rating.<str:fmt>", views.region_export, name="export"),
]
