"""Public forms: the comment form (no JavaScript needed) and a survey form built from its questions."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CommentFlag, Question


class CommentForm(forms.Form):
    """Collects the raw fields; the rules (window, consent, length, duplicates) live in services.post_comment."""

    author_name = forms.CharField(label=_("Ваше имя"), required=False, max_length=1000)
    email = forms.CharField(
        label=_("E-mail (не публикуется)"), required=False, max_length=1000, widget=forms.EmailInput
    )
    text = forms.CharField(label=_("Замечание или предложение"), required=False, widget=forms.Textarea)
    consent = forms.BooleanField(
        label=_("Даю согласие на обработку моих персональных данных (Федеральный закон № 152-ФЗ)"),
        required=False,
    )
    parent = forms.CharField(required=False, widget=forms.HiddenInput)
    # Honeypot: hidden by CSS, left empty by people, filled by bots.
    website = forms.CharField(label=_("Не заполняйте это поле"), required=False)


class FlagForm(forms.Form):
    reason = forms.ChoiceField(label=_("Причина"), choices=CommentFlag.Reason.choices)
    note = forms.CharField(label=_("Пояснение"), required=False, max_length=500)


SCALE_CHOICES = [(str(i), str(i)) for i in range(1, 6)]


class SurveyForm(forms.Form):
    website = forms.CharField(label=_("Не заполняйте это поле"), required=False)

    def __init__(self, *args, survey, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.survey = survey
        self.questions = questions
        for q in questions:
            name = f"q{q.pk}"
            options = [(str(o.pk), o.text) for o in q.options.all()]
            # Required-ness is checked by the service, so that the API and the page say the same thing.
            if q.kind == Question.Kind.SINGLE:
                field = forms.ChoiceField(choices=options, widget=forms.RadioSelect, required=False)
            elif q.kind == Question.Kind.MULTIPLE:
                field = forms.MultipleChoiceField(
                    choices=options, widget=forms.CheckboxSelectMultiple, required=False
                )
            elif q.kind == Question.Kind.SCALE:
                field = forms.ChoiceField(choices=SCALE_CHOICES, widget=forms.RadioSelect, required=False)
            else:
                field = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
            field.label = q.text
            field.question = q
            self.fields[name] = field
        if survey.email_confirmation:
            self.fields["email"] = forms.EmailField(
                label=_("E-mail для подтверждения ответа (не публикуется)"), required=False
            )

    def answers(self) -> dict:
        return {q.pk: self.cleaned_data.get(f"q{q.pk}") for q in self.questions}

    def question_fields(self):
        return [self[f"q{q.pk}"] for q in self.questions]
