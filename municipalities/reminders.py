"""What the reminder sweep learns from this app (autodiscovered by openness_portal.notifications.registry):
who the coordinators of a municipality are, and whose notification log a staff account may read."""

from openness_portal.notifications.registry import coordinators_source, staff_scope

from . import access, selectors

coordinators_source(selectors.coordinator_recipients)

# Staff read the notification log of the municipalities they work for.
staff_scope(
    can_view=lambda user: user.is_active and (user.is_superuser or access.role_of(user) is not None),
    visible_municipalities=access.visible_municipalities,
)
