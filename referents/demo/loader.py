"""Demo data for referents from the seeds. Idempotent: every row is looked up by its natural key first.

ALL PERSONAL NAMES BELOW ARE INVENTED for the demo (the seeds name no experts, participants or council
members); e-mails are @example.ru and phones are +7 (900) 000-…: none of them belongs to anyone.
"""

from datetime import date

from django.db import transaction

from municipalities.models import Department, Municipality, Official
from roadmaps.models import Kpi, LegalAct, Measure

from .. import services
from ..models import (
    AgendaItem,
    Channel,
    Council,
    CouncilMember,
    CouncilWorkPlan,
    ExpertField,
    GroupMembership,
    Interaction,
    Meeting,
    Participant,
    Principle,
    ReferentGroup,
    Tool,
)
from ..reference import CHANNELS, TOOLS, ensure_reference_lists

EXPERT_FIELDS = [
    "экономика и финансы",
    "образование",
    "здравоохранение",
    "жилищно-коммунальное хозяйство и благоустройство",
    "строительство и архитектура",
    "информационные технологии",
    "культура",
    "социальная защита",
    "экология и природопользование",
    "малое и среднее предпринимательство",
    "сельское хозяйство",
    "молодежная политика",
    "средства массовой информации",
    "право",
]

# Seed 000, measures 1–2: heads of the administration's organs put candidates forward by 1 April 2019, the
# press secretary forms the base by 1 May 2019. (name, organisation, fields, proposing department)
KHMR_EXPERTS = [
    ("Аксенова Марина Викторовна", "преподаватель экономики, колледж", [0], "комитет экономической политики"),
    ("Белоусов Андрей Петрович", "индивидуальный предприниматель", [9, 0], "комитет экономической политики"),
    ("Валиева Гульнара Ринатовна", "директор сельской школы", [1], "администрация Ханты-Мансийского района"),
    ("Гончаров Илья Сергеевич", "врач общей практики", [2], "администрация Ханты-Мансийского района"),
    (
        "Демченко Оксана Юрьевна",
        "председатель совета многоквартирного дома",
        [3],
        "департамент строительства, архитектуры и ЖКХ",
    ),
    (
        "Ермаков Виктор Алексеевич",
        "инженер-проектировщик",
        [4],
        "департамент строительства, архитектуры и ЖКХ",
    ),
    ("Жукова Алена Игоревна", "программист, ИТ-компания", [5], "управление по информационным технологиям"),
    (
        "Зайцев Роман Олегович",
        "системный администратор сельского поселения",
        [5],
        "управление по информационным технологиям",
    ),
    (
        "Ильина Татьяна Николаевна",
        "руководитель сельского дома культуры",
        [6],
        "администрация Ханты-Мансийского района",
    ),
    (
        "Карпов Дмитрий Валерьевич",
        "ветеран социальной службы",
        [7],
        "отдел кадровой работы и муниципальной службы администрации района",
    ),
    (
        "Лаптева Светлана Андреевна",
        "эколог, общественная организация",
        [8],
        "департамент строительства, архитектуры и ЖКХ",
    ),
    (
        "Мухаметов Айдар Фаритович",
        "глава крестьянского (фермерского) хозяйства",
        [10, 9],
        "комитет экономической политики",
    ),
    (
        "Никитина Дарья Павловна",
        "руководитель молодежного объединения",
        [11],
        "администрация Ханты-Мансийского района",
    ),
    (
        "Орлов Константин Евгеньевич",
        "журналист районной газеты",
        [12],
        "администрация Ханты-Мансийского района",
    ),
    (
        "Полякова Ирина Владимировна",
        "юрист, член адвокатской палаты",
        [13],
        "отдел кадровой работы и муниципальной службы администрации района",
    ),
]

