import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('municipalities', '0001_initial'),
        ('surveys', '0001_initial'),
    ]

    operations = [
        # Municipality, Department and Official moved to the municipalities app with their tables
        # (db_table): only Django's state changes, the columns and constraints stay as they are.
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name='comment',
                    name='official',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='municipalities.official', verbose_name='должностное лицо'),
                ),
                migrations.AlterField(
                    model_name='discussion',
                    name='municipality',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='discussions', to='municipalities.municipality', verbose_name='муниципальное образование'),
                ),
                migrations.AlterField(
                    model_name='discussion',
                    name='responsible',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='discussions', to='municipalities.official', verbose_name='ответственное должностное лицо'),
                ),
                migrations.AlterField(
                    model_name='moderationsettings',
                    name='municipality',
                    field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='moderation_settings', to='municipalities.municipality', verbose_name='муниципальное образование'),
                ),
                migrations.AlterField(
                    model_name='survey',
                    name='municipality',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='surveys', to='municipalities.municipality', verbose_name='муниципальное образование'),
                ),
            ],
        ),
    ]
