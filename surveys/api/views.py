"""Thin API views for discussions and surveys: selectors read, services write."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from openness_portal.client_ip import client_ip

from .. import selectors, services
from ..forms import CommentForm
from ..models import Discussion, Survey
from . import serializers as s


class DiscussionViewSet(viewsets.ReadOnlyModelViewSet):
    """Public discussions; `?municipality=<slug|id>`, `?status=open|closed|scheduled`."""

    serializer_class = s.DiscussionSerializer
    permission_classes = [permissions.AllowAny]
    filter_backends = []

    def get_queryset(self):
        params = self.request.query_params
        return selectors.public_discussions(
            municipality_slug=params.get("municipality") or None, status=params.get("status") or None
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("municipality", str, description="slug или id"),
            OpenApiParameter("status", str, enum=["open", "closed", "scheduled"]),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=s.CommentCreateSerializer,
        responses={200: s.CommentSerializer(many=True), 201: s.CommentSerializer},
    )
    @action(
        detail=True, methods=["get", "post"], url_path="comments", permission_classes=[permissions.AllowAny]
    )
    def comments(self, request, pk=None):
        discussion = get_object_or_404(
            Discussion.objects.select_related("municipality", "municipality__moderation_settings"), pk=pk
        )
        if request.method == "GET":
            qs = (
                selectors.published_comments(discussion)
                .select_related("paragraph")
                .order_by("created_at", "pk")
            )
            page = self.paginate_queryset(qs)
            return self.get_paginated_response(s.CommentSerializer(page, many=True).data)
        incoming = s.CommentCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        form = CommentForm(incoming.validated_data, discussion=discussion, user=request.user)
        try:
            comment = services.post_comment(form, ip=client_ip(request))
        except services.DiscussionClosed as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_403_FORBIDDEN)
        except services.RateLimited as exc:
            return Response(
                {"detail": exc.message},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(exc.wait)},
            )
        except services.RateLimitUnavailable:
            return Response(
                {
                    "detail": _(
                        "Сейчас нельзя отправить замечание: временная неисправность. "
                        "Попробуйте через несколько минут."
                    )
                },
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
                headers={"Retry-After": "120"},
            )
        except services.SpamDetected:
            return Response({"detail": _("Замечание не принято.")}, status=status.HTTP_400_BAD_REQUEST)
        except DjangoValidationError as exc:
            return Response(exc.message_dict, status=status.HTTP_400_BAD_REQUEST)
        body = s.CommentSerializer(comment).data
        body["status"] = comment.status
        body["notice"] = (
            _("Замечание опубликовано.")
            if comment.is_public
            else _("Замечание получено и будет опубликовано после проверки модератором.")
        )
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: s.DocumentVersionSerializer(many=True)})
    @action(detail=True, methods=["get"], url_path="versions")
    def versions(self, request, pk=None):
        """Редакции of a draft act, 1..n, each paragraph by paragraph with its published comment count and,
        from the second one on, what changed from the first. Three queries at any size."""
        discussion = get_object_or_404(Discussion.objects.only("pk", "kind"), pk=pk)
        versions = selectors.versions_with_paragraphs(discussion)
        return Response(s.DocumentVersionSerializer(versions, many=True).data)


class SurveyViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.SurveySerializer
    permission_classes = [permissions.AllowAny]
    filter_backends = []

    def get_queryset(self):
        return selectors.public_surveys(
            municipality_slug=self.request.query_params.get("municipality") or None
        )

    @action(detail=True, methods=["get"])
    def results(self, request, pk=None):
        survey = get_object_or_404(Survey.objects.select_related("municipality"), pk=pk, is_published=True)
        results = selectors.survey_results(survey)
        return Response(
            {
                "survey": survey.pk,
                "title": survey.title,
                "respondents": results["respondents"],
                "generated_at": timezone.now(),
                "questions": [
                    {
                        "id": q["id"],
                        "text": q["text"],
                        "kind": q["kind"],
                        "respondents": q["respondents"],
                        "options": [
                            {"id": o["id"], "text": o["text"], "count": o["count"], "percent": o["percent"]}
                            for o in q["options"]
                        ],
                        **({"average": q["average"]} if "average" in q else {}),
                        **({"text_answers": q["text_answers"]} if "text_answers" in q else {}),
                    }
                    for q in results["questions"]
                ],
            }
        )
