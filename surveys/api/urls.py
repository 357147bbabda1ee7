from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("discussions", views.DiscussionViewSet, basename="discussion")
router.register("surveys", views.SurveyViewSet, basename="survey")
