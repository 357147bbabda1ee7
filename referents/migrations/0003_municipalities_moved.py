import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('municipalities', '0001_initial'),
        ('referents', '0002_reference_lists'),
    ]

    operations = [
        # Municipality, Department and Official moved to the municipalities app with their tables
        # (db_table): only Django's state changes, the columns and constraints stay as they are.
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name='channel',
                    name='municipality',
                    field=models.ForeignKey(blank=True, help_text='Пусто — общий перечень для всех муниципальных образований.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='municipalities.municipality', verbose_name='муниципальное образование'),
                ),
                migrations.AlterField(
                    model_name='council',
                    name='municipality',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='councils', to='municipalities.municipality', verbose_name='муниципальное образование'),
                ),
                migrations.AlterField(
                    model_name='interaction',
                    name='municipality',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='referent_interactions', to='municipalities.municipality', verbose_name='муниципальное образование'),
                ),
                migrations.AlterField(
                    model_name='interaction',
                    name='responsible',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='referent_interactions', to='municipalities.official', verbose_name='ответственное должностное лицо'),
                ),
                migrations.AlterField(
                    model_name='mailing',
                    name='municipality',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='mailings', to='municipalities.municipality', verbose_name='муниципальное образование'),
                ),
                migrations.AlterField(
                    model_name='participant',
                    name='accepted_by',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='accepted_experts', to='municipalities.official', verbose_name='кем включен в базу'),
                ),
                migrations.AlterField(
                    model_name='participant',
                    name='municipality',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='referent_participants', to='municipalities.municipality', verbose_name='муниципальное образование'),
                ),
                migrations.AlterField(
                    model_name='participant',
                    name='proposed_by',
                    field=models.ForeignKey(blank=True, help_text='Руководитель органа администрации, предложивший кандидатуру.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='proposed_experts', to='municipalities.official', verbose_name='кем предложен'),
                ),
                migrations.AlterField(
                    model_name='referentgroup',
                    name='municipality',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='referent_groups', to='municipalities.municipality', verbose_name='муниципальное образование'),
                ),
                migrations.AlterField(
                    model_name='referentgroup',
                    name='responsible_departments',
                    field=models.ManyToManyField(blank=True, related_name='referent_groups', to='municipalities.department', verbose_name='ответственные подразделения'),
                ),
                migrations.AlterField(
                    model_name='referentgroup',
                    name='responsible_officials',
                    field=models.ManyToManyField(blank=True, related_name='referent_groups', to='municipalities.official', verbose_name='ответственные должностные лица'),
                ),
                migrations.AlterField(
                    model_name='tool',
                    name='municipality',
                    field=models.ForeignKey(blank=True, help_text='Пусто — общий перечень для всех муниципальных образований.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='municipalities.municipality', verbose_name='муниципальное образование'),
                ),
            ],
        ),
    ]
