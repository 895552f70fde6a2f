"""The monthly report for the prefecture (seed 000 §3(1)イ, §5): one document per
month, in Japanese, as HTML and PDF, made of sections.

Sections are pluggable. The report asks every installed ``cms.*`` app for its
section of the month, in this order:

1. a function ``monthly_section(year, month)`` in the app's ``report`` module,
   returning a ``ReportSection`` or a dict with the same keys (so an app need
   not import this one);
2. else a built-in adapter (``sections.ADAPTERS``) for apps whose report module
   predates this contract (the chatbot's ``report.build_monthly_report``, the mail
   app's ``reports.monthly_summary``) or that have none (akiya, reservations);
3. else, with only ``build_monthly_report(year, month)``, the figures of its
   ``summary()``; an app without a report module adds no section.

Charts are drawn by matplotlib (Agg); the PDF is laid out by reportlab with the
Japanese font the chatbot report already finds (``cms.chat.report``: IPAex Gothic
from the japanize-matplotlib wheel, or ``PORTAL_REPORT_FONT``), so nothing is
downloaded and no system font package is needed.
"""

import base64
import datetime
import io
import logging
from dataclasses import dataclass, field
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.template.loader import render_to_string
from django.utils import timezone

from cms.core.japanese import WEEKDAYS

from . import queries
from .counting import DEVICE_LABELS
from .queries import Period

logger = logging.getLogger(__name__)

try:  # one font finder for every report of the portal
    from cms.chat.report import ReportFontMissing, japanese_font_path
except ImportError:  # pragma: no cover - the chatbot app removed

    class ReportFontMissing(RuntimeError):
        pass

    def japanese_font_path() -> str:
        raise ReportFontMissing(
            "PORTAL_REPORT_FONT に日本語の .ttf を指定してください。"
        )


@dataclass
class Table:
    caption: str
    header: list[str]
    rows: list[list]


@dataclass
class Chart:
    caption: str
    png: bytes

    @property
    def base64(self) -> str:
        return base64.b64encode(self.png).decode()


@dataclass
class ReportSection:
    key: str
    title: str
    summary: list[tuple[str, str]] = field(default_factory=list)
    analysis: list[str] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)

    @classmethod
    def coerce(cls, value, key: str) -> "ReportSection":
        if isinstance(value, ReportSection):
            return value
        data = dict(value)
        return cls(
            key=data.get("key", key),
            title=data["title"],
            summary=[tuple(item) for item in data.get("summary", [])],
            analysis=list(data.get("analysis", [])),
            charts=[
                c if isinstance(c, Chart) else Chart(c["caption"], c["png"])
                for c in data.get("charts", [])
            ],
            tables=[
                t
                if isinstance(t, Table)
                else Table(t["caption"], t["header"], t["rows"])
                for t in data.get("tables", [])
            ],
        )


# --- Charts ------------------------------------------------------------------------


def figure_png(draw, size=(7.2, 2.6)) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    font_path = japanese_font_path()
    font_manager.fontManager.addfont(font_path)
    name = font_manager.FontProperties(fname=font_path).get_name()
    with plt.rc_context({"font.family": name, "font.size": 9}):
        figure, axes = plt.subplots(figsize=size, dpi=110)
        try:
            draw(axes)
            figure.tight_layout()
            buffer = io.BytesIO()
            figure.savefig(buffer, format="png")
            return buffer.getvalue()
        finally:
            plt.close(figure)


def fmt_int(value) -> str:
    return f"{int(value or 0):,}"


def fmt_change(value) -> str:
    return "—" if value is None else f"{value:+.1%}"


def fmt_duration(seconds) -> str:
    if seconds is None:
        return "—"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}分{rest:02d}秒"


# --- The site's own section -----------------------------------------------------


