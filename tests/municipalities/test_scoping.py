"""One scoping rule (issue 16): a coordinator of municipality A never sees a row of municipality B — in any
admin list, list filter, form choice or API list of any app — and every model says how it reaches its
municipality, so a new model or foreign key cannot slip by.

Two municipalities get one row of every portal model each (`build_world`); the rows created while building B
are B's rows, whatever the declared paths say, so the tests check the declarations instead of trusting them.
"""

from datetime import date

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.core.files.base import ContentFile
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from appeals.models import ServiceCentreFigures
from following.models import Delivery, Digest, FollowEvent
from importing.models import ImportJob
from municipalities import scoping
from municipalities.models import Municipality, StaffRole
from opendata.models import DataIssueReport, DatasetRequest, DownloadEvent
from openness_portal.discovery import app_modules
from openness_portal.notifications.models import Notification, Reminder
from referents.models import (
    Channel,
    CouncilRegulation,
    CouncilWorkPlan,
    MailingDelivery,
    Tool,
)
from reports.models import InformationLetter
from roadmaps.models import Evidence, KpiActual, MeasureExecutor, ProgressEntry, Roadmap
from roadmaps.services import set_deadline_rule
from surveys.models import (
    Answer,
    CommentDisposition,
    CommentFlag,
    CommentModeration,
    DiscussionSummary,
    DocumentParagraph,
    DocumentVersion,
    ModerationSettings,
    Response,
)
from tests.appeals.factories import AppealFactory
from tests.factories import (
    DeadlineFactory,
    DepartmentFactory,
    KpiFactory,
    KpiTargetFactory,
    LegalActFactory,
    MeasureFactory,
    MunicipalityFactory,
    OfficialFactory,
    ProgressEntryFactory,
    RoadmapFactory,
    SectionFactory,
    StaffRoleFactory,
    UserFactory,
)
from tests.following.factories import SubscriptionFactory
from tests.opendata.factories import published_dataset
from tests.referents.factories import (
    AgendaItemFactory,
    CouncilFactory,
    CouncilMemberFactory,
    InteractionFactory,
    MailingFactory,
    MeetingFactory,
    MembershipFactory,
)
from tests.reports.factories import ReportFactory, ReportFileFactory
from tests.surveys.factories import CommentFactory, SurveyFactory, add_question, open_discussion

MARK_OF_B = "Бета"  # in B's name and region: no filter choice of A's coordinator may show it


def portal_models():
    """Concrete models of the portal's apps; django-simple-history's copies are reached through their
    originals' admins and are left out."""
    labels = {apps.get_app_config(name.rsplit(".", 1)[-1]).label for name in settings.PORTAL_APPS}
    return [
        m
        for m in apps.get_models()
        if m._meta.app_label in labels and not m._meta.abstract and not hasattr(m, "instance_type")
    ]


def reaches_municipality(model, seen=()) -> bool:
    """Whether a chain of foreign keys leads from `model` to Municipality."""
    if model is Municipality:
        return True
    for field in model._meta.concrete_fields:
        related = field.related_model if field.is_relation else None
        if related not in (None, model, *seen) and reaches_municipality(related, (*seen, model)):
            return True
    return False


