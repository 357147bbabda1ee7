"""The four real sample files import completely: every measure, section, deadline kind and flag."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from importing.services import ImportOptions, import_roadmap_file, parse_roadmap_file
from roadmaps.demo import seed_data
from roadmaps.models import Deadline, DeadlineRule, Measure, MeasureExecutor, Roadmap
from roadmaps.services import sync_rule_deadlines

SAMPLES = Path("/work/shared/samples")
KHMR = ["roadmap-khanty-mansiysky-2019.docx", "roadmap-khanty-mansiysky-2019.xlsx"]
ZATO = ["roadmap-zato-sibirsky-2018.docx", "roadmap-zato-sibirsky-2018.xlsx"]
pytestmark = pytest.mark.skipif(not SAMPLES.is_dir(), reason="sample files not present")


@pytest.fixture
def people(db):
    """The seed municipalities with their departments and officials, without any roadmap."""
    from municipalities.models import Department, Municipality, Official

    result = {}
    for data in seed_data.MUNICIPALITIES[:2]:
        fields = {k: data[k] for k in ("name", "region", "time_zone")}
        municipality = Municipality.objects.create(slug=data["slug"], **fields)
        result[data["slug"]] = municipality
        for d in seed_data.DEPARTMENTS[data["slug"]]:
            Department.objects.create(
                municipality=municipality, name=d["name"], short_name=d["short_name"], aliases=d["aliases"]
            )
        for o in seed_data.OFFICIALS[data["slug"]]:
            Official.objects.create(
                municipality=municipality, name=o["name"], post=o["post"], aliases=o["aliases"]
            )
    return result


def _seed(key):
    roadmap = next(r for r in seed_data.ROADMAPS if r["key"] == key)
    return [m for s in roadmap["sections"] for m in s["measures"]], roadmap


def _parse(name, **kwargs):
    return parse_roadmap_file((SAMPLES / name).read_bytes(), name, **kwargs)


@pytest.mark.parametrize("name", KHMR)
def test_khanty_mansiysky_reads_as_the_seed_says(name):
    result = _parse(name)
    measures, seed = _seed("khmr-2019")
    assert (result.first_year, result.last_year) == (2019, 2025)
    assert len(result.measures) == 10
    assert [m.number for m in result.measures] == [m["number"] for m in measures]
    assert [m.title for m in result.measures] == [m["title"] for m in measures]
    assert [m.deadline_text for m in result.measures] == [m["deadline_text"] for m in measures]
    assert [m.executors for m in result.measures] == [m["executors"] for m in measures]
    kinds = [m.deadline_kind for m in result.measures]
    assert kinds == ["fixed", "multi", "yearly", "yearly", "yearly", "yearly", *["relative"] * 4]
    assert [m.expected_result for m in result.measures] == [m["expected_result"] for m in measures]
    # Seven lines «реализовано не менее N проектов» follow the seven yearly deadlines.
    (kpi,) = result.measures[3].kpis
    assert {y: int(v) for y, v in kpi.targets.items()} == {y: y - 2018 for y in range(2019, 2026)}
    assert kpi.unit == "проектов"
    (experts,) = result.measures[1].kpis
    assert experts.unit == "экспертов" and set(experts.targets.values()) == {15}
    assert result.flag_count == 0


@pytest.mark.parametrize("name", ZATO)
def test_zato_reads_as_the_seed_says(name):
    result = _parse(name)
    measures, seed = _seed("zato-2018")
    assert len(result.sections) == 10 and len(result.measures) == 34
    assert [(s.number, s.title) for s in result.sections] == [
        (s["number"], s["title"]) for s in seed["sections"]
    ]
    assert [m.number for m in result.measures] == [m["number"] for m in measures]
    assert [m.title for m in result.measures] == [m["title"] for m in measures]
    assert [m.description for m in result.measures] == [m["description"] for m in measures]
    assert [m.deadline_text for m in result.measures] == [m["deadline_text"] for m in measures]
    assert [m.executors for m in result.measures] == [m["executors"] for m in measures]
    # The empty deadline cell of 1.4 is the one flagged phrase; nothing is dropped.
    flagged = [(m.number, f.column) for m in result.measures for f in m.flags]
    assert flagged == [("1.4", "deadline")]
    kinds = {m.number: m.deadline_kind for m in result.measures}
    assert kinds["2.2"] == "fixed" and kinds["2.4"] == "periodic" and kinds["9.1"] == "done"
    assert kinds["5.1"] == "relative" and kinds["5.6"] == "as_needed" and kinds["2.1"] == "continuous"
    # «(далее – главный юрисконсульт)» is a definition, not part of the executor's name.
    assert result.measures[1].executors[0] == "Главный юрисконсульт Администрации ЗАТО Сибирский"
    assert result.executor_definitions["главный юрисконсульт"].startswith(
        "Главный юрисконсульт Администрации"
    )
    assert (
        result.measures[11].executors[1]
        == "структурные подразделения, должностные лица Администрации ЗАТО Сибирский"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("name", KHMR + ZATO)
def test_samples_save_with_deadlines_set_deadline_rule_would_make(name, people):
    slug = "khanty-mansiysky" if "khanty" in name else "zato-sibirsky"
    municipality = people[slug]
    roadmap, result = import_roadmap_file((SAMPLES / name).read_bytes(), name, municipality, ImportOptions())
    assert roadmap.measures.count() == len(result.measures)
    assert roadmap.sections.count() == len(result.sections)
    rules = DeadlineRule.objects.filter(measure__roadmap=roadmap)
    assert rules.count() == len(result.measures)
    assert rules.filter(needs_clarification=True).count() == sum(
        1 for m in result.measures if any(f.column == "deadline" for f in m.flags)
    )
    before = set(
        Deadline.objects.filter(measure__roadmap=roadmap).values_list("measure_id", "slot", "due_date")
    )
    assert before
    # The bulk path wrote exactly what the roadmaps service would: syncing changes nothing.
    for measure in Measure.objects.filter(roadmap=roadmap).select_related("roadmap", "deadline_rule"):
        assert sync_rule_deadlines(measure) == 0
    after = set(
        Deadline.objects.filter(measure__roadmap=roadmap).values_list("measure_id", "slot", "due_date")
    )
    assert after == before
    # Seed departments and officials are recognised («Главный юрисконсульт» through its definition too).
    matched = MeasureExecutor.objects.filter(measure__roadmap=roadmap).exclude(department=None, official=None)
    assert matched.exists()
    if slug == "zato-sibirsky":
        jurist = MeasureExecutor.objects.filter(measure__roadmap=roadmap, text="Главный юрисконсульт")
        assert jurist.exists() and not jurist.filter(official=None).exists()


@pytest.mark.django_db
def test_command_json_lists_what_it_understood_and_dry_run_saves_nothing(people):
    before = Roadmap.objects.count()
    out = StringIO()
    call_command(
        "import_roadmap",
        str(SAMPLES / ZATO[0]),
        municipality="zato-sibirsky",
        dry_run=True,
        json=True,
        stdout=out,
    )
    data = json.loads(out.getvalue())
    assert Roadmap.objects.count() == before
    assert len(data["sections"]) == 10 and len(data["measures"]) == 34
    first = data["measures"][0]
    assert set(first) >= {
        "number",
        "title",
        "section",
        "executors",
        "deadline_text",
        "deadline_kind",
        "deadlines",
        "kpis",
        "flags",
    }
    assert first["section"] == "1. Реализация принципа информационной открытости органа власти"
    assert data["measures"][3]["flags"]  # 1.4 has no deadline
    assert data["saved"] is False


@pytest.mark.django_db
def test_command_saves_with_act_and_prints_summary(people):
    out = StringIO()
    call_command(
        "import_roadmap",
        str(SAMPLES / KHMR[1]),
        municipality="khanty-mansiysky",
        act_number="148-р",
        act_date="13.02.2019",
        title="Дорожная карта (загружена)",
        stdout=out,
    )
    roadmap = Roadmap.objects.get(title="Дорожная карта (загружена)")
    assert roadmap.approving_act.number == "148-р"
    assert roadmap.measures.count() == 10
    assert "мероприятий: 10" in out.getvalue()
