from django.core.management.base import BaseCommand

from openness_portal.notifications.schedules import setup_schedules


class Command(BaseCommand):
    help = "Создает периодические задачи (напоминания, отчеты, открытые данные) в планировщике; повторный запуск безопасен."

    def handle(self, *args, **options):
        for name, created in setup_schedules():
            self.stdout.write(f"{'создано' if created else 'уже есть'}: {name}")
