"""Staff admin for the register, scoped to the user's municipality, with an upload of an office journal."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from municipalities import access, scoping
from municipalities.admin import ScopedAdminMixin
from municipalities.models import Municipality

from . import services
from .models import Appeal, ServiceCentreFigures


class JournalUploadForm(forms.Form):
    municipality = forms.ModelChoiceField(label=_("Муниципальное образование"), queryset=None)
    file = forms.FileField(
        label=_("Журнал обращений (.xlsx)"),
        help_text=_(
            "Первая строка с «Дата», «Канал/Способ», «Тема/Вопрос», «Дата ответа» считается заголовком. "
            "Столбцы с ФИО, адресами и телефонами заявителей не загружаются."
        ),
    )

    def __init__(self, *args, municipalities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities
        if len(municipalities) == 1:
            self.fields["municipality"].initial = municipalities[0]


@admin.register(Appeal)
class AppealAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["received_on", "channel", "topic", "due_on", "answered_on", "on_time", "municipality"]
    list_filter = ["channel", "municipality"]
    date_hierarchy = "received_on"
    search_fields = ["topic", "external_number"]
    list_select_related = ["municipality"]
    change_list_template = "appeals/admin_change_list.html"

    @admin.display(boolean=True, description=_("в срок"))
    def on_time(self, obj):
        return obj.answered_on_time

    def get_urls(self):
        upload = path("upload/", self.admin_site.admin_view(self.upload_view), name="appeals_appeal_upload")
        return [upload, *super().get_urls()]

    def upload_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        municipalities = scoping.visible_to(Municipality, request.user)
        form = JournalUploadForm(request.POST or None, request.FILES or None, municipalities=municipalities)
        if request.method == "POST" and form.is_valid():
            try:
                result = services.import_journal(form.cleaned_data["municipality"], form.cleaned_data["file"])
            except ValidationError as exc:
                for message in exc.messages[:50]:
                    form.add_error("file", message)
                if len(exc.messages) > 50:
                    hidden = len(exc.messages) - 50
                    form.add_error(
                        "file",
                        ngettext("…и еще %(n)d ошибка.", "…и еще %(n)d ошибок.", hidden) % {"n": hidden},
                    )
            else:
                self.message_user(
                    request,
                    ngettext(
                        "Журнал загружен: %(created)d новое обращение, обновлено %(updated)d.",
                        "Журнал загружен: %(created)d новых обращений, обновлено %(updated)d.",
                        result.created,
                    )
                    % {"created": result.created, "updated": result.updated},
                    messages.SUCCESS,
                )
                if result.dropped_columns:
                    self.message_user(
                        request,
                        _("Не загружены столбцы с персональными данными: %(columns)s.")
                        % {"columns": ", ".join(result.dropped_columns)},
                        messages.INFO,
                    )
                return redirect(reverse("admin:appeals_appeal_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": _("Загрузить журнал обращений"),
        }
        return TemplateResponse(request, "appeals/admin_upload.html", context)


@admin.register(ServiceCentreFigures)
class ServiceCentreFiguresAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """The service centre's figures the information letter quotes: one row per date of its report."""

    list_display = ["as_of", "services", "applicants", "remote_applicants", "municipality"]
    list_filter = ["municipality"]
    date_hierarchy = "as_of"
    list_select_related = ["municipality"]
    fields = ["municipality", "as_of", "services", "applicants", "remote_applicants"]

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        own = list(access.visible_municipalities(request.user)[:2])
        if len(own) == 1:  # a coordinator records the figures of their own municipality
            initial.setdefault("municipality", own[0].pk)
        return initial
