from django.urls import path

from . import views

app_name = "referents"

urlpatterns = [
    path("councils/", views.council_list, name="councils"),
    path("councils/<int:pk>/", views.council_detail, name="council"),
    path("referents/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
