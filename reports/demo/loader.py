"""Reports demo: reporting periods of every roadmap. The Levokumsky plan and its 2022-H1 entries (seed 002)
come from the roadmaps demo, so `build_report --period 2022-H1` re-creates the seed's report."""

from roadmaps.models import Roadmap

from ..services import ensure_periods


def load(stdout=None) -> dict:
    created = sum(ensure_periods(roadmap) for roadmap in Roadmap.objects.all())
    if stdout:
        stdout.write(f"отчетные периоды: {created} новых")
    return {"periods_created": created}
