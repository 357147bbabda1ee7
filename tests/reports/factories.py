"""Factories for the reports tests."""

import factory

from reports.models import Report, ReportFile
from tests.factories import RoadmapFactory


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report

    roadmap = factory.SubFactory(RoadmapFactory)
    period = "2022-H1"
    kind = Report.Kind.PROGRESS


class ReportFileFactory(factory.django.DjangoModelFactory):
    """A report's file job (queued); `report__…` sets up its report."""

    class Meta:
        model = ReportFile

    report = factory.SubFactory(ReportFactory)
    format = Report.Format.XLSX
