"""Documents the portal has never seen: generated here with python-docx/openpyxl, imported without code changes."""

import io

import docx
import openpyxl
import pytest

from importing.errors import RoadmapImportError
from importing.services import ImportOptions, import_roadmap_file, parse_roadmap_file
from municipalities.models import Department, Official
from roadmaps.models import LegalAct, Measure, MeasureExecutor, Roadmap, Section
from tests.factories import DepartmentFactory, MunicipalityFactory


def make_docx(tables, paragraphs=("План мероприятий по повышению открытости на 2020–2022 годы",)) -> bytes:
    """tables: list of row lists; a row given as a str is a section row merged across the table."""
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    for rows in tables:
        width = max(len(r) for r in rows if not isinstance(r, str))
        table = document.add_table(rows=0, cols=width)
        for row in rows:
            cells = table.add_row().cells
            if isinstance(row, str):
                cells[0].merge(cells[-1]).text = row
                continue
            for cell, text in zip(cells, row, strict=False):
                lines = str(text).split("\n")
                cell.text = lines[0]
                for line in lines[1:]:
                    cell.add_paragraph(line)
        document.add_paragraph("")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def make_xlsx(rows, title="План мероприятий («дорожная карта»)", merge_sections=True) -> bytes:
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.append([title])
    width = max(len(r) for r in rows if not isinstance(r, str))
    for row in rows:
        if isinstance(row, str):
            ws.append([row] + [None] * (width - 1))
            if merge_sections:
                ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=width)
        else:
            ws.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def parse(data, name, **kwargs):
    return parse_roadmap_file(data, name, **kwargs)


def test_other_column_names_and_order_and_extra_columns():
    rows = [
        [
            "Срок исполнения",
            "Механизм (инструмент)",
            "Отметка об исполнении",
            "Ответственный исполнитель",
            "№ п/п",
            "Ожидаемый результат",
            "Стадия",
        ],
        ["1", "2", "3", "4", "5", "6", "7"],
        "I. Информационная открытость",
        [
            "до 20 декабря 2021года",
            "Публикация отчетов главы",
            "исполнено частично",
            "пресс-служба",
            "1.",
            "отчет",
            "реализация",
        ],
        [
            "25.03.2020",
            "Обновление раздела сайта",
            "",
            "отдел информатизации; управление делами",
            "2.",
            "",
            "",
        ],
        "III. Механизм: общественный контроль",
        ["II квартал", "Заседание общественного совета", "", "общественный совет", "3.", "", ""],
        ["исполнено", "Утверждение положения", "", "юридический отдел", "4", "", ""],
        ["", "Мониторинг обращений", "", "отдел по работе с обращениями", "5", "", ""],
    ]
    result = parse(make_docx([rows]), "plan.docx")
    assert (result.first_year, result.last_year) == (2020, 2022)
    assert [(s.number, s.title) for s in result.sections] == [
        ("I", "Информационная открытость"),
        ("III", "Механизм: общественный контроль"),
    ]
    assert [m.number for m in result.measures] == ["1", "2", "3", "4", "5"]
    assert [m.title for m in result.measures][:2] == ["Публикация отчетов главы", "Обновление раздела сайта"]
    kinds = [m.deadline_kind for m in result.measures]
    assert kinds == ["fixed", "fixed", "fixed", "done", "unknown"]
    assert result.measures[0].deadlines[0]["due_date"] == "2021-12-20"
    assert result.measures[1].deadlines[0]["due_date"] == "2020-03-25"
    assert result.measures[2].deadlines[0]["due_date"] == "2020-06-30"  # «II квартал» of the first year
    assert result.measures[1].executors == ["отдел информатизации", "управление делами"]
    assert result.measures[0].expected_result == "отчет"
    assert result.measures[0].extra == {"Отметка об исполнении": "исполнено частично", "Стадия": "реализация"}
    assert result.extra_columns == ["Отметка об исполнении", "Стадия"]
    # The empty deadline is flagged, not dropped.
    assert [f.column for f in result.measures[4].flags] == ["deadline"]


def test_unnumbered_measures_and_executor_separators_in_xlsx():
    rows = [
        ["Мероприятия", "Срок реализации", "Ответственные исполнители", "Показатели"],
        ["Проведение опроса", "ежегодно", "отдел экономики, отдел культуры", ""],
        ["Размещение открытых данных", "ежеквартально", "управление делами\nотдел информатизации", ""],
        ["Ведение реестра", "постоянно", "Иванов И.И.", ""],
    ]
    result = parse(make_xlsx(rows), "plan.xlsx", options=ImportOptions(first_year=2021, last_year=2023))
    assert [m.number for m in result.measures] == ["", "", ""]
    assert [m.executors for m in result.measures] == [
        ["отдел экономики", "отдел культуры"],
        ["управление делами", "отдел информатизации"],
        ["Иванов И.И."],
    ]
    assert [m.deadline_kind for m in result.measures] == ["periodic", "periodic", "continuous"]
    assert len(result.measures[1].deadlines) == 12  # four quarters over three years
    assert len(result.sections) == 1  # everything in the one default section


