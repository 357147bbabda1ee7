"""Forms of the import admin: upload with choices, then the same choices again under the preview."""

import os

from django import forms
from django.utils.translation import gettext_lazy as _

from municipalities.models import Municipality
from roadmaps.models import LegalAct

ALLOWED = (".docx", ".xlsx")


class ImportChoicesForm(forms.Form):
    title = forms.CharField(
        label=_("Наименование дорожной карты"),
        required=False,
        max_length=1000,
        help_text=_("Пусто — из строки над таблицей."),
    )
    first_year = forms.IntegerField(label=_("Первый год"), required=False, min_value=2000, max_value=2100)
    last_year = forms.IntegerField(label=_("Последний год"), required=False, min_value=2000, max_value=2100)
    act_kind = forms.ChoiceField(
        label=_("Вид утверждающего акта"), required=False, choices=[("", "—"), *LegalAct.Kind.choices]
    )
    act_number = forms.CharField(label=_("Номер акта"), required=False, max_length=50)
    act_date = forms.DateField(label=_("Дата акта"), required=False)
    create_executors = forms.BooleanField(
        label=_("Создать не найденных исполнителей"),
        required=False,
        help_text=_(
            "Отмечено — подразделения и должностные лица, которых нет в справочнике, будут созданы; "
            "иначе они сохранятся текстом."
        ),
    )
    table_index = forms.TypedChoiceField(
        label=_("Таблица"), required=False, coerce=int, empty_value=None, choices=[("", _("определить"))]
    )

    def __init__(self, *args, tables=None, warnings=None, **kwargs):
        super().__init__(*args, **kwargs)
        if warnings:
            self.fields["accept_warnings"] = forms.BooleanField(
                label=_("Загрузить, несмотря на предупреждения"),
                required=False,
                help_text=_("Предупреждения показаны над формой: проверьте их перед сохранением."),
            )
        if tables:
            self.fields["table_index"].choices = [("", _("определить"))] + [
                (label.split(":", 1)[0], label) for label in tables
            ]

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("first_year"), cleaned.get("last_year")
        if first and last and last < first:
            self.add_error("last_year", _("Последний год не может быть раньше первого."))
        if bool(cleaned.get("act_number")) != bool(cleaned.get("act_date")):
            self.add_error(
                "act_number", _("Укажите и номер, и дату акта (или не указывайте ни то, ни другое).")
            )
        return cleaned

    def options(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data.get("title") or "",
            "first_year": data.get("first_year"),
            "last_year": data.get("last_year"),
            "act_kind": data.get("act_kind") or "",
            "act_number": data.get("act_number") or "",
            "act_date": data["act_date"].isoformat() if data.get("act_date") else "",
            "create_executors": bool(data.get("create_executors")),
            "table_index": data.get("table_index"),
        }


class ImportUploadForm(ImportChoicesForm):
    municipality = forms.ModelChoiceField(
        label=_("Муниципальное образование"), queryset=Municipality.objects.none()
    )
    file = forms.FileField(label=_("Файл плана (DOCX или XLSX)"))
    field_order = ["municipality", "file"]

    def __init__(self, *args, municipalities=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = (
            municipalities if municipalities is not None else Municipality.objects.all()
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if os.path.splitext(upload.name)[1].lower() not in ALLOWED:
            raise forms.ValidationError(_("Загрузите документ Word (.docx) или книгу Excel (.xlsx)."))
        return upload
