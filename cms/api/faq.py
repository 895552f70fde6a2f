"""The chatbot's prepared answers as よくある質問 (FAQ), for the static FAQ page:
the page search engines and visitors without JavaScript read, and where the chat
widget sends people when the chat API cannot be reached."""

import strawberry

from .objects import RichText


@strawberry.type(
    description="よくある質問の一問一答 (an active answer of the chatbot)."
)
class FaqItem:
    key: str = strawberry.field(description="The answer's stable id (its anchor).")
    question: str
    html: RichText = strawberry.field(
        description="The answer, as safe HTML with internal links resolved."
    )
    url: str = strawberry.field(
        description="「詳しく見る」: the page it points to, or empty."
    )


@strawberry.type(description="よくある質問 of one category, in the chatbot's order.")
class FaqSection:
    name: str
    items: list[FaqItem]


OTHER_SECTION = "その他"


def faq_sections() -> list[FaqSection]:
    from cms.chat.models import FaqAnswer
    from cms.chat.public_api import answer_url
    from cms.chat.service import answer_html

    answers = (
        FaqAnswer.objects.filter(active=True)
        .select_related("category", "related_page")
        .order_by("category__sort_order", "category__name", "question", "pk")
    )
    sections: dict[str, list[FaqItem]] = {}
    for answer in answers:
        name = answer.category.name if answer.category_id else OTHER_SECTION
        sections.setdefault(name, []).append(
            FaqItem(
                key=answer.key,
                question=answer.question,
                html=RichText(answer_html(answer.body)),
                url=answer_url(answer),
            )
        )
    if OTHER_SECTION in sections:  # uncategorised answers last
        sections[OTHER_SECTION] = sections.pop(OTHER_SECTION)
    return [FaqSection(name=name, items=items) for name, items in sections.items()]