def build_world(municipality):
    """At least one row of every portal model belonging to `municipality`; returns its coordinator."""
    m = municipality
    coordinator = StaffRoleFactory(user=UserFactory(), role=StaffRole.Role.COORDINATOR, municipality=m).user
    department = DepartmentFactory(municipality=m, name=f"Отдел {m.name}")
    official = OfficialFactory(municipality=m, department=department)
    act = LegalActFactory(municipality=m)
    # A draft: nothing of it is public, so any row of it an outsider reads is a leak.
    roadmap = RoadmapFactory(
        municipality=m, approving_act=act, status=Roadmap.Status.DRAFT, title=f"План {m.name}"
    )
    measure = MeasureFactory(section=SectionFactory(roadmap=roadmap), roadmap=roadmap)
    set_deadline_rule(measure, "до 1 апреля 2025 года")
    DeadlineFactory(measure=measure)
    MeasureExecutor.objects.create(measure=measure, order=0, department=department)
    MeasureExecutor.objects.create(measure=measure, order=1, official=official)
    kpi = KpiFactory(measure=measure)
    KpiTargetFactory(kpi=kpi)
    entry = ProgressEntryFactory(measure=measure, status=ProgressEntry.Status.SUBMITTED)
    KpiActual.objects.create(kpi=kpi, period="2022-H1", value=1, progress_entry=entry)
    Evidence.objects.create(progress_entry=entry, url="https://example.ru/evidence")
    ImportJob.objects.create(municipality=m, file=ContentFile(b"x", name="plan.docx"), original_name="plan")

    ModerationSettings.objects.get_or_create(municipality=m)
    discussion = open_discussion(m, title=f"Обсуждение {m.name}", measure=measure, responsible=official)
    version = DocumentVersion.objects.create(discussion=discussion, number=1)
    paragraph = DocumentParagraph.objects.create(version=version, position=1, anchor="п. 1", text="1. Текст")
    comment = CommentFactory(discussion=discussion, paragraph=paragraph)
    CommentModeration.objects.create(comment=comment, action=CommentModeration.Action.PUBLISH)
    CommentFlag.objects.create(comment=comment, reason=CommentFlag.Reason.SPAM, reader_key=f"r{m.pk}")
    summary, _ = DiscussionSummary.objects.get_or_create(discussion=discussion)
    CommentDisposition.objects.create(summary=summary, comment=comment)
    survey = SurveyFactory(municipality=m, measure=measure)
    question = add_question(survey)
    response = Response.objects.create(survey=survey, respondent_key=f"k{m.pk}")
    Answer.objects.create(response=response, question=question, option=question.options.first())

    Channel.objects.create(municipality=m, name=f"Канал {m.name}")
    Tool.objects.create(municipality=m, name=f"Инструмент {m.name}")
    membership = MembershipFactory(group__municipality=m)
    InteractionFactory(municipality=m, group=membership.group, responsible=official)
    mailing = MailingFactory(group=membership.group)
    MailingDelivery.objects.create(mailing=mailing, participant=membership.participant)
    council = CouncilFactory(municipality=m)
    CouncilMemberFactory(council=council, participant=membership.participant)
    CouncilRegulation.objects.create(council=council, title="Положение", date=date(2022, 1, 1), legal_act=act)
    CouncilWorkPlan.objects.create(council=council, year=2022)
    AgendaItemFactory(meeting=MeetingFactory(council=council))

    AppealFactory(municipality=m)
    ServiceCentreFigures.objects.create(
        municipality=m, as_of=date(2021, 12, 21), services=290, applicants=45939, remote_applicants=9312
    )
    dataset = published_dataset(municipality=m, owner=department, legal_act=act)
    data_version = dataset.versions.first()
    DataIssueReport.objects.create(dataset=dataset, version=data_version, description="ошибка")
    DatasetRequest.objects.create(municipality=m, title="Нужен набор", dataset=dataset)
    DownloadEvent.objects.create(dataset=dataset, version=data_version, day=date(2024, 3, 2), visitor="v")

    ReportFileFactory(report=ReportFactory(roadmap=roadmap))
    period = roadmap.reporting_periods.first()
    period.owner = official
    period.save(update_fields=["owner"])
    InformationLetter.objects.create(
        roadmap=roadmap,
        period="2021-H2",
        number=f"07-{m.pk}",
        date=date(2022, 1, 20),
        addressee="Министерство",
        signatory_post="Глава",
        signatory_name="Главов Г.Г.",
    )

    subscription = SubscriptionFactory(roadmap=roadmap)
    event = FollowEvent.objects.create(
        roadmap=roadmap,
        kind=FollowEvent.Kind.REPORT_PUBLISHED,
        object_key=f"roadmap:{roadmap.pk}",
        occurrence="1",
        title="Опубликован отчет",
        link="/",
        occurred_at=timezone.now(),
    )
    digest = Digest.objects.create(subscription=subscription)
    Delivery.objects.create(event=event, subscription=subscription, digest=digest)
    Notification.objects.create(
        municipality=m, key=f"n{m.pk}", kind="test", recipient="x@example.ru", subject="s", body="b"
    )
    Reminder.objects.create(
        municipality=m,
        kind="deadline",
        subject_key=f"deadline:{m.pk}",
        stage="1wd",
        recipient_key="department:1",
        day=date(2024, 3, 1),
        due_date=date(2024, 3, 4),
        run="test",
    )
    return coordinator