LEVOKUMSKY_COUNCIL = "Общественный совет Левокумского муниципального округа Ставропольского края"
# Seed 002, item 9: «В состав … включены 27 человек». Invented names; roles and the organisations they
# represent are plausible, not facts. (full name, role, represents)
LEVOKUMSKY_MEMBERS = [
    (
        "Арсеньев Николай Иванович",
        "chair",
        "совет ветеранов войны, труда, Вооруженных Сил и правоохранительных органов",
    ),
    ("Богданова Елена Сергеевна", "deputy", "местное отделение Российского Красного Креста"),
    ("Воронцова Ольга Петровна", "secretary", "общественная организация «Союз женщин»"),
    ("Гаврилов Сергей Александрович", "member", "казачье общество"),
    ("Дорохова Наталья Викторовна", "member", "педагогическое сообщество"),
    ("Евдокимов Павел Андреевич", "member", "предпринимательское сообщество"),
    ("Жданова Людмила Николаевна", "member", "общество инвалидов"),
    ("Зуев Алексей Михайлович", "member", "молодежный совет"),
    ("Исаева Марина Геннадьевна", "member", "медицинское сообщество"),
    ("Казаков Виталий Юрьевич", "member", "спортивная федерация"),
    ("Лебедева Анна Владимировна", "member", "родительская общественность"),
    ("Мартынов Игорь Олегович", "member", "сельскохозяйственные товаропроизводители"),
    ("Некрасова Галина Ивановна", "member", "библиотечное сообщество"),
    ("Осипов Владимир Петрович", "member", "ветераны боевых действий"),
    ("Панова Ирина Алексеевна", "member", "работники культуры"),
    ("Рябов Евгений Сергеевич", "member", "добровольная пожарная дружина"),
    ("Савельева Татьяна Михайловна", "member", "территориальное общественное самоуправление"),
    ("Тихонов Андрей Викторович", "member", "общественный совет по защите прав потребителей"),
    ("Уварова Светлана Юрьевна", "member", "социальные работники"),
    ("Федоров Максим Александрович", "member", "волонтерское движение"),
    ("Харитонова Вера Николаевна", "member", "общество многодетных семей"),
    ("Цветков Роман Игоревич", "member", "местное отделение общественной организации «Боевое братство»"),
    ("Чернова Елизавета Андреевна", "member", "студенческое сообщество"),
    ("Шаповалов Юрий Николаевич", "member", "религиозные организации"),
    ("Щербакова Оксана Викторовна", "member", "профсоюзная организация работников образования"),
    ("Юдин Константин Петрович", "member", "жители сельских территорий"),
    ("Яковлева Марина Сергеевна", "member", "средства массовой информации"),
]
# Seed 002: «За I полугодие 2022 года проведено 2 заседания … рассмотрены вопросы, касающиеся безопасности
# людей на водных объектах, предоставления государственных и муниципальных услуг, социального обслуживания
# населения, отлова и содержания безнадзорных животных, благоустройства территории округа». The dates and
# the split between the two meetings are invented.
LEVOKUMSKY_MEETINGS = [
    (
        date(2022, 3, 24),
        "1",
        [
            "О предоставлении государственных и муниципальных услуг на территории округа",
            "О социальном обслуживании населения",
            "Об отлове и содержании безнадзорных животных",
        ],
    ),
    (
        date(2022, 6, 16),
        "2",
        [
            "Об обеспечении безопасности людей на водных объектах",
            "О благоустройстве территории округа",
        ],
    ),
]
# Seed 002 also reports (H1 2022) two «прямые линии» with the head and informing about housing and utilities
# through the newspaper «Левокумье»; dates invented within the half-year.
LEVOKUMSKY_INTERACTIONS = [
    (
        date(2022, 2, 17),
        "feedback",
        TOOLS[7],
        CHANNELS[0],
        "«Прямая линия» с главой Левокумского муниципального округа",
        "Вопросы ремонта дорог, коммунального хозяйства, транспорта.",
    ),
    (
        date(2022, 5, 19),
        "feedback",
        TOOLS[7],
        CHANNELS[0],
        "«Прямая линия» с главой Левокумского муниципального округа",
        "За две «прямые линии» полугодия поступило 15 звонков граждан.",
    ),
    (
        date(2022, 4, 7),
        "informing",
        TOOLS[8],
        CHANNELS[0],
        "Информирование о мерах в сфере жилищно-коммунального хозяйства в газете «Левокумье»",
        "Материалы размещены в газете и на официальном сайте.",
    ),
    (
        date(2022, 3, 24),
        "discussion",
        "",
        CHANNELS[1],
        "Заседание Общественного совета Левокумского муниципального округа",
        "Рассмотрено 3 вопроса.",
    ),
    (
        date(2022, 6, 16),
        "discussion",
        "",
        CHANNELS[1],
        "Заседание Общественного совета Левокумского муниципального округа",
        "Рассмотрено 2 вопроса.",
    ),
]

