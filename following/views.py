"""Public pages: the follow form, the confirmation and unsubscribe links; and what the lower apps' pages
show of this app (the follow box and the feed link, through openness_portal.page_extras).

The follow form is on pages cached whole (the roadmap page), so it carries no CSRF token: the view is
exempt. That costs nothing here: the form acts for nobody logged in, and what it does — mail a
confirmation link to an address — anyone can ask for with a plain POST; the rate limit and the double
opt-in are the protection. The confirmation and unsubscribe links are exempt too: the signed token is the
credential, and mail clients POST one-click unsubscribes (RFC 8058).
"""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from openness_portal.client_ip import client_ip
from openness_portal.forms import add_service_errors
from roadmaps.models import Measure, Roadmap
from surveys.models import Discussion

from . import selectors, services
from .forms import FollowForm
from .models import Subscription

TARGET_QUERYSETS = {
    "roadmap": lambda: Roadmap.objects.select_related("municipality"),
    "measure": lambda: Measure.objects.select_related("roadmap__municipality"),
    "discussion": lambda: Discussion.objects.select_related("municipality"),
}


def _target(kind, pk):
    if kind not in TARGET_QUERYSETS:
        raise Http404
    target = get_object_or_404(TARGET_QUERYSETS[kind](), pk=pk)
    if not selectors.is_followable(target):
        raise Http404
    return target


def _page(request, template, context, status=200):
    target = context.get("target")
    if target is not None:
        context.setdefault("title", selectors.target_title(target))
        context.setdefault("target_url", selectors.target_url(target))
        context.setdefault("municipality", selectors.target_municipality(target))
    return render(request, template, context, status=status)


def _link_page(request, template, subscription, done_status, act):
    """A page a mailed link opens: 400 for an unknown token; POST does `act(subscription)`, GET only asks."""
    if subscription is None:
        return _page(request, template, {"invalid": True}, status=400)
    done = subscription.status == done_status
    if request.method == "POST":
        act(subscription)
        done = True
    return _page(
        request, template, {"subscription": subscription, "target": subscription.target, "done": done}
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
def follow(request, kind, pk):
    target = _target(kind, pk)
    if request.method == "GET":
        return _page(request, "following/follow.html", {"target": target, "form": FollowForm()})
    form = FollowForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            subscription = services.subscribe(
                target=target,
                email=form.cleaned_data["email"],
                consent=form.cleaned_data["consent"],
                ip=client_ip(request),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except services.RateLimited as exc:
            form.add_error(None, exc.message)
            status = 429
        except services.RateLimitUnavailable:
            form.add_error(
                None,
                _("Сейчас нельзя подписаться: временная неисправность. Попробуйте через несколько минут."),
            )
            status = 503
        else:
            return _page(
                request, "following/follow_sent.html", {"target": target, "email": subscription.email}
            )
    return _page(request, "following/follow.html", {"target": target, "form": form}, status=status)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """GET shows a button (mail scanners open links; a person confirms); POST confirms."""
    subscription = services.subscription_for_confirmation(token)
    return _link_page(
        request, "following/confirm.html", subscription, Subscription.Status.CONFIRMED, services.confirm
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET asks (link scanners must not unsubscribe anyone); POST — the button or a one-click mail client —
    unsubscribes at once, without login."""
    subscription = services.subscription_for_unsubscribe(token)
    return _link_page(
        request,
        "following/unsubscribe.html",
        subscription,
        Subscription.Status.UNSUBSCRIBED,
        services.unsubscribe,
    )


# --- What the roadmap, measure and discussion pages show (page_extras renderers; no queries) -------------


def feed_link(target, context) -> str:
    return format_html(
        '<link rel="alternate" type="application/atom+xml" title="{}" href="{}"><link rel="stylesheet" href="{}">',
        _("Изменения: %(title)s") % {"title": selectors.target_title(target)[:200]},
        selectors.feed_url(target),
        static("css/following.css"),
    )


def follow_box(target, context) -> str:
    return render_to_string(
        "following/_follow_box.html",
        {
            "action": selectors.follow_url(target),
            "feed_url": selectors.feed_url(target),
            "privacy_url": reverse("privacy"),
            "form": FollowForm(),
        },
    )