def all_pks(models):
    return {model: set(model._default_manager.values_list("pk", flat=True)) for model in models}


@pytest.fixture
def worlds(db):
    """A's coordinator and, per scoped model, the pks of B's rows; fails when a model has no row in B."""
    scoped_models = [m for m in portal_models() if scoping.is_scoped(m)]
    alpha = MunicipalityFactory(name="Альфа-округ", slug="alpha", region="Альфа-край")
    coordinator = build_world(alpha)
    before = all_pks(scoped_models)
    beta = MunicipalityFactory(name=f"{MARK_OF_B}-округ", slug="beta", region=f"{MARK_OF_B}-край")
    build_world(beta)
    after = all_pks(scoped_models)
    rows_of_b = {model: after[model] - before[model] for model in scoped_models}
    missing = sorted(model._meta.label for model, pks in rows_of_b.items() if not pks)
    assert not missing, f"build_world makes no row of {missing}: add one, so their scoping is tested"
    rows_of_a = {model: before[model] for model in scoped_models}
    return {"coordinator": coordinator, "b": rows_of_b, "a": rows_of_a, "alpha": alpha}


def test_every_model_declares_how_it_reaches_its_municipality():
    undeclared, unscoped, broken = [], [], []
    for model in portal_models():
        if not hasattr(model, "municipality_path"):
            undeclared.append(model._meta.label)
            continue
        paths = scoping.municipality_paths(model)
        if paths is None:
            if reaches_municipality(model):
                unscoped.append(model._meta.label)
            continue
        for path in paths:
            target = model
            if path != "pk":
                for part in path.split("__"):
                    target = target._meta.get_field(part).related_model
            if target is not Municipality:
                broken.append(f"{model._meta.label}.{path}")
    assert not undeclared, f"declare municipality_path (or None for shared rows) on {undeclared}"
    assert not unscoped, f"{unscoped} reach a municipality but declare None"
    assert not broken, f"these paths do not end on Municipality: {broken}"


def scoped_registered_admins():
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if scoping.is_scoped(model)
    ]


def leaked_choices(form, rows_of_b) -> list[str]:
    """Names of the form's model-choice fields offering a row of B."""
    leaks = []
    for name, field in form.fields.items():
        queryset = getattr(field, "queryset", None)
        if queryset is None or not scoping.is_scoped(queryset.model):
            continue
        if set(queryset.values_list("pk", flat=True)) & rows_of_b[queryset.model]:
            leaks.append(name)
    return leaks


def test_a_coordinator_sees_no_row_of_another_municipality_in_any_admin(worlds, client):
    coordinator, rows_of_b, rows_of_a = worlds["coordinator"], worlds["b"], worlds["a"]
    client.force_login(coordinator)
    request = RequestFactory().get("/admin/")
    request.user = coordinator
    failures, opened = [], 0
    for model, model_admin in scoped_registered_admins():
        label = model._meta.label
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = client.get(url)
        if not model_admin.has_view_permission(request):
            if response.status_code != 403:
                failures.append(f"{label}: changelist answers {response.status_code} without view right")
            continue
        opened += 1
        assert response.status_code == 200, (label, response.status_code)
        seen = set(model_admin.get_queryset(request).values_list("pk", flat=True))
        if seen & rows_of_b[model]:
            failures.append(f"{label}: get_queryset shows rows of B")
        if not seen & rows_of_a[model]:
            failures.append(f"{label}: get_queryset shows none of A's own rows")
        cl = response.context["cl"]
        if {obj.pk for obj in cl.result_list} & rows_of_b[model]:
            failures.append(f"{label}: the changelist page lists rows of B")
        for spec in cl.filter_specs:
            related = spec.field.related_model if isinstance(spec, admin.RelatedFieldListFilter) else None
            if related is not None and scoping.is_scoped(related):
                offered = {pk for pk, _ in spec.lookup_choices}
                if offered & rows_of_b[related]:
                    failures.append(f"{label}: filter «{spec.title}» offers rows of B")
            for choice in spec.choices(cl):
                if MARK_OF_B in str(choice["display"]):
                    failures.append(f"{label}: filter «{spec.title}» offers «{choice['display']}»")
        obj = model_admin.get_queryset(request).first()
        for instance in (None, obj):
            change = instance is not None
            form = model_admin.get_form(request, instance, change=change)(instance=instance)
            failures += [
                f"{label}: form field «{n}» offers rows of B" for n in leaked_choices(form, rows_of_b)
            ]
            for inline in model_admin.get_inline_instances(request, instance):
                inline_form = inline.get_formset(request, instance).form()
                failures += [
                    f"{label}: inline {type(inline).__name__} field «{n}» offers rows of B"
                    for n in leaked_choices(inline_form, rows_of_b)
                ]
    assert opened > 30  # the coordinator opens the admins of nearly every app
    assert not failures, "\n".join(failures)