KRASNOGVARDEISKY_COUNCIL = "Общественный совет Красногвардейского муниципального округа Ставропольского края"
# Seed 004: «За 2 полугодие 2021 года проведено 9 заседаний общественного совета, где рассмотрено 10 вопросов —
# это общественное обсуждение проектов нормативных правовых актов администрации по различным направлениям
# деятельности образование, культура, спорт, ЖКХ, социальная поддержка». Dates and the split are invented.
KRASNOGVARDEISKY_MEETINGS = [
    (date(2021, 7, 15), ["образования"]),
    (date(2021, 8, 12), ["культуры"]),
    (date(2021, 8, 26), ["физической культуры и спорта"]),
    (date(2021, 9, 16), ["жилищно-коммунального хозяйства"]),
    (date(2021, 10, 14), ["социальной поддержки населения", "образования"]),
    (date(2021, 10, 28), ["культуры"]),
    (date(2021, 11, 18), ["физической культуры и спорта"]),
    (date(2021, 12, 2), ["жилищно-коммунального хозяйства"]),
    (date(2021, 12, 16), ["социальной поддержки населения"]),
]

# Seed 003 (Нефтеюганский район, постановление от 28.09.2018 № 1617-па), §2.1: the procedure is for
# «общественных объединений, научного и предпринимательского сообщества»; §3.1.1 and §3.1.2 list the channels
# and tools (the common ready lists of referents.reference are this very list); §3.1.3 lets each executor
# choose among them. The seed names no participants; the split of channels and tools per group below is
# the demo's reading of §3.1.3, not the seed's. Control of the procedure: deputy head Михалев В.Г. (item 3).
NEFTEYUGANSKY_PROCEDURE = (
    "Порядок взаимодействия органов местного самоуправления Нефтеюганского района с референтными группами "
    "(постановление администрации Нефтеюганского района от 28.09.2018 № 1617-па)"
)
NEFTEYUGANSKY_GROUPS = [
    (
        "Общественные объединения",
        "Общественные объединения, некоммерческие организации и профессиональные союзы, представляющие "
        "интересы жителей района (п. 2.1 Порядка).",
        CHANNELS,
        TOOLS,
    ),
    (
        "Научное сообщество",
        "Представители научного и экспертного сообщества, участвующие в обсуждении проектов правовых актов "
        "и концепций, в оценке открытости органов местного самоуправления (пп. 2.1, 2.2 Порядка).",
        [CHANNELS[1], CHANNELS[2]],
        [TOOLS[0], TOOLS[3], TOOLS[4], TOOLS[5]],
    ),
    (
        "Предпринимательское сообщество",
        "Субъекты предпринимательской деятельности района и их объединения (п. 2.1 Порядка).",
        [CHANNELS[0], CHANNELS[1], CHANNELS[2], CHANNELS[5]],
        [TOOLS[0], TOOLS[1], TOOLS[2], TOOLS[4], TOOLS[5], TOOLS[7]],
    ),
]

ZATO_COUNCIL = "Общественный совет по вопросам образования, культуры и спорта ЗАТО Сибирский"
ZATO_MEMBERS = [
    ("Гришина Валентина Павловна", "chair", "совет ветеранов"),
    ("Кузнецов Олег Игоревич", "deputy", "родительская общественность"),
    ("Михайлова Юлия Андреевна", "secretary", "педагогическое сообщество"),
    ("Соколов Артем Витальевич", "member", "спортивная общественность"),
    ("Титова Надежда Олеговна", "member", "работники культуры"),
]


def _named(model, municipality, name):
    return model.objects.filter(municipality=municipality, name__icontains=name).first()


def _department_head(department: Department) -> Official:
    """A post-only official standing for the head of an organ (the seed names no heads)."""
    official, _ = Official.objects.get_or_create(
        municipality=department.municipality,
        name="",
        post=f"руководитель: {department.short_name or department.name}",
        defaults={"department": department},
    )
    return official


