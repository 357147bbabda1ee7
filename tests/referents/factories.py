"""Factories for the referents app."""

from datetime import date

import factory

from referents.models import (
    AgendaItem,
    Council,
    CouncilMember,
    GroupMembership,
    Interaction,
    Mailing,
    Meeting,
    Participant,
    ReferentGroup,
)
from tests.factories import MunicipalityFactory


class ReferentGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReferentGroup

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Референтная группа {n}")


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Участник {n}")
    email = factory.Sequence(lambda n: f"participant{n}@private.example.ru")
    phone = factory.Sequence(lambda n: f"+7 (999) 555-{n:04d}")
    consent = True
    consent_date = date(2022, 1, 10)


class ExpertFactory(ParticipantFactory):
    is_expert = True
    expert_status = Participant.ExpertStatus.ACCEPTED
    accepted_on = date(2022, 2, 1)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GroupMembership

    group = factory.SubFactory(ReferentGroupFactory)
    participant = factory.SubFactory(
        ParticipantFactory, municipality=factory.SelfAttribute("..group.municipality")
    )


class InteractionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interaction

    municipality = factory.SubFactory(MunicipalityFactory)
    date = date(2022, 3, 1)
    kind = Interaction.Kind.INFORMING
    topic = factory.Sequence(lambda n: f"Тема {n}")


class MailingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mailing

    group = factory.SubFactory(ReferentGroupFactory)
    municipality = factory.SelfAttribute("group.municipality")
    subject = "Об актуальных вопросах деятельности администрации"
    body = "Уважаемые коллеги! Направляем информацию."


class CouncilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Council

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Общественный совет {n}")


class CouncilMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CouncilMember

    council = factory.SubFactory(CouncilFactory)
    full_name = factory.Sequence(lambda n: f"Членов{n} Иван Иванович")
    email = factory.Sequence(lambda n: f"member{n}@private.example.ru")
    phone = factory.Sequence(lambda n: f"+7 (999) 777-{n:04d}")
    term_start = date(2021, 1, 1)


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    council = factory.SubFactory(CouncilFactory)
    date = date(2022, 3, 24)
    status = Meeting.Status.HELD


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem

    meeting = factory.SubFactory(MeetingFactory)
    title = factory.Sequence(lambda n: f"Вопрос {n}")
