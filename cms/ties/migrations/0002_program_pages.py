
import cms.api.tokens
import cms.core.fields
import cms.ties.fields
import django.db.models.deletion
import wagtail.fields
from django.conf import settings
from django.db import migrations, models


def drop_applications(apps, schema_editor):
    # A clean switch (nothing was released): applications pointed at the old
    # Program rows, which are not carried over; `portal load_demo` makes
    # program pages and applications again.
    apps.get_model("ties", "Application").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0001_initial'),
        ('ties', '0001_initial'),
        ('wagtailcore', '0098_apitoken'),
    ]

    operations = [
        migrations.RunPython(drop_applications, migrations.RunPython.noop),
        migrations.CreateModel(
            name='ProgramIndexPage',
            fields=[
                ('page_ptr', models.OneToOneField(auto_created=True, on_delete=django.db.models.deletion.CASCADE, parent_link=True, primary_key=True, serialize=False, to=settings.WAGTAIL_PAGE_MODEL)),
                ('intro', wagtail.fields.RichTextField(blank=True, verbose_name='紹介文')),
            ],
            options={
                'verbose_name': '受入プログラムの一覧',
            },
            bases=(cms.api.tokens.PortalPreviewMixin, 'wagtailcore.page'),
        ),
        migrations.CreateModel(
            name='ProgramPage',
            fields=[
                ('page_ptr', models.OneToOneField(auto_created=True, on_delete=django.db.models.deletion.CASCADE, parent_link=True, primary_key=True, serialize=False, to=settings.WAGTAIL_PAGE_MODEL)),
                ('summary', models.TextField(help_text='一覧に表示する短い説明（300字まで）。', max_length=300, verbose_name='概要')),
                ('purpose', models.TextField(verbose_name='目的')),
                ('local_issue', models.TextField(blank=True, verbose_name='地域の課題')),
                ('starts_on', models.DateField(verbose_name='開始日')),
                ('ends_on', models.DateField(verbose_name='終了日')),
                ('capacity', models.PositiveSmallIntegerField(default=10, verbose_name='募集人数')),
                ('skills_wanted', cms.ties.fields.TagListField(blank=True, default=list, verbose_name='求めるスキル')),
                ('interests', cms.ties.fields.TagListField(blank=True, default=list, verbose_name='関連する関心')),
                ('involvements', cms.core.fields.ChoiceListField(blank=True, default=list, options=[('side_job', '副業・兼業'), ('volunteer', 'ボランティア'), ('workation', 'ワーケーション'), ('event', 'イベント参加')], verbose_name='関わり方')),
                ('costs_covered', models.TextField(blank=True, help_text='例: 宿泊費（2泊分）、昼食', verbose_name='受入支援（負担する費用）')),
                ('deadline', models.DateField(verbose_name='申込締切')),
                ('status', models.CharField(choices=[('open', '募集中'), ('closed', '募集終了'), ('done', '実施済み')], db_index=True, default='open', max_length=10, verbose_name='募集の状態')),
                ('opened_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='募集開始日時')),
                ('host', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='programs', to='ties.hostorganisation', verbose_name='受入団体')),
                ('municipality', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, to='core.municipality', verbose_name='市町村')),
            ],
            options={
                'verbose_name': '受入プログラム',
                'verbose_name_plural': '受入プログラム',
            },
            bases=(cms.api.tokens.PortalPreviewMixin, 'wagtailcore.page'),
        ),
        migrations.AlterField(
            model_name='application',
            name='program',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='applications', to='ties.programpage', verbose_name='プログラム'),
        ),
        migrations.DeleteModel(
            name='Program',
        ),
    ]
