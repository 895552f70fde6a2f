"""``portal reservations …``: the reservations app's command line.

* ``portal reservations load_demo`` — Kunitomi Town's 17 facilities, a staff account
  (kunitomi-staff), demo residents and bookings (also part of ``portal load_demo``).
* ``portal reservations send_reminders`` — mail tomorrow's bookings a reminder with
  an .ics attachment; run it once a day (cron or a scheduler), it never sends twice.
* ``portal reservations draw_lottery`` — draw the months whose lottery applications
  have closed; run it once a day, each facility's month is drawn only once.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cms.reservations import mail
from cms.reservations.demo import STAFF_USERNAME, load_reservation_demo


class Command(BaseCommand):
    help = "施設予約: デモデータの読み込み（load_demo）、前日通知の送信（send_reminders）。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        demo = sub.add_parser("load_demo", help="国富町の17施設と予約のデモデータ")
        demo.add_argument(
            "--no-bookings", action="store_true", help="施設と利用者だけを読み込む"
        )
        sub.add_parser("send_reminders", help="翌日の予約に前日通知メールを送る")
        sub.add_parser(
            "draw_lottery",
            help="申込期間が終わった月の抽選を行う（毎日実行。済んだ月は二度と抽選しない）",
        )

    def handle(self, *args, action, **options):
        if action == "load_demo":
            if settings.PRODUCTION:
                raise CommandError("本番環境ではデモデータを読み込めません。")
            created = load_reservation_demo(with_bookings=not options["no_bookings"])
            if created:
                summary = "、".join(f"{k} {v}件" for k, v in created.items() if v)
                self.stdout.write(
                    self.style.SUCCESS(f"施設予約のデモデータ: {summary or '変更なし'}")
                )
            self.stdout.write(
                f"職員: {STAFF_USERNAME}（施設予約担当）／利用者: yamada@example.jp ほか"
                f"（パスワード {settings.PORTAL_DEMO_PASSWORD}）"
            )
        elif action == "draw_lottery":
            from django.utils import timezone

            from cms.reservations.services import draw_lottery, due_draws

            for facility, month in list(due_draws(timezone.localdate())):
                draw = draw_lottery(facility, month)
                self.stdout.write(
                    f"{facility.name} {month:%Y年%m月}分: 申込 {draw.entries}件、"
                    f"当選 {draw.won}件（乱数の種 {draw.seed}）"
                )
        elif action == "send_reminders":
            sent = mail.send_reminders()
            self.stdout.write(f"前日通知を{sent}件送りました。")