def site_section(year: int, month: int) -> ReportSection:
    period = Period.month(year, month)
    trend = queries.trend(period)
    now = trend["current"]
    days = queries.per_day(period)
    months = queries.per_month(13, period)
    top_pages = queries.pages(period, 15)
    entries = queries.pages(period, 10, order="entries")
    sources = queries.sources(period, 10)
    campaigns = queries.campaigns(period, 10)
    devices = queries.dimension(period, "device")
    regions = queries.dimension(period, "region")[:10]
    towns = queries.municipalities(period)
    akiya = queries.akiya(period, 10)

    def draw_days(axes):
        x = [d["day"].day for d in days]
        axes.bar(
            x, [d["pageviews"] for d in days], color="#1a5fb4", label="ページビュー"
        )
        axes.plot(
            x,
            [d["sessions"] for d in days],
            color="#c64600",
            marker=".",
            label="セッション",
        )
        axes.plot(
            x,
            [d["visitors"] for d in days],
            color="#26a269",
            marker=".",
            label="ユーザー",
        )
        axes.set_xlabel("日")
        axes.set_title(f"日別の推移（{period.label()}）")
        axes.legend(loc="upper right")

    def draw_months(axes):
        labels = [f"{m['month']:%y/%m}" for m in months]
        axes.plot(
            labels,
            [m["pageviews"] for m in months],
            marker="o",
            color="#1a5fb4",
            label="ページビュー",
        )
        axes.plot(
            labels,
            [m["sessions"] for m in months],
            marker="s",
            color="#c64600",
            label="セッション",
        )
        axes.plot(
            labels,
            [m["visitors"] for m in months],
            marker="^",
            color="#26a269",
            label="ユーザー",
        )
        axes.set_title("月別の推移（13か月）")
        axes.legend(loc="upper left")

    def draw_sources(axes):
        top = list(reversed(sources[:8]))
        axes.barh(
            [s["source"][:24] for s in top],
            [s["sessions"] for s in top],
            color="#1a5fb4",
        )
        axes.set_title("参照元別のセッション")

    def draw_towns(axes):
        top = towns[:15]
        axes.bar(
            [t["municipality__name"] for t in top],
            [t["pageviews"] for t in top],
            color="#26a269",
        )
        axes.set_title("市町村ページのページビュー（上位15）")
        axes.tick_params(axis="x", labelrotation=60)

    section = ReportSection(key="site", title="サイトのアクセス")
    section.summary = [
        ("ページビュー", fmt_int(now["pageviews"])),
        ("ユーザー", fmt_int(now["visitors"])),
        ("セッション", fmt_int(now["sessions"])),
        ("問い合わせクリック", fmt_int(now["inquiries"])),
        ("直帰率", "—" if now["bounce_rate"] is None else f"{now['bounce_rate']:.1%}"),
        ("平均滞在時間", fmt_duration(now["average_seconds"])),
        ("ページビュー前月比", fmt_change(trend["vs_previous"]["pageviews"])),
        ("ページビュー前年同月比", fmt_change(trend["vs_last_year"]["pageviews"])),
    ]
    section.analysis = site_analysis(
        period, trend, days, top_pages, entries, sources, devices, towns, akiya
    )
    if now["sessions"] or any(m["sessions"] for m in months):
        section.charts = [
            Chart("日別の推移", figure_png(draw_days)),
            Chart("月別の推移", figure_png(draw_months)),
        ]
        if sources:
            section.charts.append(Chart("参照元", figure_png(draw_sources)))
        if towns:
            section.charts.append(
                Chart("市町村別", figure_png(draw_towns, size=(7.2, 3.0)))
            )
    section.tables = [
        Table(
            "よく見られたページ",
            ["ページ", "ページビュー", "ユーザー", "入口"],
            [
                [
                    p["title"] or p["path"],
                    fmt_int(p["pageviews"]),
                    fmt_int(p["visitors"]),
                    fmt_int(p["entries"]),
                ]
                for p in top_pages
            ],
        ),
        Table(
            "入口になったページ",
            ["ページ", "入口"],
            [[p["title"] or p["path"], fmt_int(p["entries"])] for p in entries],
        ),
        Table(
            "参照元",
            ["参照元", "セッション", "ユーザー"],
            [
                [s["source"], fmt_int(s["sessions"]), fmt_int(s["visitors"])]
                for s in sources
            ],
        ),
        Table(
            "キャンペーン",
            ["キャンペーン", "参照元 / メディア", "セッション"],
            [
                [
                    c["campaign"],
                    f"{c['source']} / {c['medium'] or '—'}",
                    fmt_int(c["sessions"]),
                ]
                for c in campaigns
            ],
        ),
        Table(
            "端末",
            ["端末", "セッション", "ユーザー"],
            [
                [d["label"], fmt_int(d["sessions"]), fmt_int(d["visitors"])]
                for d in devices
            ],
        ),
        Table(
            "地域",
            ["地域", "セッション"],
            [[r["label"], fmt_int(r["sessions"])] for r in regions],
        ),
        Table(
            "市町村別",
            ["市町村", "ページビュー", "ユーザー", "問い合わせ"],
            [
                [
                    t["municipality__name"],
                    fmt_int(t["pageviews"]),
                    fmt_int(t["visitors"]),
                    fmt_int(t["inquiries"]),
                ]
                for t in towns
            ],
        ),
        Table(
            "空き家物件ページ",
            ["物件", "ページビュー", "問い合わせ"],
            [
                [
                    p["title"] or p["path"],
                    fmt_int(p["pageviews"]),
                    fmt_int(p["inquiries"]),
                ]
                for p in akiya["top"]
            ],
        ),
    ]
    return section