def _experts(khmr: Municipality) -> int:
    fields = [ExpertField.objects.get_or_create(name=name)[0] for name in EXPERT_FIELDS]
    press = Official.objects.filter(municipality=khmr, is_press_secretary=True).order_by("pk").first()
    created = 0
    for number, (name, organisation, field_indexes, department_name) in enumerate(KHMR_EXPERTS, start=1):
        if Participant.objects.filter(municipality=khmr, name=name).exists():
            continue
        department = Department.objects.filter(municipality=khmr, name=department_name).first()
        expert = Participant.objects.create(
            municipality=khmr,
            kind=Participant.Kind.INDIVIDUAL,
            name=name,
            organisation=organisation,
            email=f"expert{number:02d}@example.ru",
            phone=f"+7 (900) 000-01-{number:02d}",
            consent=True,
            consent_date=date(2019, 3, 20),
            is_expert=True,
            expert_status=Participant.ExpertStatus.ACCEPTED,
            proposed_by=_department_head(department) if department else None,
            proposed_on=date(2019, 3, 25),
            accepted_by=press,
            accepted_on=date(2019, 4, 26),
        )
        expert.expert_fields.set([fields[i] for i in field_indexes])
        created += 1
    return created


def _experts_kpi(khmr: Municipality) -> list:
    kpi = Kpi.objects.filter(measure__roadmap__municipality=khmr, measure__number="2").select_related(
        "measure__roadmap"
    )
    kpi = kpi.filter(name__icontains="эксперт").first() or kpi.first()
    if kpi is None:
        return []
    if kpi.auto_source != services.EXPERTS_SOURCE:
        kpi.auto_source = services.EXPERTS_SOURCE
        kpi.save(update_fields=["auto_source"])
    roadmap = kpi.measure.roadmap
    last = min(roadmap.last_year, khmr.local_today().year)
    actuals = []
    for year in range(roadmap.first_year, last + 1):
        actuals += services.refresh_expert_kpis(khmr, year)
    return actuals


def _group(municipality, name, description, *, channels, tools, departments=(), officials=()):
    group, _ = ReferentGroup.objects.get_or_create(
        municipality=municipality, name=name, defaults={"description": description}
    )
    group.principles.set(Principle.objects.all())
    group.channels.set(Channel.objects.filter(municipality__isnull=True, name__in=channels))
    group.tools.set(Tool.objects.filter(municipality__isnull=True, name__in=tools))
    group.responsible_departments.set([d for d in departments if d])
    group.responsible_officials.set([o for o in officials if o])
    return group


def _participant(municipality, group, name, *, kind, email, phone="", organisation="", consent=True, **extra):
    participant, _ = Participant.objects.get_or_create(
        municipality=municipality,
        name=name,
        defaults={
            "kind": kind,
            "organisation": organisation,
            "email": email,
            "phone": phone,
            "consent": consent,
            "consent_date": date(2018, 4, 2) if consent else None,
            **extra,
        },
    )
    GroupMembership.objects.get_or_create(
        group=group, participant=participant, defaults={"joined_on": date(2018, 4, 2)}
    )
    return participant