def api_list_endpoints():
    for module in app_modules("api.urls"):
        for _prefix, viewset, basename in module.router.registry:
            yield basename, viewset


def listed(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    body = response.json()
    return body["results"] if isinstance(body, dict) and "results" in body else body


def test_a_coordinator_reads_no_unpublished_row_of_another_municipality_in_any_api_list(worlds, client):
    coordinator, rows_of_b, rows_of_a = worlds["coordinator"], worlds["b"], worlds["a"]
    failures, staff_only_rows_of_a = [], 0
    for basename, viewset in api_list_endpoints():
        url = reverse(f"{basename}-list")
        client.logout()
        public = listed(client, url)
        client.force_login(coordinator)
        staff = listed(client, url)
        model = getattr(getattr(getattr(viewset, "serializer_class", None), "Meta", None), "model", None)
        if model is None or not scoping.is_scoped(model):
            if staff != public:
                failures.append(f"{url}: staff read more than the public from an unscoped list")
            continue
        extra = {row["id"] for row in staff} - {row["id"] for row in public}
        if extra & rows_of_b[model]:
            failures.append(f"{url}: unpublished rows of B {sorted(extra & rows_of_b[model])}")
        staff_only_rows_of_a += len(extra & rows_of_a[model])
    assert staff_only_rows_of_a  # the staff part works: A's draft roadmap, measures, entries, reports
    assert not failures, "\n".join(failures)


def test_form_choices_follow_a_moderator_to_his_own_discussions(worlds, client):
    """The moderation admin's choices use the moderator's scope, not the coordinator's (none for him)."""
    moderator = StaffRoleFactory(
        user=UserFactory(), role=StaffRole.Role.MODERATOR, municipality=worlds["alpha"]
    ).user
    request = RequestFactory().get("/admin/")
    request.user = moderator
    from surveys.models import Comment, Discussion

    comment_admin = admin.site._registry[Comment]
    discussions = comment_admin.get_form(request)().fields["discussion"].queryset
    assert set(discussions.values_list("pk", flat=True)) == worlds["a"][Discussion]


def test_a_regional_supervisor_sees_and_filters_by_his_region_only(worlds, client):
    supervisor = StaffRoleFactory(
        user=UserFactory(), role=StaffRole.Role.SUPERVISOR, municipality=None, region="Альфа-край"
    ).user
    client.force_login(supervisor)
    cl = client.get(reverse("admin:roadmaps_roadmap_changelist")).context["cl"]
    assert [roadmap.municipality for roadmap in cl.result_list] == [worlds["alpha"]]
    offered = [str(choice["display"]) for spec in cl.filter_specs for choice in spec.choices(cl)]
    assert "Альфа-край" in offered
    assert not [choice for choice in offered if MARK_OF_B in choice]


def test_common_ready_list_entries_are_every_municipalitys_but_only_a_superuser_changes_them(worlds):
    """Channels without a municipality (§3.1.3) are offered to every coordinator; another's own are not."""
    from referents.models import ReferentGroup

    common = Channel.objects.create(name="Официальный сайт")
    request = RequestFactory().get("/admin/")
    request.user = worlds["coordinator"]
    offered = admin.site._registry[ReferentGroup].get_form(request)().fields["channels"].queryset
    assert common in offered
    assert not set(offered.values_list("pk", flat=True)) & worlds["b"][Channel]
    channel_admin = admin.site._registry[Channel]
    assert common in channel_admin.get_queryset(request)
    assert not channel_admin.has_change_permission(request, common)