def site_analysis(
    period, trend, days, top_pages, entries, sources, devices, towns, akiya
) -> list[str]:
    """The written analysis: the month in a few sentences a reader can check
    against the tables."""
    now = trend["current"]
    if not now["sessions"]:
        return [f"{period.label()}のアクセスの記録はありません。"]
    today = timezone.localdate()
    partial = (
        [
            f"※ 月の途中（{today.month}月{today.day}日まで）の集計です。前月比は月全体との比較です。"
        ]
        if period.start <= today <= period.end
        else []
    )
    lines = [
        *partial,
        f"{period.label()}のページビューは{fmt_int(now['pageviews'])}"
        f"（前月比 {fmt_change(trend['vs_previous']['pageviews'])}、前年同月比 "
        f"{fmt_change(trend['vs_last_year']['pageviews'])}）、ユーザーは"
        f"{fmt_int(now['visitors'])}（前月比 "
        f"{fmt_change(trend['vs_previous']['visitors'])}）、セッションは"
        f"{fmt_int(now['sessions'])}でした。",
        f"1セッションあたり{now['pages_per_session']:.1f}ページを閲覧し、平均滞在時間は"
        f"{fmt_duration(now['average_seconds'])}、直帰率は{now['bounce_rate']:.1%}です。",
    ]
    busiest = max(days, key=lambda d: d["pageviews"])
    lines.append(
        f"最も多く見られた日は{busiest['day'].month}月{busiest['day'].day}日"
        f"（{WEEKDAYS[busiest['day'].weekday()]}）の{fmt_int(busiest['pageviews'])}"
        "ページビューでした。"
    )
    if top_pages:
        top = top_pages[0]
        line = (
            f"最も見られたページは「{top['title'] or top['path']}」"
            f"（{fmt_int(top['pageviews'])}ページビュー）"
        )
        if entries:
            line += f"、入口として最も多かったのは「{entries[0]['title'] or entries[0]['path']}」"
        lines.append(line + "です。")
    if sources:
        total = sum(s["sessions"] for s in sources) or 1
        top = sources[0]
        lines.append(
            f"参照元は「{top['source']}」が最多で、セッションの{top['sessions'] / total:.0%}"
            "を占めます。"
        )
    mobile = next((d for d in devices if d["value"] == "mobile"), None)
    if mobile and now["sessions"]:
        lines.append(
            f"{DEVICE_LABELS['mobile']}からのセッションは全体の"
            f"{mobile['sessions'] / now['sessions']:.0%}です。"
        )
    if towns:
        lines.append(
            f"市町村のページでは{towns[0]['municipality__name']}が最も多く見られました"
            f"（{fmt_int(towns[0]['pageviews'])}ページビュー）。"
        )
    if akiya["pageviews"]:
        lines.append(
            f"空き家物件のページは{fmt_int(akiya['pageviews'])}回見られ、電話・メールでの"
            f"問い合わせのクリックは{fmt_int(akiya['inquiries'])}件でした。"
        )
    return [line for line in lines if line]


