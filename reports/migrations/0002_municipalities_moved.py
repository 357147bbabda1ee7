import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('municipalities', '0001_initial'),
        ('reports', '0001_initial'),
    ]

    operations = [
        # Municipality, Department and Official moved to the municipalities app with their tables
        # (db_table): only Django's state changes, the columns and constraints stay as they are.
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name='reportingperiod',
                    name='owner',
                    field=models.ForeignKey(blank=True, help_text='Пусто — пресс-секретарь или координаторы муниципального образования.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='municipalities.official', verbose_name='ответственный за отчет'),
                ),
            ],
        ),
    ]
