"""Lists of functions the apps hand to the portal from their AppConfig.ready(), since the portal names no app."""

from collections.abc import Callable


class Registry(list):
    """Functions in registration order, each once (ready() runs again when tests reload the apps)."""

    def register(self, fn: Callable) -> Callable:
        if fn not in self:
            self.append(fn)
        return fn
