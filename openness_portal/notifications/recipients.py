"""Who stands in for a missing recipient: the coordinators of a municipality, as the app that knows staff
roles registered them (`registry.coordinators_source`)."""

from collections.abc import Collection

from .registry import Recipient, coordinators


def coordinator_recipients(municipality_ids: Collection[int] | None) -> dict[int, list[Recipient]]:
    """Coordinators by municipality id, in a constant number of queries."""
    return coordinators(municipality_ids)
