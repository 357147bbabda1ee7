from django.urls import path, re_path

from . import views

app_name = "opendata"

IDENT = r"(?P<identifier>\d{10,12}-[a-z0-9_-]+)"

urlpatterns = [
    path("opendata/", views.index, name="index"),
    path("opendata/list.csv", views.list_csv, name="list_csv"),
    path("opendata/request/", views.request_dataset, name="request_dataset"),
    path("opendata/requests/<uuid:token>/", views.request_status, name="request_status"),
    path("opendata/reports/<uuid:token>/", views.report_status, name="report_status"),
    re_path(rf"^opendata/{IDENT}/$", views.passport, name="passport"),
    re_path(rf"^opendata/{IDENT}/report/$", views.report_issue, name="report_issue"),
    re_path(rf"^opendata/{IDENT}/meta\.csv$", views.meta_csv, name="meta_csv"),
    re_path(rf"^opendata/{IDENT}/datapackage\.json$", views.datapackage_json, name="datapackage"),
    re_path(
        rf"^opendata/{IDENT}/structure-(?P<structure_date>\d{{8}})\.csv$",
        views.structure_csv,
        name="structure_csv",
    ),
    re_path(
        rf"^opendata/{IDENT}/data-(?P<data_date>\d{{8}})-structure-(?P<structure_date>\d{{8}})\.csv$",
        views.data_file,
        name="data_file",
    ),
    path("api/3/action/<str:action>", views.ckan_action, name="ckan_action"),
    path("api/action/<str:action>", views.ckan_action, name="ckan_action_unversioned"),
    path("catalog.jsonld", views.catalog_jsonld, name="catalog_jsonld"),
    path("catalog.ttl", views.catalog_ttl, name="catalog_ttl"),
    path("catalog.rdf", views.catalog_rdf, name="catalog_rdf"),
    path("catalog", views.catalog, name="catalog"),
    re_path(r"^dataset/(?P<name>[A-Za-z0-9_-]+)\.jsonld$", views.dataset_jsonld, name="dataset_jsonld"),
    re_path(r"^dataset/(?P<name>[A-Za-z0-9_-]+)\.ttl$", views.dataset_ttl, name="dataset_ttl"),
    re_path(r"^dataset/(?P<name>[A-Za-z0-9_-]+)\.rdf$", views.dataset_rdf, name="dataset_rdf"),
]
