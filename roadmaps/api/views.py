"""Thin API views: reads through selectors, writes through services, permissions through access."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Q, Value
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from municipalities import access, scoping

from .. import selectors, services
from ..filters import DeadlineFilter, MeasureFilter
from ..models import Deadline, ProgressEntry, Roadmap
from . import serializers as s


def as_drf_error(exc):
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(str(exc) or None)
    if hasattr(exc, "message_dict"):
        return exceptions.ValidationError(exc.message_dict)
    return exceptions.ValidationError({"detail": exc.messages})


class RoadmapViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.RoadmapSerializer
    filterset_fields = {"municipality__slug": ["exact"], "status": ["exact"]}

    def get_queryset(self):
        qs = (
            Roadmap.objects.select_related("municipality", "approving_act")
            .annotate(measure_count=Count("measures"))
            .order_by("municipality__name", "-first_year", "pk")
        )
        public = Roadmap.public()  # anyone reads these; the staff see more (municipalities.scoping)
        qs = scoping.visible_to(qs, self.request.user, public=public)
        municipality = self.request.query_params.get("municipality")
        if municipality:
            field = "municipality_id" if municipality.isdigit() else "municipality__slug"
            qs = qs.filter(**{field: municipality})
        return qs


def _public_measures(request):
    from ..models import Measure

    return scoping.visible_to(Measure, request.user, public=Roadmap.public("roadmap__"))


class MeasureViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.MeasureSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = MeasureFilter

    def get_queryset(self):
        """Each measure carries its status for `?year=` (default: this year), the table's badge rule."""
        year = self.request.query_params.get("year", "")
        year = int(year) if year.isdigit() and 1990 <= int(year) <= 2100 else timezone.localdate().year
        return (
            selectors.measures_with_details(_public_measures(self.request))
            .with_year_status(timezone.localdate(), year)
            .annotate(status_year=Value(year))
            .order_by("roadmap_id", "order", "pk")
        )


class DeadlineViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.DeadlineSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = DeadlineFilter

    def get_queryset(self):
        return (
            Deadline.objects.filter(measure__in=_public_measures(self.request))
            .with_status(timezone.localdate())
            .order_by("due_date", "pk")
        )


class IsStaffWriter(permissions.BasePermission):
    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or (
            request.user.is_authenticated and (request.user.is_superuser or access.role_of(request.user))
        )


class ProgressEntryViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Public: accepted entries. Executors: their own drafts too, which they create, edit and submit;
    coordinators accept or return."""

    serializer_class = s.ProgressEntrySerializer
    permission_classes = [IsStaffWriter]
    filterset_fields = {
        "measure": ["exact"],
        "period": ["exact"],
        "status": ["exact"],
        "measure__roadmap": ["exact"],
    }

    def get_queryset(self):
        qs = ProgressEntry.objects.prefetch_related("evidence").order_by("-period", "measure_id", "pk")
        public = Q(status=ProgressEntry.Status.ACCEPTED) & Roadmap.public("measure__roadmap__")
        user = self.request.user
        if not user.is_authenticated:
            return qs.filter(public)
        public |= Q(author=user) | Q(measure__in=selectors.executor_measures(user))
        role = access.role_of(user)
        if role and role.role == role.Role.EXECUTOR:  # an executor reads his measures' drafts, not all
            return qs.filter(public).distinct()
        return scoping.visible_to(qs, user, public=public).distinct()

    def perform_create(self, serializer):
        data = serializer.validated_data
        try:
            serializer.instance = services.create_progress_entry(
                user=self.request.user,
                measure=data["measure"],
                period=data["period"],
                text=data["text"],
                deadline=data.get("deadline"),
                completed_on=data.get("completed_on"),
            )
        except (DjangoValidationError, DjangoPermissionDenied) as exc:
            raise as_drf_error(exc) from exc

    def perform_update(self, serializer):
        try:
            serializer.instance = services.update_progress_entry(
                serializer.instance, user=self.request.user, **serializer.validated_data
            )
        except (DjangoValidationError, DjangoPermissionDenied) as exc:
            raise as_drf_error(exc) from exc

    def _transition(self, request, service, **kwargs):
        entry = self.get_object()
        try:
            entry = service(entry, user=request.user, **kwargs)
        except (DjangoValidationError, DjangoPermissionDenied) as exc:
            raise as_drf_error(exc) from exc
        return Response(s.ProgressEntrySerializer(entry).data, status=status.HTTP_200_OK)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._transition(request, services.submit_progress)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """The response's `notice` (Russian) says when accepting completed no deadline of the period."""
        entry = self.get_object()
        try:
            entry = services.accept_progress(entry, user=request.user)
        except (DjangoValidationError, DjangoPermissionDenied) as exc:
            raise as_drf_error(exc) from exc
        data = s.ProgressEntrySerializer(entry).data
        data["notice"] = services.acceptance_notice(entry)
        return Response(data, status=status.HTTP_200_OK)

    @extend_schema(request=s.ReturnSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_entry(self, request, pk=None):
        body = s.ReturnSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._transition(request, services.return_progress, reason=body.validated_data["reason"])
