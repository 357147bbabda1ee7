"""Load the demo data of every app (the seed municipalities and their documents). Safe to run twice."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from openness_portal.discovery import app_modules


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
        # Each app's `demo.loader.load(stdout)`, ground floor first (settings.PORTAL_APPS): later apps refer
        # to the municipalities, people and roadmaps loaded before them.
        accounts = []
        for module in app_modules("demo.loader"):
            app = module.__name__.removesuffix(".demo.loader")
            self.stdout.write(self.style.MIGRATE_HEADING(f"Демо-данные: {app}"))
            result = module.load(stdout=self.stdout)
            if isinstance(result, dict) and result.get("users"):
                accounts.append((result.get("password", ""), result["users"]))
        for password, users in accounts:
            self.stdout.write(self.style.SUCCESS(f"\nДемо-учетные записи (пароль для всех: {password}):"))
            for username, description in users:
                self.stdout.write(f"  {username:<24} {description}")
