from datetime import date, timedelta

import factory

from appeals.models import Appeal
from tests.factories import MunicipalityFactory


class AppealFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Appeal

    municipality = factory.SubFactory(MunicipalityFactory)
    received_on = date(2022, 3, 1)
    channel = Appeal.Channel.WRITTEN
    topic = "благоустройство"
    due_on = factory.LazyAttribute(lambda a: a.received_on + timedelta(days=30))
    answered_on = factory.LazyAttribute(lambda a: a.received_on + timedelta(days=10))


def journal_xlsx(rows, *, header=None, title="Журнал регистрации обращений граждан за 2022 год"):
    """An office journal as offices keep it: a title line, a blank line, the header, the rows."""
    import io

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append([title])
    sheet.append([])
    sheet.append(
        header
        or [
            "№ п/п",
            "Рег. номер",
            "Дата поступления",
            "ФИО заявителя",
            "Адрес",
            "Способ обращения",
            "Тема обращения",
            "Дата ответа",
        ]
    )
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "journal.xlsx"
    return buffer