def test_per_year_kpi_lines_follow_per_year_deadlines():
    rows = [
        ["№ п\\п", "Наименование мероприятия", "Срок исполнения", "Ответственный исполнитель", "Показатели"],
        [
            "1.1",
            "Реализация проектов инициативного бюджетирования",
            "до 31 декабря 2020 года;\nдо 31 декабря 2021 года;\nдо 31 декабря 2022 года",
            "комитет по финансам",
            "реализовано не менее 1 проекта;\nреализовано не менее 3 проектов;\nреализовано не менее 7 проектов",
        ],
        [
            "1.2",
            "Обучение служащих",
            "ежегодно",
            "отдел кадров",
            "не менее 10 муниципальных служащих, прошедших обучение",
        ],
        [
            "1.3",
            "Отчет",
            "ежегодно",
            "отдел кадров",
            "Доля ответов в срок:\n2020: 80 %\n2021: 90 %\n2022: 100 %",
        ],
    ]
    result = parse(make_xlsx(rows), "kpi.xlsx")
    (projects,) = result.measures[0].kpis
    assert {y: int(v) for y, v in projects.targets.items()} == {2020: 1, 2021: 3, 2022: 7}
    assert projects.unit == "проектов" and projects.comparator == "gte"
    (trained,) = result.measures[1].kpis
    assert set(trained.targets) == {2020, 2021, 2022} and set(trained.targets.values()) == {10}
    assert trained.unit == "муниципальных служащих"
    (share,) = result.measures[2].kpis
    assert share.name == "Доля ответов в срок" and share.unit == "%"
    assert {y: int(v) for y, v in share.targets.items()} == {2020: 80, 2021: 90, 2022: 100}


def test_two_tables_the_plan_like_one_is_taken_and_the_user_may_pick():
    contacts = [["ФИО", "Телефон"], ["Иванов", "00-00-01"]]
    plan = [
        ["№ п/п", "Наименование мероприятия", "Срок", "Ответственный"],
        ["1", "Мероприятие плана", "в течение года", "отдел"],
    ]
    data = make_docx([contacts, plan])
    result = parse(data, "two.docx")
    assert result.table_index == 1 and result.measures[0].title == "Мероприятие плана"
    with pytest.raises(RoadmapImportError, match="не похожа на план"):
        parse(data, "two.docx", options=ImportOptions(table_index=0))


def test_section_typed_in_number_column_and_measure_continued_on_next_row():
    rows = [
        ["№", "Содержание мероприятия", "Сроки", "Исполнители"],
        ["1", "Открытые данные", "", ""],
        ["1.1", "Публикация наборов", "ежеквартально", "отдел ИТ"],
        ["", "", "", "пресс-служба"],
        ["2. Работа со СМИ", "", "", ""],
        ["2.1", "Пресс-конференции", "по мере необходимости", "пресс-служба"],
    ]
    result = parse(
        make_xlsx(rows, merge_sections=False),
        "s.xlsx",
        options=ImportOptions(first_year=2022, last_year=2022),
    )
    assert [(s.number, s.title) for s in result.sections] == [
        ("1", "Открытые данные"),
        ("2", "Работа со СМИ"),
    ]
    assert [m.number for m in result.measures] == ["1.1", "2.1"]
    assert result.measures[0].executors == ["отдел ИТ", "пресс-служба"]


@pytest.mark.django_db
def test_executors_matched_through_abbreviation_or_created_or_kept_as_text():
    municipality = MunicipalityFactory()
    housing = DepartmentFactory(municipality=municipality, name="отдел жилищно-коммунального хозяйства")
    rows = [
        ["№ п/п", "Наименование мероприятия", "Срок исполнения", "Ответственный исполнитель"],
        ["1", "Первое", "ежегодно", "Отдел ЖКХ; управление культуры (далее – управление); Петров П.П."],
        ["2", "Второе", "ежегодно", "управление; руководители органов администрации"],
    ]
    data = make_xlsx(rows)
    roadmap, result = import_roadmap_file(
        data, "e.xlsx", municipality, ImportOptions(first_year=2024, last_year=2024)
    )
    first = list(
        MeasureExecutor.objects.filter(measure__roadmap=roadmap, measure__number="1").order_by("order")
    )
    assert first[0].department == housing and first[0].text == "Отдел ЖКХ"
    assert first[1].department is None and first[1].text == "управление культуры"  # kept as text
    assert not Department.objects.filter(name="управление культуры").exists()

    roadmap2, _ = import_roadmap_file(
        data, "e.xlsx", municipality, ImportOptions(first_year=2024, last_year=2024, create_executors=True)
    )
    created = Department.objects.get(municipality=municipality, name="управление культуры")
    assert "управление" in created.aliases
    executors = MeasureExecutor.objects.filter(measure__roadmap=roadmap2)
    # «управление» in row 2 is the short name row 1 defined: the same department, created once.
    assert executors.filter(department=created).count() == 2
    assert Official.objects.filter(municipality=municipality, name="Петров П.П.").count() == 1
    collective = executors.get(text="руководители органов администрации")
    assert collective.department is None and collective.official is None