def _zato(zato: Municipality) -> dict:
    """Seed 001, section 6: the groups «Получатели госуслуг» (6.1, 6.2) and «Представители СМИ» (6.3)."""
    info = _named(Department, zato, "информационным ресурсам")
    economist = Official.objects.filter(municipality=zato, post__icontains="экономист").first()
    services_group = _group(
        zato,
        "Получатели госуслуг",
        "Информирование о появлении новых государственных услуг, о порядке работы на портале «Госуслуги», "
        "о межведомственном взаимодействии; опросы о качестве получения услуг через портал (мероприятия 6.1, 6.2).",
        channels=[CHANNELS[0], CHANNELS[6]],
        tools=[TOOLS[0], TOOLS[3], TOOLS[4], TOOLS[8]],
        departments=[info],
        officials=[economist],
    )
    media_group = _group(
        zato,
        "Представители СМИ",
        "Адресная рассылка информации об актуальных вопросах деятельности органов местного самоуправления, "
        "переписка по электронной почте, предоставление материалов для газеты «Сибирский вестник» и сайта "
        "(мероприятие 6.3).",
        channels=[CHANNELS[0]],
        tools=[TOOLS[0], TOOLS[4], TOOLS[5], TOOLS[8]],
        departments=[info],
    )
    _participant(
        zato,
        media_group,
        "Редакция газеты «Сибирский вестник»",
        kind=Participant.Kind.MEDIA,
        email="vestnik@example.ru",
        phone="+7 (900) 000-02-01",
    )
    _participant(
        zato,
        media_group,
        "Корреспондент краевого информагентства (демо)",
        kind=Participant.Kind.MEDIA,
        email="krai-news@example.ru",
    )
    _participant(
        zato,
        media_group,
        "Лаврова Инна Сергеевна",
        kind=Participant.Kind.INDIVIDUAL,
        organisation="внештатный автор",
        email="lavrova@example.ru",
        phone="+7 (900) 000-02-03",
    )
    for i, name in enumerate(
        ["Ефимова Алла Викторовна", "Прохоров Глеб Андреевич", "Сидорова Нина Павловна"], 1
    ):
        _participant(
            zato,
            services_group,
            name,
            kind=Participant.Kind.INDIVIDUAL,
            email=f"gosuslugi{i}@example.ru",
            phone=f"+7 (900) 000-03-0{i}",
        )
    channel = Channel.objects.get(municipality__isnull=True, name=CHANNELS[0])
    for when, group, kind, tool, topic in [
        (
            date(2018, 5, 15),
            services_group,
            "informing",
            TOOLS[0],
            "О новых государственных услугах и порядке работы на портале «Госуслуги»",
        ),
        (
            date(2018, 9, 20),
            services_group,
            "evaluation",
            TOOLS[3],
            "Опрос о качестве получения услуг через портал государственных услуг",
        ),
        (
            date(2018, 6, 1),
            media_group,
            "informing",
            TOOLS[4],
            "Материалы для газеты «Сибирский вестник» о работе органов местного самоуправления",
        ),
    ]:
        Interaction.objects.get_or_create(
            municipality=zato,
            date=when,
            topic=topic,
            defaults={
                "group": group,
                "kind": kind,
                "channel": channel,
                "tool": Tool.objects.get(municipality__isnull=True, name=tool),
                "responsible": economist,
            },
        )
    return {"groups": [services_group, media_group]}


def _nefteyugansky(nefteyugansky: Municipality) -> list:
    """Seed 003: the procedure's act, and its referent groups with the channels and tools of §3.1."""
    LegalAct.objects.get_or_create(
        municipality=nefteyugansky,
        number="1617-па",
        date=date(2018, 9, 28),
        defaults={
            "kind": LegalAct.Kind.RESOLUTION,
            "title": "Об утверждении Порядка взаимодействия органов местного самоуправления Нефтеюганского "
            "района с референтными группами",
        },
    )
    deputy = Official.objects.filter(municipality=nefteyugansky, name="Михалев В.Г.").first()
    administration = _named(Department, nefteyugansky, "администрация")
    return [
        _group(
            nefteyugansky,
            name,
            f"{description} {NEFTEYUGANSKY_PROCEDURE}.",
            channels=channels,
            tools=tools,
            departments=[administration],
            officials=[deputy],
        )
        for name, description, channels, tools in NEFTEYUGANSKY_GROUPS
    ]


def _council(municipality, name, description=""):
    council, _ = Council.objects.get_or_create(
        municipality=municipality, name=name, defaults={"description": description}
    )
    return council


def _members(council, members, term_start):
    if council.members.exists():
        return
    for order, (full_name, role, represents) in enumerate(members):
        CouncilMember.objects.create(
            council=council,
            full_name=full_name,
            role=role,
            represents=represents,
            order=order,
            term_start=term_start,
            email=f"council{council.pk}-{order + 1:02d}@example.ru",
            phone=f"+7 (900) 100-{council.pk:02d}-{order + 1:02d}",
        )


def _meeting(council, when, number, questions):
    meeting, _ = Meeting.objects.get_or_create(
        council=council, date=when, defaults={"number": number, "status": Meeting.Status.HELD}
    )
    for order, title in enumerate(questions, start=1):
        AgendaItem.objects.get_or_create(meeting=meeting, order=order, defaults={"title": title})
    return meeting


