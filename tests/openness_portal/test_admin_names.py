"""The admin reads as Russian: «Добавить информацию…», not «Добавить информация…», in every title and button;
and every admin whose save calls a service shows the service's refusal on the form, never next to a success."""

import inspect

import pytest
from django.contrib import admin
from django.urls import reverse

from openness_portal.admin_actions import ServiceErrorsOnFormMixin
from openness_portal.admin_names import ACCUSATIVE
from tests.factories import MeasureFactory, ProgressEntryFactory, StaffRoleFactory, UserFactory

pytestmark = pytest.mark.django_db

PROJECT_PACKAGES = ("roadmaps", "reports", "opendata", "surveys", "referents", "appeals", "regions")
PROJECT_PACKAGES += ("openness_portal", "municipalities")
SAVE_HOOKS = ("save_model", "save_related", "save_formset", "delete_model")


def _project_hooks(admin_class):
    """The save hooks the project's own classes define (Django's and third parties' call no service)."""
    return {
        name
        for klass in inspect.getmro(admin_class)
        if klass.__module__.split(".")[0] in PROJECT_PACKAGES
        for name in SAVE_HOOKS
        if name in vars(klass)
    }


def test_every_admin_whose_save_calls_a_service_shows_the_refusal_on_the_form():
    uncovered = [
        f"{type(model_admin).__module__}.{type(model_admin).__name__}: {sorted(_project_hooks(type(model_admin)))}"
        for model_admin in admin.site._registry.values()
        if _project_hooks(type(model_admin)) and not isinstance(model_admin, ServiceErrorsOnFormMixin)
    ]
    assert uncovered == []


def _feminine_looking(name: str) -> bool:
    first = name.split()[0].lower()
    return first.endswith(("а", "я")) and first not in {"время"}


def test_every_feminine_or_animate_model_name_has_its_accusative():
    from django.utils import translation

    with translation.override("ru"):
        missing = [
            model._meta.label_lower
            for model in admin.site._registry
            if _feminine_looking(str(model._meta.verbose_name)) and model._meta.label_lower not in ACCUSATIVE
        ]
    assert missing == []
    assert {"auth.user", "referents.participant"} <= ACCUSATIVE.keys(), "animate nouns change too"


@pytest.mark.parametrize(
    ("label", "right", "wrong"),
    [
        ("roadmaps.progressentry", "Добавить информацию о ходе реализации", "Добавить информация"),
        ("roadmaps.roadmap", "Добавить дорожную карту", "Добавить дорожная карта"),
        ("referents.participant", "Добавить участника референтной группы", "Добавить участник "),
        ("referents.mailing", "Добавить адресную рассылку", "Добавить адресная рассылка"),
        ("auth.user", "Добавить пользователя", "Добавить пользователь"),
        ("roadmaps.measure", "Добавить мероприятие", None),
    ],
)
def test_the_add_button_and_the_add_page_read_in_the_accusative(client, label, right, wrong):
    client.force_login(UserFactory(is_superuser=True))
    app_label, model_name = label.split(".")
    changelist = client.get(reverse(f"admin:{app_label}_{model_name}_changelist")).content.decode()
    assert right in changelist
    add_page = client.get(reverse(f"admin:{app_label}_{model_name}_add")).content.decode()
    assert f"<h1>{right}</h1>" in add_page
    assert f"<title>{right} |" in add_page
    assert f"&rsaquo; {right}" in add_page  # breadcrumbs
    if wrong:
        assert wrong not in changelist and wrong not in add_page


def test_the_list_and_change_titles_read_in_the_accusative(client):
    entry = ProgressEntryFactory(measure=MeasureFactory())
    client.force_login(UserFactory(is_superuser=True))
    changelist = client.get(reverse("admin:roadmaps_progressentry_changelist")).content.decode()
    assert "Выберите информацию о ходе реализации для изменения" in changelist
    change = client.get(reverse("admin:roadmaps_progressentry_change", args=[entry.pk])).content.decode()
    assert "Изменить информацию о ходе реализации" in change


def test_a_read_only_list_says_view_in_the_accusative(client):
    supervisor = StaffRoleFactory(role="supervisor", municipality=None).user
    client.force_login(supervisor)
    changelist = client.get(reverse("admin:roadmaps_roadmap_changelist")).content.decode()
    assert "Выберите дорожную карту для просмотра" in changelist
    assert "Добавить дорожную карту" not in changelist  # no add button without the right to add


def test_in_english_the_name_falls_back_to_the_translated_verbose_name(client):
    client.force_login(UserFactory(is_superuser=True))
    page = client.get(reverse("admin:roadmaps_roadmap_add"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "дорожную карту" not in page


def test_deleting_one_object_asks_in_the_accusative(client):
    entry = ProgressEntryFactory(measure=MeasureFactory())
    client.force_login(UserFactory(is_superuser=True))
    page = client.get(reverse("admin:roadmaps_progressentry_delete", args=[entry.pk])).content.decode()
    assert "удалить информацию о ходе реализации" in page
    assert "удалить информация" not in page


def _delete_selected_page(client, model_admin_url, objects):
    return client.post(
        reverse(model_admin_url),
        {"action": "delete_selected", "_selected_action": [obj.pk for obj in objects]},
    ).content.decode()


def test_deleting_selected_participants_asks_in_the_plural_accusative(client):
    from tests.referents.factories import ParticipantFactory

    participants = ParticipantFactory.create_batch(2)
    client.force_login(UserFactory(is_superuser=True))
    changelist = client.get(reverse("admin:referents_participant_changelist")).content.decode()
    assert "Удалить выбранных участников референтных групп" in changelist
    assert "Удалить выбранные участники" not in changelist

    page = _delete_selected_page(client, "admin:referents_participant_changelist", participants)
    assert "удалить участников референтных групп?" in page
    assert "участники референтных групп?" not in page
    one = _delete_selected_page(client, "admin:referents_participant_changelist", participants[:1])
    assert "удалить участника референтной группы?" in one


def test_deleting_selected_entries_of_an_inanimate_name_keeps_its_plural(client):
    from tests.factories import RoadmapFactory

    roadmaps = RoadmapFactory.create_batch(2)
    client.force_login(UserFactory(is_superuser=True))
    page = _delete_selected_page(client, "admin:roadmaps_roadmap_changelist", roadmaps)
    assert "удалить дорожные карты?" in page


def test_every_plural_that_changes_in_the_accusative_has_an_action_label():
    from openness_portal.admin_names import ACCUSATIVE_PLURAL, DELETE_SELECTED_LABEL

    assert ACCUSATIVE_PLURAL.keys() == DELETE_SELECTED_LABEL.keys()
