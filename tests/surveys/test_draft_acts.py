"""Draft-act discussions: редакции split into points, comments on a point, the final редакция beside the summary."""

import csv
import io
import re
import zipfile
from datetime import timedelta

import docx
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from surveys import services
from surveys.models import (
    Comment,
    CommentDisposition,
    Discussion,
    DiscussionSummary,
    DocumentParagraph,
    DocumentVersion,
    ModerationSettings,
)
from surveys.services.documents import paragraphs_of, read_file, split_text
from tests.factories import MunicipalityFactory, StaffRoleFactory, UserFactory
from tests.surveys.factories import COMMENT_FORM, CommentFactory, open_discussion, post_comment

pytestmark = pytest.mark.django_db

DRAFT = """Проект постановления

1. Общие положения
1.1. Настоящий Порядок определяет
правила взаимодействия с референтными группами.
1.2. Референтные группы формируются ответственными исполнителями.

2. Задачи
2.1. Задачами взаимодействия являются:
1) информирование референтных групп;
2) обсуждение проектов актов.
3. Контроль за исполнением возложить на заместителя главы района."""

SECOND = """Проект постановления

1. Общие положения
1.1. Настоящий Порядок определяет
правила взаимодействия с референтными группами.
1.2. Референтные группы формируются ответственными исполнителями ежегодно до 1 марта.

2. Задачи
2.1. Задачами взаимодействия являются:
1) информирование референтных групп;
2) обсуждение проектов актов и муниципальных программ.
2.2. Итоги взаимодействия публикуются на официальном сайте."""


def draft_discussion(municipality=None, **kwargs):
    return open_discussion(municipality, kind=Discussion.Kind.DRAFT_ACT, **kwargs)


def anchors(version):
    return list(version.paragraphs.order_by("position").values_list("anchor", flat=True))


def paragraph(version, anchor):
    return version.paragraphs.get(anchor=anchor)


def page(client, discussion, query=""):
    return client.get(reverse("surveys:discussion_detail", args=[discussion.pk]) + query)


# --- Splitting -------------------------------------------------------------------------------------------


def test_plain_text_splits_into_points_with_the_anchors_people_cite():
    result = paragraphs_of(split_text(DRAFT))
    assert [a for a, _t in result] == [
        "абз. 1",
        "п. 1",
        "п. 1.1",
        "п. 1.2",
        "п. 2",
        "п. 2.1",
        "п. 2.1, пп. 1",
        "п. 2.1, пп. 2",
        "п. 3",
    ]
    # A hard-wrapped line joins back into its point.
    assert dict(result)["п. 1.1"] == (
        "1.1. Настоящий Порядок определяет правила взаимодействия с референтными группами."
    )


def test_bullets_unnumbered_paragraphs_annex_and_repeated_numbers():
    text = (
        "Преамбула постановления.\n\n"
        "1. Утвердить Порядок.\n\n"
        "Порядок прилагается.\n"
        "Приложение 1\n"
        "1. Общие положения\n"
        "· первый инструмент;\n"
        "· второй инструмент.\n"
        "III. Каналы взаимодействия\n"
        "Статья 5. Заключительные положения\n"
        "а) первый подпункт"
    )
    assert [a for a, _t in paragraphs_of(split_text(text))] == [
        "абз. 1",
        "п. 1",
        "п. 1, абз. 2",
        "прил. 1",
        "прил. 1, п. 1",
        "прил. 1, п. 1, абз. 2",
        "прил. 1, п. 1, абз. 3",
        "прил. 1, разд. III",
        "прил. 1, ст. 5",
        "прил. 1, ст. 5, пп. а",
    ]


def test_dates_and_amounts_at_a_line_start_do_not_start_a_point():
    text = "Срок исполнения:\n28.09.2018 года и далее\n2019 году предусмотрено"
    assert [t for _a, t in paragraphs_of(split_text(text))] == [
        "Срок исполнения: 28.09.2018 года и далее 2019 году предусмотрено"
    ]