def _levokumsky(levokumsky: Municipality) -> Council:
    council = _council(
        levokumsky,
        LEVOKUMSKY_COUNCIL,
        "Сформирован на основе добровольного участия представителей общественных объединений и граждан, "
        "принимающих активное участие в решении социально-экономических проблем округа.",
    )
    _members(council, LEVOKUMSKY_MEMBERS, None)  # the seed gives no term: none is invented
    for when, number, questions in LEVOKUMSKY_MEETINGS:
        _meeting(council, when, number, questions)
    for when, kind, tool, channel, topic, outcome in LEVOKUMSKY_INTERACTIONS:
        Interaction.objects.get_or_create(
            municipality=levokumsky,
            date=when,
            topic=topic,
            defaults={
                "kind": kind,
                "tool": Tool.objects.filter(municipality__isnull=True, name=tool).first() if tool else None,
                "channel": Channel.objects.filter(municipality__isnull=True, name=channel).first(),
                "outcome": outcome,
                "responsible": Official.objects.filter(municipality=levokumsky, name="Королева О.В.").first(),
            },
        )
    return council


def _krasnogvardeisky(krasnogvardeisky: Municipality) -> Council:
    council = _council(krasnogvardeisky, KRASNOGVARDEISKY_COUNCIL)
    for number, (when, areas) in enumerate(KRASNOGVARDEISKY_MEETINGS, start=1):
        _meeting(
            council,
            when,
            str(number),
            [
                f"Общественное обсуждение проекта нормативного правового акта администрации в сфере {a}"
                for a in areas
            ],
        )
    return council


def _zato_council(zato: Municipality) -> Council:
    """A council «по отраслям» linked to measures 5.1, 5.2, 5.4 (its changes start their 3-day deadlines)."""
    council = _council(zato, ZATO_COUNCIL, "Демонстрационный пример отраслевого общественного совета.")
    measures = {
        m.number: m
        for m in Measure.objects.filter(roadmap__municipality=zato, number__in=["5.1", "5.2", "5.4"])
    }
    council.membership_measure = measures.get("5.1")
    council.regulation_measure = measures.get("5.2")
    council.workplan_measure = measures.get("5.4")
    council.save(update_fields=["membership_measure", "regulation_measure", "workplan_measure"])
    if not council.members.exists():
        for order, (full_name, role, represents) in enumerate(ZATO_MEMBERS):
            services.add_council_member(
                council,
                full_name=full_name,
                role=role,
                represents=represents,
                order=order,
                term_start=date(2018, 4, 2),
                email=f"zato-council{order + 1}@example.ru",
            )
    if not council.regulations.exists():
        services.add_regulation(
            council, title="Положение об общественном совете (демо)", date=date(2018, 3, 30)
        )
    plan, created = CouncilWorkPlan.objects.get_or_create(
        council=council, year=2018, defaults={"title": "План работы общественного совета на 2018 год"}
    )
    if created:
        services.approve_work_plan(plan, on=date(2018, 4, 10))
    return council


@transaction.atomic
def load(stdout=None) -> dict:
    ensure_reference_lists(Principle, Channel, Tool)
    municipalities = {m.slug: m for m in Municipality.objects.all()}
    result = {}
    khmr = municipalities.get("khanty-mansiysky")
    if khmr:
        added = _experts(khmr)
        actuals = _experts_kpi(khmr)
        result["experts"] = Participant.objects.accepted_experts().filter(municipality=khmr).count()
        if stdout:
            stdout.write(
                f"эксперты Ханты-Мансийского района: {result['experts']} (новых {added}), "
                f"значений показателя записано: {len(actuals)} (неизмененные не перезаписываются)"
            )
    if "zato-sibirsky" in municipalities:
        result.update(_zato(municipalities["zato-sibirsky"]))
        result["zato_council"] = _zato_council(municipalities["zato-sibirsky"])
    if "levokumsky" in municipalities:
        result["levokumsky_council"] = _levokumsky(municipalities["levokumsky"])
    if "nefteyugansky" in municipalities:
        result["nefteyugansky_groups"] = _nefteyugansky(municipalities["nefteyugansky"])
    if "krasnogvardeisky" in municipalities:
        result["krasnogvardeisky_council"] = _krasnogvardeisky(municipalities["krasnogvardeisky"])
    if stdout:
        stdout.write(
            f"референтных групп: {ReferentGroup.objects.count()}, общественных советов: {Council.objects.count()}, "
            f"заседаний: {Meeting.objects.count()}, вопросов: {AgendaItem.objects.count()}, "
            f"взаимодействий: {Interaction.objects.count()}"
        )
    return result
