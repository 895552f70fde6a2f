"""The commands cron runs, and the same jobs as tasks."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from cms.analytics.models import DailySiteStat, PageEvent
from cms.analytics.tasks import rollup_task

pytestmark = pytest.mark.django_db


def test_rollup_command_aggregates_what_was_collected(send, capsys):
    send("/towns/mito/")
    send("/towns/tsukuba/")
    call_command("analytics", "rollup", verbosity=0)
    assert "1日分を集計" in capsys.readouterr().out
    assert DailySiteStat.objects.get(day=timezone.localdate()).pageviews == 2


def test_rollup_task_runs_on_the_queue(send):
    send("/")
    result = rollup_task.enqueue()
    assert result.return_value["days"] == [str(timezone.localdate())]
    assert DailySiteStat.objects.exists()


def test_old_raw_events_are_pruned_by_the_command(send):
    send("/")
    PageEvent.objects.update(day=timezone.localdate() - datetime.timedelta(days=5))
    call_command("analytics", "rollup", verbosity=0)
    assert not PageEvent.objects.exists()
    assert DailySiteStat.objects.count() == 1


def test_report_command_emails_the_given_addresses(smtp_server, october, capsys):
    call_command(
        "analytics_report", "--month", "2026-10", "--email", "kikaku@pref.example.jp"
    )
    assert "1人に送信しました" in capsys.readouterr().out
    assert smtp_server.parsed()[0]["To"] == "kikaku@pref.example.jp"


def test_report_command_refuses_a_bad_month():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("analytics_report", "--month", "2026/10")
    with pytest.raises(CommandError, match="--month"):
        call_command("analytics_report")
