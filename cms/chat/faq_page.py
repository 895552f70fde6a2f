"""The static FAQ page (よくある質問): every active answer grouped by category, as
plain HTML with FAQPage structured data, for search engines and for visitors
without JavaScript or when the chat API is down. The static site build (and
``portal chat faq-page FILE``) writes it; the widget links to it."""

import json

from django.template.loader import render_to_string

from .models import FaqAnswer, FaqCategory
from .service import answer_html, plain_text


def faq_sections() -> list[dict]:
    answers = (
        FaqAnswer.objects.filter(active=True)
        .select_related("category", "municipality")
        .order_by("category__sort_order", "category__name", "key")
    )
    sections: dict = {}
    for answer in answers:
        name = answer.category.name if answer.category_id else "そのほか"
        sections.setdefault(name, []).append(
            {
                "id": answer.key,
                "question": answer.question,
                "html": answer_html(answer.body),
                "text": plain_text(answer.body),
                "url": answer.link_url,
            }
        )
    order = {c.name: i for i, c in enumerate(FaqCategory.objects.all())}
    return [
        {"name": name, "items": items}
        for name, items in sorted(
            sections.items(), key=lambda kv: order.get(kv[0], 1 << 30)
        )
    ]


def render_faq_page(title: str = "よくある質問") -> str:
    sections = faq_sections()
    structured = {
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "mainEntity": [
            {
                "@type": "Question",
                "name": item["question"],
                "acceptedAnswer": {"@type": "Answer", "text": item["text"]},
            }
            for section in sections
            for item in section["items"]
        ],
    }
    return render_to_string(
        "chat/faq_page.html",
        {
            "title": title,
            "sections": sections,
            "structured_data": json.dumps(structured, ensure_ascii=False).replace(
                "</", "<\\/"
            ),
        },
    )