@pytest.mark.django_db
def test_act_and_years_from_options_are_saved():
    municipality = MunicipalityFactory()
    rows = [
        ["№ п/п", "Наименование мероприятия", "Срок исполнения", "Ответственный исполнитель"],
        ["1", "Размещение сведений", "исполнено", "отдел"],
    ]
    from datetime import date

    roadmap, _ = import_roadmap_file(
        make_docx([rows]),
        "a.docx",
        municipality,
        ImportOptions(title="Моя карта", act_number="12-р", act_date=date(2020, 2, 3), act_kind="order"),
    )
    assert roadmap.title == "Моя карта" and (roadmap.first_year, roadmap.last_year) == (2020, 2022)
    assert LegalAct.objects.get(number="12-р").date == date(2020, 2, 3)
    deadline = Measure.objects.get(roadmap=roadmap).deadlines.get()
    assert deadline.completed_on == date(2020, 2, 3)  # «исполнено» when the act approved it


# --- all or nothing -------------------------------------------------------------------------------------


def _counts():
    return (
        Roadmap.objects.count(),
        Section.objects.count(),
        Measure.objects.count(),
        Department.objects.count(),
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data, name, message",
    [
        (b"PK\x03\x04 this is not really a zip", "broken.docx", "не документ Word"),
        (b"\x00\x01garbage", "broken.xlsx", "не книга Excel"),
        (make_docx([], paragraphs=["Просто текст, таблицы нет"]), "notable.docx", "нет ни одной таблицы"),
        (
            make_xlsx(
                [["№ п/п", "Срок исполнения", "Ответственный исполнитель"], ["1", "ежегодно", "отдел"]]
            ),
            "notitle.xlsx",
            "не найден столбец с наименованием мероприятий",
        ),
        (make_xlsx([["ФИО", "Телефон"], ["Иванов", "1"]]), "other.xlsx", "не найдена таблица плана"),
        (b"{}", "plan.pdf", r"\(DOCX\) или книгу Excel"),
    ],
)
def test_bad_files_give_a_clear_error_and_change_nothing(data, name, message):
    municipality = MunicipalityFactory()
    before = _counts()
    with pytest.raises(RoadmapImportError, match=message):
        import_roadmap_file(data, name, municipality, ImportOptions(create_executors=True))
    assert _counts() == before


@pytest.mark.django_db
def test_error_in_a_row_names_row_and_column_and_saves_nothing():
    municipality = MunicipalityFactory()
    rows = [
        ["№ п/п", "Наименование мероприятия", "Срок исполнения", "Ответственный исполнитель"],
        ["1", "Хорошее мероприятие", "ежегодно", "новый отдел"],
        ["2", "", "ежегодно", "другой отдел"],
    ]
    before = _counts()
    with pytest.raises(RoadmapImportError) as caught:
        import_roadmap_file(make_xlsx(rows), "row.xlsx", municipality, ImportOptions(create_executors=True))
    (message,) = caught.value.messages
    assert message.startswith("Лист «Sheet», строка 4, столбец B «Наименование мероприятия»")
    assert "нет наименования мероприятия" in message
    assert _counts() == before


@pytest.mark.parametrize(
    ("line", "years"),
    [
        ("Период реализации плана: 2021–2025 годы", (2021, 2025)),
        ("Срок реализации – 2019-2024 гг.", (2019, 2024)),
        ("Срок реализации Концепции – до 2030 года", (2020, 2022)),  # not the plan's span: the title's
    ],
)
def test_a_stated_period_above_the_table_gives_the_years(line, years):
    rows = [
        ["№ п/п", "Наименование мероприятия", "Срок исполнения", "Ответственный исполнитель"],
        ["1", "Мониторинг открытых данных", "ежегодно, до 01 марта", "отдел ИТ"],
    ]
    paragraphs = ("План мероприятий по повышению открытости на 2020–2022 годы", line)
    result = parse(make_docx([rows], paragraphs=paragraphs), "plan.docx")
    assert (result.first_year, result.last_year) == years
    assert result.title == "План мероприятий по повышению открытости на 2020–2022 годы"
    assert len(result.measures[0].deadlines) == years[1] - years[0] + 1
