from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="CalendarException",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("date", models.DateField(unique=True, verbose_name="дата")),
                (
                    "is_working_day",
                    models.BooleanField(
                        default=False,
                        help_text="Отметьте, если день объявлен рабочим; снимите отметку, если он объявлен выходным.",
                        verbose_name="рабочий день",
                    ),
                ),
                (
                    "reason",
                    models.CharField(
                        help_text="Например, номер и дата акта.", max_length=255, verbose_name="основание"
                    ),
                ),
                ("region", models.CharField(blank=True, max_length=200, verbose_name="регион")),
            ],
            options={
                "verbose_name": "исключение календаря",
                "verbose_name_plural": "исключения календаря",
                "ordering": ["date"],
            },
        ),
    ]
