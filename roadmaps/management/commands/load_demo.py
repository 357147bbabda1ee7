"""Load the demo data of every app (the seed municipalities and their documents). Safe to run twice."""

from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# Order matters: later apps refer to the municipalities, people and roadmaps loaded first.
DEMO_APPS = ["roadmaps", "referents", "surveys", "opendata", "reports"]


class Command(BaseCommand):
    help = "Загружает демонстрационные данные из документов-образцов (повторный запуск ничего не дублирует)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Загрузить даже при DEBUG=0 (демо-пароли!).")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Демо-данные создают учетные записи с известным паролем: только при DEBUG=1 "
                "(или --force на тестовом стенде)."
            )
        result = {}
        for app in DEMO_APPS:
            try:
                module = import_module(f"{app}.demo.loader")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app}.demo" and exc.name != f"{app}.demo.loader":
                    raise
                continue
            self.stdout.write(self.style.MIGRATE_HEADING(f"Демо-данные: {app}"))
            result[app] = module.load(stdout=self.stdout) or {}
        users = result.get("roadmaps", {}).get("users", [])
        if users:
            from roadmaps.demo.loader import DEMO_PASSWORD

            self.stdout.write(
                self.style.SUCCESS(f"\nДемо-учетные записи (пароль для всех: {DEMO_PASSWORD}):")
            )
            for username, description in users:
                self.stdout.write(f"  {username:<24} {description}")
