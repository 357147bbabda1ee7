from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("referent-groups", views.ReferentGroupViewSet, basename="referent-group")
router.register("councils", views.CouncilViewSet, basename="council")
