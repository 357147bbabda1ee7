from django import forms
from django.utils.translation import gettext_lazy as _

from municipalities.models import Municipality

from .models import DataIssueReport, Dataset, DatasetRequest
from .validation import UploadError

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
CONSENT_LABEL = _(
    "Согласен(на) на обработку персональных данных (Федеральный закон № 152-ФЗ) для ответа на обращение"
)


class ContactMixin(forms.Form):
    consent = forms.BooleanField(label=CONSENT_LABEL, required=False)
    website = forms.CharField(required=False, widget=forms.HiddenInput)  # honeypot: people leave it empty

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            raise forms.ValidationError(_("Не удалось отправить форму."))
        if cleaned.get("author_email") and not cleaned.get("consent"):
            self.add_error(
                "consent", _("Чтобы мы могли ответить на e-mail, нужно согласие на обработку данных.")
            )
        return cleaned


class IssueReportForm(ContactMixin, forms.ModelForm):
    class Meta:
        model = DataIssueReport
        fields = ["description", "location", "author_name", "author_email"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"location": _("Например: строка 12, столбец «address» или версия от 01.03.2024.")}


class DatasetRequestForm(ContactMixin, forms.ModelForm):
    municipality = forms.ModelChoiceField(
        label=_("Муниципальное образование"), queryset=Municipality.objects.order_by("name")
    )

    class Meta:
        model = DatasetRequest
        fields = ["municipality", "title", "description", "author_name", "author_email"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


def read_upload(upload) -> bytes:
    if upload.size > MAX_UPLOAD_BYTES:
        raise forms.ValidationError(_("Файл больше 20 МБ."))
    return upload.read()


class PublishVersionForm(forms.Form):
    """Staff upload: validated against the structure in clean(), so errors show in the form."""

    data_file = forms.FileField(label=_("Файл данных (CSV, UTF-8, разделитель — запятая)"))
    structure_file = forms.FileField(
        label=_("Новая структура (CSV), если изменился состав столбцов"),
        required=False,
        help_text=_(
            "Заголовок: field name,english description,russian description,format; "
            "необязательные столбцы required и unique (да/нет)."
        ),
    )
    provenance = forms.CharField(
        label=_("Содержание изменения"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    version_date = forms.DateField(label=_("Дата версии"), required=False, help_text=_("Пусто — сегодня."))
    valid = forms.DateField(
        label=_("Дата актуальности данных"),
        required=False,
        help_text=_("До какой даты данные актуальны. Пусто — дата очередной актуализации по периодичности."),
    )

    def __init__(self, *args, dataset: Dataset, **kwargs):
        super().__init__(*args, **kwargs)
        self.dataset = dataset

    def clean(self):
        from . import services

        cleaned = super().clean()
        if self.errors:
            return cleaned
        cleaned["content"] = read_upload(cleaned["data_file"])
        cleaned["structure_content"] = (
            read_upload(cleaned["structure_file"]) if cleaned.get("structure_file") else None
        )
        try:
            services.check_upload(
                self.dataset, cleaned["content"], structure_content=cleaned["structure_content"]
            )
        except UploadError as exc:
            raise forms.ValidationError(exc.errors) from exc
        return cleaned
