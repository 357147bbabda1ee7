from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("follow-events", views.FollowEventViewSet, basename="follow-event")
