from django.shortcuts import render

from roadmaps.selectors import municipalities_with_roadmaps


def home(request):
    """Municipalities and their public roadmaps."""
    return render(request, "home.html", {"municipalities": municipalities_with_roadmaps()})
