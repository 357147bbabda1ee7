from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("roadmaps", views.RoadmapViewSet, basename="roadmap")
router.register("measures", views.MeasureViewSet, basename="measure")
router.register("deadlines", views.DeadlineViewSet, basename="deadline")
router.register("progress-entries", views.ProgressEntryViewSet, basename="progress-entry")
