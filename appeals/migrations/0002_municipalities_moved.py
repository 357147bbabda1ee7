import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('appeals', '0001_initial'),
        ('municipalities', '0001_initial'),
    ]

    operations = [
        # Municipality, Department and Official moved to the municipalities app with their tables
        # (db_table): only Django's state changes, the columns and constraints stay as they are.
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name='appeal',
                    name='municipality',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='appeals', to='municipalities.municipality', verbose_name='муниципальное образование'),
                ),
            ],
        ),
    ]