# --- Collecting the sections -----------------------------------------------------


def report_module(config):
    """The app's ``report`` module, or its ``reports`` module (the name some apps
    chose for the same thing), or None."""
    for name in ("report", "reports"):
        module_name = f"{config.name}.{name}"
        if find_spec(module_name) is not None:
            module = import_module(module_name)
            if hasattr(module, "monthly_section") or name == "report":
                return module
            adapter = _adapters().get(config.label)
            if (
                adapter is not None
                and adapter.requires
                and hasattr(module, adapter.requires)
            ):
                return module
    return None


def _adapters():
    from .sections import ADAPTERS

    return ADAPTERS


def section_providers() -> list[tuple[str, object]]:
    """(key, function(year, month)) for every section the installed apps offer."""
    from .sections import ORDER

    adapters = _adapters()
    providers = {"site": site_section}
    for config in apps.get_app_configs():
        if not config.name.startswith("cms.") or config.label == "analytics":
            continue
        module = report_module(config)
        adapter = adapters.get(config.label)
        if module is not None and hasattr(module, "monthly_section"):
            providers[config.label] = module.monthly_section
        elif adapter is not None and (
            adapter.requires is None
            or (module is not None and hasattr(module, adapter.requires))
        ):
            providers[config.label] = adapter
        elif module is not None and hasattr(module, "build_monthly_report"):
            providers[config.label] = generic_section(config, module)
    rank = {key: n for n, key in enumerate(ORDER)}
    return sorted(providers.items(), key=lambda item: rank.get(item[0], len(rank)))


def generic_section(config, module):
    """A report module with only ``build_monthly_report(year, month)`` (the shape
    of the chatbot's): its title and the scalar figures of its ``summary()``."""

    def section(year: int, month: int) -> ReportSection:
        built = module.build_monthly_report(year, month)
        figures = built.summary() if hasattr(built, "summary") else {}
        return ReportSection(
            key=config.label,
            title=str(config.verbose_name),
            summary=[
                (str(label), f"{value:,}" if isinstance(value, int) else str(value))
                for label, value in figures.items()
                if isinstance(value, int | float | str) and label != "month"
            ],
        )

    return section


@dataclass
class MonthlyReport:
    period: Period
    sections: list[ReportSection]
    failures: list[tuple[str, str]]
    generated_at: datetime.datetime

    @property
    def title(self) -> str:
        return f"移住ポータル 月次報告 {self.period.label()}"

    def section(self, key: str) -> ReportSection | None:
        return next((s for s in self.sections if s.key == key), None)

    def summary(self) -> dict:
        return {
            "month": f"{self.period.start:%Y-%m}",
            "sections": [s.key for s in self.sections],
            "failures": [key for key, _ in self.failures],
            **{
                f"{s.key}.{label}": value
                for s in self.sections
                for label, value in s.summary
            },
        }

    def html(self) -> str:
        return render_to_string("analytics/monthly_report.html", {"report": self})

    def pdf(self) -> bytes:
        from .pdf import render_pdf

        return render_pdf(self)


def build_report(year: int, month: int) -> MonthlyReport:
    """Every section of the month. A section that fails is reported in the
    document (and logged) instead of failing the whole report."""
    sections, failures = [], []
    for key, provider in section_providers():
        try:
            result = provider(year, month)
        except ReportFontMissing:
            raise
        except Exception as error:
            logger.exception("monthly report section %s failed", key)
            failures.append((key, f"{type(error).__name__}: {error}"))
            continue
        if result is not None:
            sections.append(ReportSection.coerce(result, key))
    return MonthlyReport(
        period=Period.month(year, month),
        sections=sections,
        failures=failures,
        generated_at=timezone.now(),
    )
