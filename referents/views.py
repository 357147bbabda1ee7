"""Public pages: councils with their current membership, plans and meetings; the unsubscribe link."""

from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from municipalities.models import Municipality

from . import selectors, services


@require_GET
def council_list(request):
    councils = selectors.public_councils(today=timezone.localdate())
    municipality = None
    slug = request.GET.get("municipality")
    if slug:
        municipality = get_object_or_404(Municipality, slug=slug)
        councils = councils.filter(municipality=municipality)
    return render(
        request, "referents/council_list.html", {"councils": councils, "municipality": municipality}
    )


@require_GET
def council_detail(request, pk):
    municipality = get_object_or_404(Municipality, councils__pk=pk, councils__is_public=True)
    # Membership is current as of the municipality's own local date.
    council = selectors.public_councils(today=municipality.local_today()).get(pk=pk)
    return render(
        request,
        "referents/council_detail.html",
        {
            "council": council,
            "municipality": municipality,
            "meetings": selectors.council_meetings(council),
            "regulation": council.regulations.all()[0] if council.regulations.all() else None,
        },
    )


@csrf_exempt  # the signed token is the credential; mail clients POST one-click unsubscribes (RFC 8058)
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET asks for confirmation (link scanners must not unsubscribe anyone); POST unsubscribes."""
    membership = services.membership_for_token(token)
    if membership is None:
        return render(request, "referents/unsubscribe.html", {"invalid": True}, status=400)
    done = membership.unsubscribed_at is not None
    if request.method == "POST":
        services.unsubscribe(membership)
        done = True
    return render(
        request,
        "referents/unsubscribe.html",
        {
            "membership": membership,
            "group": membership.group,
            "done": done,
            "municipality": membership.group.municipality,
        },
    )
