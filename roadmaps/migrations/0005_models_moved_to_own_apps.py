import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('municipalities', '0001_initial'),
        ('roadmaps', '0004_evidence_unguessable_path'),
        # Every foreign key to the moved models points to their new app before they leave roadmaps' state.
        ('notifications', '0006_municipalities_moved'),
        ('reports', '0002_municipalities_moved'),
        ('opendata', '0005_municipalities_moved'),
        ('surveys', '0002_municipalities_moved'),
        ('referents', '0003_municipalities_moved'),
        ('appeals', '0002_municipalities_moved'),
    ]

    operations = [
        # Municipality, Department, Official and StaffRole moved to the municipalities app, ImportJob to the
        # importing app, with their tables (db_table): only Django's state changes; the tables, columns and
        # constraints stay as they are.
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(
                    model_name='official',
                    name='department',
                ),
                migrations.AlterField(
                    model_name='measureexecutor',
                    name='department',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='measure_roles', to='municipalities.department', verbose_name='подразделение'),
                ),
                migrations.AlterField(
                    model_name='historicalmeasureexecutor',
                    name='department',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='municipalities.department', verbose_name='подразделение'),
                ),
                migrations.AlterField(
                    model_name='legalact',
                    name='municipality',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='legal_acts', to='municipalities.municipality', verbose_name='муниципальное образование'),
                ),
                migrations.AlterField(
                    model_name='historicalroadmap',
                    name='municipality',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='municipalities.municipality', verbose_name='муниципальное образование'),
                ),
                migrations.RemoveField(
                    model_name='official',
                    name='municipality',
                ),
                # ImportJob moved to the importing app (importing.0001_initial creates it there).
                migrations.DeleteModel(
                    name='ImportJob',
                ),
                migrations.RemoveField(
                    model_name='staffrole',
                    name='municipality',
                ),
                migrations.AlterField(
                    model_name='roadmap',
                    name='municipality',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='roadmaps', to='municipalities.municipality', verbose_name='муниципальное образование'),
                ),
                migrations.RemoveField(
                    model_name='official',
                    name='user',
                ),
                migrations.AlterField(
                    model_name='measureexecutor',
                    name='official',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='measure_roles', to='municipalities.official', verbose_name='должностное лицо'),
                ),
                migrations.AlterField(
                    model_name='historicalmeasureexecutor',
                    name='official',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='municipalities.official', verbose_name='должностное лицо'),
                ),
                migrations.RemoveField(
                    model_name='staffrole',
                    name='user',
                ),
                migrations.DeleteModel(
                    name='Department',
                ),
                migrations.DeleteModel(
                    name='Municipality',
                ),
                migrations.DeleteModel(
                    name='Official',
                ),
                migrations.DeleteModel(
                    name='StaffRole',
                ),
            ],
        ),
    ]
