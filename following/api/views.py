"""Read-only public API of what followers are told: the same events as the feeds."""

from rest_framework import viewsets

from .. import selectors
from ..filters import FollowEventFilter
from . import serializers as s


class FollowEventViewSet(viewsets.ReadOnlyModelViewSet):
    """Events of roadmaps, measures and discussions (progress accepted, deadline moved with its reason,
    discussion opened or closed, summary or report published), newest first."""

    serializer_class = s.FollowEventSerializer
    filterset_class = FollowEventFilter

    def get_queryset(self):
        return selectors.public_events().order_by("-occurred_at", "-pk")
