"""Factories for the reports tests."""

import factory

from reports.models import Report
from tests.factories import RoadmapFactory


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report

    roadmap = factory.SubFactory(RoadmapFactory)
    period = "2022-H1"
    kind = Report.Kind.PROGRESS
    format = Report.Format.XLSX
