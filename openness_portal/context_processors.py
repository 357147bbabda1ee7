from django.conf import settings


def portal(request):
    """The portal's name; a view that shows one municipality puts `municipality` in its own context."""
    return {"PORTAL_NAME": settings.PORTAL_NAME}
