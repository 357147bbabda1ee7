import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from openness_portal.migration_operations import move_content_types


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('municipalities', '0001_initial'),
        ('roadmaps', '0005_models_moved_to_own_apps'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # ImportJob moved here from roadmaps with its table (db_table): only Django's state changes.
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='ImportJob',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('file', models.FileField(upload_to='roadmap-imports/%Y/%m/', verbose_name='файл')),
                        ('original_name', models.CharField(blank=True, max_length=255, verbose_name='имя файла')),
                        ('checksum', models.CharField(blank=True, db_index=True, max_length=64, verbose_name='контрольная сумма файла')),
                        ('options', models.JSONField(blank=True, default=dict, verbose_name='параметры загрузки')),
                        ('preview', models.JSONField(blank=True, default=dict, editable=False, verbose_name='что распознано')),
                        ('status', models.CharField(choices=[('preview', 'предпросмотр'), ('queued', 'в очереди'), ('running', 'выполняется'), ('done', 'загружено'), ('failed', 'ошибка')], db_index=True, default='preview', max_length=10, verbose_name='статус')),
                        ('progress', models.PositiveSmallIntegerField(default=0, verbose_name='выполнено, %')),
                        ('measure_count', models.PositiveIntegerField(default=0, verbose_name='мероприятий')),
                        ('error', models.TextField(blank=True, verbose_name='ошибка')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='загружен')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='завершен')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='загрузил')),
                        ('municipality', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='import_jobs', to='municipalities.municipality', verbose_name='муниципальное образование')),
                        ('roadmap', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='import_jobs', to='roadmaps.roadmap', verbose_name='созданная дорожная карта')),
                    ],
                    options={
                        'verbose_name': 'загрузка дорожной карты из файла',
                        'verbose_name_plural': 'загрузки дорожных карт из файлов',
                        'db_table': 'roadmaps_importjob',
                        'ordering': ['-created_at'],
                    },
                ),
            ],
        ),
        move_content_types("roadmaps", "importing", ["importjob"]),
    ]