def _numbered_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("Проект постановления")
    document.add_paragraph("Общие положения", style="List Number")
    document.add_paragraph("Задачи взаимодействия", style="List Number")
    document.add_paragraph("первая задача;", style="List Bullet")
    document.add_paragraph("3.1. Номер, набранный вручную.")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Канал"
    table.rows[0].cells[1].text = "Официальный сайт"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_docx_paragraphs_automatic_numbers_bullets_and_tables():
    result = paragraphs_of(read_file("проект.docx", _numbered_docx()))
    assert result == [
        ("абз. 1", "Проект постановления"),
        ("п. 1", "1. Общие положения"),
        ("п. 2", "2. Задачи взаимодействия"),
        ("п. 2, абз. 2", "первая задача;"),
        ("п. 3.1", "3.1. Номер, набранный вручную."),
        ("п. 3.1, абз. 2", "Канал | Официальный сайт"),
    ]


def _odt(body: str) -> bytes:
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0">'
        "<office:automatic-styles>"
        '<text:list-style style:name="L1">'
        '<text:list-level-style-number text:level="1" style:num-format="1" style:num-suffix="."/>'
        '<text:list-level-style-number text:level="2" style:num-format="1" style:num-suffix="." '
        'text:display-levels="2"/>'
        "</text:list-style>"
        '<text:list-style style:name="L2"><text:list-level-style-bullet text:level="1"/></text:list-style>'
        "</office:automatic-styles>"
        f"<office:body><office:text>{body}</office:text></office:body></office:document-content>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", content)
    return out.getvalue()


def test_odt_headings_numbered_and_bulleted_lists():
    data = _odt(
        "<text:h>Проект постановления</text:h>"
        '<text:list text:style-name="L1">'
        "<text:list-item><text:p>Общие положения</text:p>"
        "<text:list><text:list-item><text:p>Порядок определяет<text:s/>правила.</text:p></text:list-item>"
        "</text:list></text:list-item>"
        "<text:list-item><text:p>Задачи</text:p></text:list-item></text:list>"
        '<text:list text:style-name="L2"><text:list-item><text:p>информирование;</text:p>'
        "</text:list-item></text:list>"
    )
    assert paragraphs_of(read_file("проект.odt", data)) == [
        ("абз. 1", "Проект постановления"),
        ("п. 1", "1. Общие положения"),
        ("п. 1.1", "1.1. Порядок определяет правила."),
        ("п. 2", "2. Задачи"),
        ("п. 2, абз. 2", "информирование;"),
    ]


def test_pdf_text_layer_is_split_like_plain_text():
    from weasyprint import HTML

    pdf = HTML(
        string="<p>1. Общие положения</p><p>1.1. Порядок определяет правила.</p><p>2. Задачи</p>"
    ).write_pdf()
    assert [a for a, _t in paragraphs_of(read_file("проект.pdf", pdf))] == ["п. 1", "п. 1.1", "п. 2"]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("проект.doc", b"\xd0\xcf\x11\xe0", "Загрузите файл DOCX, ODT или PDF"),
        ("проект.docx", b"not a zip", "Файл не читается как DOCX"),
        ("проект.odt", b"PK broken", "Файл не читается как ODT"),
    ],
)
def test_unreadable_files_are_refused_in_russian(name, data, message):
    with pytest.raises(ValidationError) as caught:
        read_file(name, data)
    assert message in str(caught.value)


# --- Publishing ------------------------------------------------------------------------------------------


