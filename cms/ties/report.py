"""This app's section of the portal's monthly report (``cms.analytics`` finds
``monthly_section`` by name): the ties KPIs at the end of the month."""

import calendar
import datetime as dt

from . import kpis
from .models import ProgramPage, TiesMember


def monthly_section(year: int, month: int) -> dict | None:
    """None while the portal runs no ties operation (no members, no programs)."""
    if not TiesMember.objects.exists() and not ProgramPage.objects.exists():
        return None
    last_day = dt.date(year, month, calendar.monthrange(year, month)[1])
    data = kpis.build(today=last_day, month=(year, month))
    return {
        "key": "ties",
        "title": "関係人口",
        "summary": [
            ("今月の新規登録", f"{data['month']['registrations']:,}"),
            ("今年度の登録", f"{data['registrations']:,}"),
            ("活動中のメンバー", f"{data['active_members']:,}"),
            ("今月の申込み", f"{data['month']['applications']:,}"),
            ("マッチング（今年度）", f"{data['matches']:,}"),
            ("参加者", f"{data['participants']:,}"),
            ("リピーター", f"{data['repeaters']:,}"),
        ],
        "analysis": [
            f"今年度の登録は{data['registrations']:,}人で、"
            f"年間目標{data['target']:,}人の{data['progress']}%です。"
        ],
        "tables": [
            {
                "caption": "SNSフォロワー数（職員入力の最新値）",
                "header": ["SNS", "フォロワー数", "月"],
                "rows": [
                    [platform, f"{n:,}", f"{m:%Y-%m}"] for platform, n, m in data["sns"]
                ],
            }
        ],
    }
