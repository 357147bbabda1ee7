from django import forms
from django.utils.translation import gettext_lazy as _


class FollowForm(forms.Form):
    """E-mail and consent; the service checks both again (the form only shapes the errors).

    Prefixed («follow-email», «follow-consent»): on a discussion page it sits next to the comment form.
    """

    prefix = "follow"

    email = forms.EmailField(
        label=_("Электронная почта"),
        max_length=254,
        error_messages={
            "required": _("Укажите адрес электронной почты."),
            "invalid": _("Укажите адрес электронной почты, например ivanov@example.ru."),
        },
    )
    consent = forms.BooleanField(
        label=_("Согласен на обработку персональных данных (адреса электронной почты) для рассылки"),
        error_messages={"required": _("Без согласия на обработку персональных данных подписаться нельзя.")},
    )
