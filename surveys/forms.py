"""Public forms: the comment form (no JavaScript needed) and a survey form built from its questions."""

from django import forms
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import COMMENT_MAX_LENGTH, Comment, CommentFlag, Discussion, DocumentParagraph, Question
from .services.discussions import official_posting, text_digest

AUTHOR_NAME_MAX = 200


def _grouped(n: int) -> str:
    """10000 → «10 000», as Russian prints numbers."""
    return f"{n:,}".replace(",", " ")


class CommentForm(forms.Form):
    """A citizen's (or an official's) comment on one discussion, with every rule a post must pass (a duplicate
    text is refused by the database's unique constraint when stored, and reported here with other mistakes).

    Officials of the municipality and its coordinators need no e-mail or consent, and sign with their name.
    """

    author_name = forms.CharField(label=_("Ваше имя"), required=False, max_length=1000)
    email = forms.CharField(
        label=_("E-mail (не публикуется)"), required=False, max_length=1000, widget=forms.EmailInput
    )
    text = forms.CharField(
        label=_("Замечание или предложение"), required=False, strip=False, widget=forms.Textarea
    )
    consent = forms.BooleanField(
        label=_("Даю согласие на обработку моих персональных данных (Федеральный закон № 152-ФЗ)"),
        required=False,
    )
    parent = forms.CharField(required=False, widget=forms.HiddenInput)
    # A point of a редакция of this discussion's draft act; empty: the comment is on the document as a whole.
    paragraph = forms.CharField(label=_("К какому пункту"), required=False)
    # Honeypot: hidden by CSS, left empty by people, filled by bots.
    website = forms.CharField(label=_("Не заполняйте это поле"), required=False)

    def __init__(self, *args, discussion: Discussion, user=None, now=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.discussion = discussion
        self.user = user
        self.now = now or timezone.now()
        self.official, is_coordinator = official_posting(user, discussion.municipality_id)
        self.is_official = self.official is not None or is_coordinator

    def email_as_typed(self) -> str:
        """The address the per-e-mail limit counts, valid or not."""
        return str(self.data.get("email") or "").strip()[:1000]

    def clean_website(self):
        if self.cleaned_data["website"]:
            raise forms.ValidationError(gettext("Замечание не принято."), code="spam")
        return ""

    def clean_author_name(self):
        name = self.cleaned_data["author_name"].strip()
        if not name and self.is_official:
            name = (
                str(self.official)
                if self.official
                else (self.user.get_full_name() or self.user.get_username())
            )
        if not name:
            raise forms.ValidationError(gettext("Укажите ваше имя."), code="required")
        if len(name) > AUTHOR_NAME_MAX:
            raise forms.ValidationError(
                gettext("Имя — не более %(n)s символов.") % {"n": AUTHOR_NAME_MAX}, code="max_length"
            )
        return name

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if self.is_official:
            return ""
        if not email:
            raise forms.ValidationError(
                gettext("Укажите адрес электронной почты: он не публикуется."), code="required"
            )
        try:
            validate_email(email)
        except forms.ValidationError:
            raise forms.ValidationError(
                gettext("Введите правильный адрес электронной почты."), code="invalid"
            ) from None
        return email

    def clean_consent(self):
        consent = self.cleaned_data["consent"]
        if not consent and not self.is_official:
            raise forms.ValidationError(
                gettext(
                    "Без согласия на обработку персональных данных (Федеральный закон № 152-ФЗ) "
                    "замечание не может быть принято."
                ),
                code="required",
            )
        return consent

    def clean_text(self):
        text = self.cleaned_data["text"].replace("\r\n", "\n").strip()
        if not text:
            raise forms.ValidationError(gettext("Напишите замечание или предложение."), code="required")
        if len(text) > COMMENT_MAX_LENGTH:
            raise forms.ValidationError(
                gettext("Текст — не более %(max)s символов, сейчас %(n)s.")
                % {"max": _grouped(COMMENT_MAX_LENGTH), "n": _grouped(len(text))},
                code="max_length",
            )
        return text

    def clean_parent(self):
        parent_id = str(self.cleaned_data["parent"]).strip()
        if not parent_id:
            return None
        parent = (
            Comment.objects.filter(
                pk=int(parent_id) if parent_id.isdigit() else 0,
                discussion=self.discussion,
                parent__isnull=True,
                status=Comment.Status.PUBLISHED,
            )
            .only("pk")
            .first()
        )
        if parent is None:
            raise forms.ValidationError(
                gettext("Ответить можно только на опубликованное замечание этого обсуждения."), code="invalid"
            )
        return parent

    def clean_paragraph(self):
        """One query, and only when a point is named: the comment POST stays as fast without one."""
        paragraph_id = str(self.cleaned_data["paragraph"] or "").strip()
        if not paragraph_id:
            return None
        paragraph = (
            DocumentParagraph.objects.filter(
                pk=int(paragraph_id) if paragraph_id.isdigit() else 0,
                version__discussion_id=self.discussion.pk,
            )
            .only("pk", "anchor")
            .first()
        )
        if paragraph is None:
            raise forms.ValidationError(
                gettext("Замечание можно оставить только к пункту документа этого обсуждения."),
                code="invalid",
            )
        return paragraph

    def clean(self):
        discussion, now = self.discussion, self.now
        status = discussion.status_at(now)
        if status == Discussion.Status.SCHEDULED:
            opens = discussion.opens_at.astimezone(discussion.municipality.tz)
            raise forms.ValidationError(
                gettext("Обсуждение еще не началось: замечания принимаются с %(date)s.")
                % {"date": f"{opens:%d.%m.%Y %H:%M}"},
                code="closed",
            )
        if status != Discussion.Status.OPEN:
            raise forms.ValidationError(
                gettext("Обсуждение завершено %(date)s: замечания больше не принимаются.")
                % {"date": f"{discussion.last_day:%d.%m.%Y}"},
                code="closed",
            )
        # The unique constraint on (discussion, text) refuses a duplicate when the comment is stored (see
        # services.post_comment); asked here only to report it together with the post's other mistakes.
        text = self.cleaned_data.get("text")
        if self.errors and text and self.is_duplicate(text):
            self.add_error("text", self.duplicate_error())
        return self.cleaned_data

    def is_duplicate(self, text: str) -> bool:
        return Comment.objects.filter(discussion=self.discussion, text_hash=text_digest(text)).exists()

    def duplicate_error(self):
        return forms.ValidationError(
            gettext("Такое замечание уже получено в этом обсуждении."), code="duplicate"
        )


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