def test_versions_are_numbered_per_discussion_and_keep_their_points():
    discussion = draft_discussion()
    other = draft_discussion(discussion.municipality)
    first = services.publish_document_version(discussion, DRAFT, title="проект")
    second = services.publish_document_version(discussion, SECOND, changes="уточнены пп. 1.2 и 2.1")
    elsewhere = services.publish_document_version(other, DRAFT)
    assert (first.number, second.number, elsewhere.number) == (1, 2, 1)
    assert anchors(first)[-1] == "п. 3" and anchors(second)[-1] == "п. 2.2"
    assert second.changes == "уточнены пп. 1.2 и 2.1"
    with pytest.raises(IntegrityError), transaction.atomic():
        DocumentVersion.objects.create(discussion=discussion, number=2)


def test_uploaded_docx_is_kept_and_split():
    discussion = draft_discussion()
    upload = SimpleUploadedFile("проект постановления.docx", _numbered_docx())
    version = services.publish_document_version(discussion, upload)
    assert version.file.name.endswith(".docx")
    assert anchors(version)[:3] == ["абз. 1", "п. 1", "п. 2"]


def test_final_version_only_after_the_window_once_and_last():
    discussion = draft_discussion()
    services.publish_document_version(discussion, DRAFT)
    with pytest.raises(ValidationError) as caught:
        services.publish_document_version(discussion, SECOND, is_final=True)
    assert "после завершения обсуждения" in str(caught.value)
    later = discussion.closes_at + timedelta(hours=1)
    final = services.publish_document_version(discussion, SECOND, is_final=True, published_at=later)
    assert final.is_final and final.number == 2
    with pytest.raises(ValidationError) as caught:
        services.publish_document_version(discussion, DRAFT, published_at=later)
    assert "Итоговая редакция уже опубликована" in str(caught.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        DocumentVersion.objects.create(discussion=discussion, number=3, is_final=True)


def test_refusals_save_nothing():
    report = open_discussion(kind=Discussion.Kind.REPORT)
    with pytest.raises(ValidationError) as caught:
        services.publish_document_version(report, DRAFT)
    assert "проекта правового акта" in str(caught.value)
    discussion = draft_discussion()
    with pytest.raises(ValidationError) as caught:
        services.publish_document_version(discussion, "  \n\n ")
    assert "ни одного абзаца" in str(caught.value)
    stranger = StaffRoleFactory().user  # a coordinator of another municipality
    with pytest.raises(PermissionDenied):
        services.publish_document_version(discussion, DRAFT, user=stranger)
    assert not DocumentVersion.objects.exists() and not DocumentParagraph.objects.exists()


# --- Comments on a point ---------------------------------------------------------------------------------


def test_page_links_each_point_to_the_form_with_the_point_preselected(client):
    discussion = draft_discussion()
    version = services.publish_document_version(discussion, DRAFT)
    point = paragraph(version, "п. 1.2")
    html = page(client, discussion).content.decode()
    assert f'href="?paragraph={point.pk}#comment-form"' in html
    assert "Замечание к этому пункту" in html
    chosen = page(client, discussion, f"?paragraph={point.pk}").content.decode()
    assert re.search(rf'<option value="{point.pk}" selected>п\. 1\.2 — ', chosen)
    assert "selected" not in html.split('id="id_paragraph"')[1].split("</select>")[0]


def test_comment_on_a_point_is_stored_and_listed_with_its_anchor(client):
    ModerationSettings.objects.create(
        municipality=(discussion := draft_discussion()).municipality, mode=ModerationSettings.Mode.POST
    )
    version = services.publish_document_version(discussion, DRAFT)
    point = paragraph(version, "п. 1.2")
    response = post_comment(client, discussion, paragraph=str(point.pk))
    assert response.status_code == 302
    assert Comment.objects.get().paragraph == point
    html = page(client, discussion).content.decode()
    assert "к п. 1.2" in html
    assert re.search(r"1 замечание", html)


@pytest.mark.parametrize("foreign", ["other discussion", "garbage"])
def test_a_point_of_another_discussion_is_refused_with_a_russian_message(client, foreign):
    discussion = draft_discussion()
    services.publish_document_version(discussion, DRAFT)
    other = draft_discussion(discussion.municipality)
    alien = services.publish_document_version(other, DRAFT).paragraphs.first()
    value = str(alien.pk) if foreign == "other discussion" else "п. 1"
    response = post_comment(client, discussion, paragraph=value)
    assert response.status_code == 400
    assert "Замечание можно оставить только к пункту документа этого обсуждения." in response.content.decode()
    api = client.post(
        f"/api/v1/discussions/{discussion.pk}/comments/",
        {**COMMENT_FORM, "consent": True, "paragraph": alien.pk},
        content_type="application/json",
    )
    assert api.status_code == 400
    assert api.json()["paragraph"] == ["Замечание можно оставить только к пункту документа этого обсуждения."]
    assert not Comment.objects.exists()


def test_api_comment_on_a_point_and_the_list_shows_it(client):
    discussion = draft_discussion()
    ModerationSettings.objects.create(municipality=discussion.municipality, mode=ModerationSettings.Mode.POST)
    point = paragraph(services.publish_document_version(discussion, DRAFT), "п. 2.1, пп. 2")
    created = client.post(
        f"/api/v1/discussions/{discussion.pk}/comments/",
        {**COMMENT_FORM, "consent": True, "paragraph": point.pk},
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["paragraph"] == point.pk and created.json()["paragraph_anchor"] == "п. 2.1, пп. 2"
    listed = client.get(f"/api/v1/discussions/{discussion.pk}/comments/").json()["results"]
    assert [(c["paragraph"], c["paragraph_anchor"]) for c in listed] == [(point.pk, "п. 2.1, пп. 2")]


def test_page_counts_stay_constant_in_queries(client, django_assert_max_num_queries):
    discussion = draft_discussion()
    ModerationSettings.objects.create(municipality=discussion.municipality, mode=ModerationSettings.Mode.POST)
    services.publish_document_version(discussion, DRAFT)
    version = services.publish_document_version(discussion, SECOND)
    points = list(version.paragraphs.all())
    CommentFactory(discussion=discussion, paragraph=points[0])
    page(client, discussion)
    with django_assert_max_num_queries(12) as small:
        assert page(client, discussion).status_code == 200
    for i in range(30):
        top = CommentFactory(discussion=discussion, paragraph=points[i % len(points)])
        CommentFactory(discussion=discussion, parent=top, is_official=True)
    services.publish_document_version(discussion, SECOND + "\n3. Новый пункт.")
    with django_assert_max_num_queries(len(small.captured_queries)):
        html = page(client, discussion).content.decode()
    assert "Редакция 3 от" in html and "к п. 1" in html
    first_shown = page(client, discussion, "?version=1").content.decode()
    assert "Редакция 1 от" in first_shown and "п. 3" in first_shown


def test_a_report_discussion_page_makes_no_version_queries(client, django_assert_num_queries):
    report = open_discussion(kind=Discussion.Kind.REPORT)
    page(client, report)
    with django_assert_num_queries(len(_queries(client, report))):
        page(client, report)


def _queries(client, discussion):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        page(client, discussion)
    assert not any("surveys_documentversion" in q["sql"] for q in ctx.captured_queries)
    return ctx.captured_queries


# --- The final редакция beside the summary ---------------------------------------------------------------


def closed_with_final():
    discussion = draft_discussion(opens_at=timezone.now() - timedelta(days=40))
    first = services.publish_document_version(discussion, DRAFT, published_at=discussion.opens_at)
    on_12 = CommentFactory(
        discussion=discussion, paragraph=paragraph(first, "п. 1.2"), text="Указать срок формирования групп."
    )
    on_3 = CommentFactory(
        discussion=discussion, paragraph=paragraph(first, "п. 3"), text="Контроль оставить за главой района."
    )
    general = CommentFactory(discussion=discussion, text="Документ в целом поддерживаю.")
    services.process_closed_discussion(discussion)
    summary = DiscussionSummary.objects.get(discussion=discussion)
    decisions = {
        on_12: ("accepted", ""),
        on_3: ("rejected", "Пункт исключен: контроль установлен распоряжением."),
        general: ("accepted", ""),
    }
    for comment, (decision, reason) in decisions.items():
        CommentDisposition.objects.filter(comment=comment).update(decision=decision, reason=reason)
    services.publish_summary(summary, text="Поступило 3 замечания, 2 учтены.")
    services.publish_document_version(discussion, SECOND, is_final=True, changes="Уточнен п. 1.2.")
    return discussion


def test_final_version_beside_the_summary_marks_changed_points_and_decisions(client):
    discussion = closed_with_final()
    html = page(client, discussion).content.decode()
    summary_at, final_at = html.index('id="summary-h"'), html.index('id="final-h"')
    assert summary_at < final_at
    final = html[final_at:]
    assert "Итоговая редакция" in final and "Уточнен п. 1.2." in final
    changes = final.split('class="changed-list"')[1].split("</div>")[0]
    changed = re.findall(r'<a href="#p-\d+">([^<]+)</a>', changes.split("изменены:")[1].split("</li>")[0])
    assert changed == ["п. 1.2", "п. 2.1, пп. 2"]
    assert "добавлены:" in changes and "п. 2.2" in changes
    assert "исключены из первой редакции:" in changes and "п. 3" in changes
    # The comment on п. 1.2 sits under п. 1.2 of the final text with its decision.
    point_12 = final.split("ежегодно до 1 марта.")[1].split("</li>\n")[0]
    assert "Было в первой редакции" in point_12 and "ответственными исполнителями.</div>" in point_12
    assert "Указать срок формирования групп." in point_12 and "учтено" in point_12
    removed = final.split("Замечания к исключенным пунктам")[1]
    assert "к п. 3 ред. 1" in removed and "Пункт исключен: контроль установлен распоряжением." in removed
    # The whole-document comment stays in the summary table, marked as such.
    assert "документ в целом" in html[summary_at:final_at]


def test_final_version_page_in_constant_queries(client, django_assert_max_num_queries):
    discussion = closed_with_final()
    page(client, discussion)
    with django_assert_max_num_queries(14) as small:
        page(client, discussion)
    version = discussion.versions.get(number=1)
    for i in range(20):
        CommentFactory(discussion=discussion, paragraph=version.paragraphs.all()[i % 5])
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert page(client, discussion).status_code == 200


# --- API -------------------------------------------------------------------------------------------------


def test_api_versions_paragraph_by_paragraph_in_constant_queries(client, django_assert_max_num_queries):
    discussion = closed_with_final()
    url = f"/api/v1/discussions/{discussion.pk}/versions/"
    detail = client.get(f"/api/v1/discussions/{discussion.pk}/").json()
    assert detail["versions_url"] == url
    with django_assert_max_num_queries(5):  # the discussion, its versions, all their points (+ a savepoint)
        data = client.get(url).json()
    assert [(v["number"], v["is_final"]) for v in data] == [(1, False), (2, True)]
    first = {p["anchor"]: p for p in data[0]["paragraphs"]}
    assert first["п. 1.2"]["comment_count"] == 1 and first["п. 1.2"]["change"] is None
    final = {p["anchor"]: p["change"] for p in data[1]["paragraphs"]}
    assert final["п. 1.2"] == "changed" and final["п. 2.2"] == "new" and final["п. 1.1"] == "same"
    services.publish_document_version(
        draft_discussion(discussion.municipality), DRAFT
    )  # another discussion's points are not listed
    with django_assert_max_num_queries(5):
        assert len(client.get(url).json()[1]["paragraphs"]) == len(data[1]["paragraphs"])
    report = open_discussion(kind=Discussion.Kind.REPORT)
    assert client.get(f"/api/v1/discussions/{report.pk}/").json()["versions_url"] is None


# --- Admin -----------------------------------------------------------------------------------------------


def test_coordinator_publishes_a_new_version_in_the_admin(client):
    discussion = draft_discussion()
    coordinator = StaffRoleFactory(municipality=discussion.municipality).user
    client.force_login(coordinator)
    change = client.get(reverse("admin:surveys_discussion_change", args=[discussion.pk])).content.decode()
    url = reverse("admin:surveys_discussion_new_version", args=[discussion.pk])
    assert url in change and "Новая редакция" in change
    response = client.post(url, {"title": "проект", "text": DRAFT, "changes": ""})
    assert response.status_code == 302
    version = discussion.versions.get()
    assert version.published_by == coordinator and anchors(version)[1] == "п. 1"
    refused = client.post(url, {"text": SECOND, "is_final": "on"})
    assert refused.status_code == 200
    assert "Итоговая редакция публикуется после завершения обсуждения." in refused.content.decode()
    upload = client.post(url, {"file": SimpleUploadedFile("проект.txt", b"1. text")})
    assert "Загрузите файл DOCX, ODT или PDF" in upload.content.decode()
    assert discussion.versions.count() == 1


def test_only_the_municipality_coordinator_may_publish_versions(client):
    discussion = draft_discussion()
    url = reverse("admin:surveys_discussion_new_version", args=[discussion.pk])
    executor = StaffRoleFactory(municipality=discussion.municipality, role="executor").user
    supervisor = StaffRoleFactory(municipality=None, role="supervisor").user
    other = StaffRoleFactory(municipality=MunicipalityFactory()).user
    for user, expected in ((executor, 403), (supervisor, 403), (other, 404)):
        client.force_login(user)
        assert client.post(url, {"text": DRAFT}).status_code == expected
    client.force_login(UserFactory())  # no staff role at all: sees no discussion
    assert client.post(url, {"text": DRAFT}).status_code == 404
    assert not DocumentVersion.objects.exists()


# --- Demo ------------------------------------------------------------------------------------------------


def test_demo_draft_act_has_two_versions_and_loads_once(client):
    from surveys.demo import draft_act

    municipality = MunicipalityFactory(slug="nefteyugansky")
    assert draft_act.load(municipality) == 2
    assert draft_act.load(municipality) == 0
    closed = Discussion.objects.get(title=draft_act.CLOSED_TITLE)
    assert list(closed.versions.values_list("number", "is_final")) == [(1, False), (2, True)]
    html = page(client, closed).content.decode()
    assert "Итоговая редакция" in html and "аккаунты в социальных сетях" in html
    opened = Discussion.objects.get(title=draft_act.OPEN_TITLE)
    assert "Замечание к этому пункту" in page(client, opened).content.decode()


def test_comment_export_names_the_point_of_each_comment():
    from surveys import exports

    discussion = closed_with_final()
    rows = list(csv.reader(io.StringIO(exports.discussion_comments_csv(discussion).decode("utf-8-sig"))))
    assert rows[0][-1] == "Пункт документа"
    assert [r[-1] for r in rows[1:]] == ["п. 1.2 (ред. 1)", "п. 3 (ред. 1)", ""]


def test_a_point_costs_the_comment_post_one_query_and_none_without(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    discussion = draft_discussion()
    point = paragraph(services.publish_document_version(discussion, DRAFT), "п. 1.1")
    report = open_discussion(discussion.municipality, title="Отчет без редакций")
    post_comment(client, report, text="Прогрев кэша обсуждения.")
    post_comment(client, discussion, text="Прогрев кэша проекта.")
    counts = []
    for target, extra in ((report, {}), (discussion, {}), (discussion, {"paragraph": str(point.pk)})):
        with CaptureQueriesContext(connection) as ctx:
            assert post_comment(client, target, text=f"Замечание {len(counts)}.", **extra).status_code == 302
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] and counts[2] == counts[1] + 1
