"""The demo knowledge base: ``faq.csv`` (304 answers written for this demo about
moving to Ibaraki: support money, akiya bank, trial stays, work, farming, child
rearing, schools, medical care, transport, daily life and every municipality's
consultation desk) and ``eval.tsv`` (550 visitor questions with spelling
variation, to measure the matcher with ``portal chat eval``).

``load_demo_faq`` is called by ``portal load_demo``."""

from collections import Counter
from pathlib import Path

from django.db import transaction

DEMO_DIR = Path(__file__).resolve().parent
FAQ_CSV = DEMO_DIR / "faq.csv"
EVAL_TSV = DEMO_DIR / "eval.tsv"

# A starter synonym list; staff extend it in チャットボット → 同義語.
SYNONYMS = {
    "空き家": ["空家", "空き屋", "あき家"],
    "お試し居住": ["お試し住宅", "おためし住宅", "移住体験住宅", "お試し暮らし"],
    "地域おこし協力隊": ["地域起こし協力隊", "地おこし協力隊"],
    "テレワーク": ["リモートワーク", "在宅勤務", "リモート勤務"],
    "子ども": ["子供", "こども", "小供"],
    "引っ越し": ["引越し", "引越", "転居"],
    "補助金": ["助成金"],
}


@transaction.atomic
def load_demo_faq(created: Counter | None = None) -> int:
    """Add the demo answers, categories and synonyms that are missing (answers
    already there, perhaps edited by staff, are left alone). Links each town's
    answer to its consultation desk. Returns how many answers were added."""
    from cms.core.models import ConsultationDesk

    from ..csv_io import apply_faq_rows, municipality_lookup, parse_faq_csv
    from ..models import FaqAnswer, FaqSynonym

    created = created if created is not None else Counter()
    for term, variants in SYNONYMS.items():
        _, new = FaqSynonym.objects.get_or_create(
            term=term, defaults={"variants": "\n".join(variants)}
        )
        created["チャットボットの同義語"] += new

    report = parse_faq_csv(FAQ_CSV.read_text(encoding="utf-8"), municipality_lookup())
    if not report.ok:
        raise ValueError(
            "デモのFAQ（faq.csv）に誤りがあります: " + " / ".join(report.errors)
        )
    existing = set(FaqAnswer.objects.values_list("key", flat=True))
    report.rows = [row for row in report.rows if row.key not in existing]
    if not report.rows:
        return 0
    apply_faq_rows(report)
    if report.errors:
        raise ValueError(" / ".join(report.errors))
    added = report.counts["追加"]
    created["チャットボットのFAQ"] += added

    prefecture_desk = ConsultationDesk.objects.filter(municipality=None).first()
    for answer in FaqAnswer.objects.filter(
        key__in=[row.key for row in report.rows], desk=None
    ).select_related("municipality"):
        desk = None
        if answer.municipality_id:
            desk = answer.municipality.primary_desk()
        elif answer.key == "madoguchi-pref":
            desk = prefecture_desk
        if desk is not None:
            answer.desk = desk
            answer.save(update_fields=["desk", "updated_at"])
    return added
