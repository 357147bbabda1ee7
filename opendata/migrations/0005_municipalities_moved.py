import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('municipalities', '0001_initial'),
        ('opendata', '0004_appeals_portal_set'),
    ]

    operations = [
        # Municipality, Department and Official moved to the municipalities app with their tables
        # (db_table): only Django's state changes, the columns and constraints stay as they are.
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name='dataset',
                    name='municipality',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='datasets', to='municipalities.municipality', verbose_name='муниципальное образование'),
                ),
                migrations.AlterField(
                    model_name='dataset',
                    name='owner',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='datasets', to='municipalities.department', verbose_name='владелец набора данных'),
                ),
                migrations.AlterField(
                    model_name='dataset',
                    name='responsible_official',
                    field=models.ForeignKey(blank=True, help_text='Телефон и e-mail берутся из справочника должностных лиц; иначе заполните поля ниже.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='datasets', to='municipalities.official', verbose_name='ответственное лицо (из справочника)'),
                ),
                migrations.AlterField(
                    model_name='datasetrequest',
                    name='municipality',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='dataset_requests', to='municipalities.municipality', verbose_name='муниципальное образование'),
                ),
            ],
        ),
    ]
