"""The ready lists of seed 003 (Порядок взаимодействия … с референтными группами, Нефтеюганский район,
постановление от 28.09.2018 № 1617-па). Municipalities add their own entries on top (§3.1.3)."""

# §2.3: «полноты, актуальности, существенности, реагирования, этичного поведения, понятности, открытого
# взаимодействия, регулярности».
PRINCIPLES = [
    "полнота",
    "актуальность",
    "существенность",
    "реагирование",
    "этичное поведение",
    "понятность",
    "открытое взаимодействие",
    "регулярность",
]

# §3.1.1
CHANNELS = [
    "средства массовой информации",
    "совещательные органы (общественный совет, экспертные и консультационные советы, рабочие группы)",
    "координационные органы, в том числе межведомственные (комиссии, комитеты, межведомственные рабочие группы)",
    "субъекты общественного контроля",
    "территориальные органы федеральных органов исполнительной власти",
    "органы местного самоуправления поселений",
    "подведомственные учреждения",
]

# §3.1.2 («официальный сайт органов местного самоуправления …» is kept general for every municipality).
TOOLS = [
    "официальный сайт органов местного самоуправления",
    "официальные сайты муниципальных образований (поселений)",
    "аккаунты в социальных сетях",
    "тематические платформы",
    "адресная рассылка участникам референтных групп",
    "переписка посредством электронной почты и почтовой связи",
    "прием граждан по личным вопросам",
    "горячие линии (телефоны) доверия",
    "информационные материалы, буклеты, листовки",
]

MAILING_TOOL = TOOLS[4]
COUNCIL_CHANNEL = CHANNELS[1]
MEDIA_CHANNEL = CHANNELS[0]


def ensure_reference_lists(principle_model, channel_model, tool_model) -> int:
    """Create the missing common entries (works with historical models in migrations); returns how many."""
    created = 0
    for model, names in ((principle_model, PRINCIPLES), (channel_model, CHANNELS), (tool_model, TOOLS)):
        for order, name in enumerate(names):
            lookup = {"name": name} if model is principle_model else {"name": name, "municipality": None}
            _obj, was_created = model.objects.get_or_create(**lookup, defaults={"order": order})
            created += was_created
    return created
