"""StreamField blocks shared by every page type.

Kept to what editors of a relocation portal need: text with headings, images with
alt text and captions, galleries, tables, link buttons, Q&A, consultation desks,
downloadable documents and quotes from people who moved. Each block type also becomes
one GraphQL type, so adding a block here is a change to the content contract."""

from django.core.exceptions import ValidationError
from django.forms.utils import ErrorList
from wagtail import blocks
from wagtail.contrib.table_block.blocks import TableBlock
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageBlock
from wagtail.snippets.blocks import SnippetChooserBlock

RICH_TEXT_FEATURES = ["h3", "h4", "bold", "ol", "ul", "link", "document-link", "hr"]


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label="見出し", max_length=120)
    level = blocks.ChoiceBlock(
        label="レベル",
        choices=[("h2", "大見出し"), ("h3", "中見出し"), ("h4", "小見出し")],
        default="h2",
    )

    class Meta:
        icon = "title"
        label = "見出し"


class CaptionedImageBlock(blocks.StructBlock):
    image = ImageBlock(label="画像")
    caption = blocks.CharBlock(label="キャプション", required=False, max_length=200)

    class Meta:
        icon = "image"
        label = "画像"


class GalleryBlock(blocks.StructBlock):
    title = blocks.CharBlock(label="タイトル", required=False, max_length=120)
    images = blocks.ListBlock(
        CaptionedImageBlock(), label="画像", min_num=1, max_num=30
    )

    class Meta:
        icon = "image"
        label = "フォトギャラリー"


class LinkButtonBlock(blocks.StructBlock):
    """A call to action (申込フォームへ, 詳しくはこちら). Links to a portal page or
    to an external address, not both."""

    label = blocks.CharBlock(label="ボタンの文字", max_length=60)
    page = blocks.PageChooserBlock(label="ポータル内のページ", required=False)
    url = blocks.URLBlock(label="外部のURL", required=False)

    class Meta:
        icon = "link"
        label = "リンクボタン"

    def clean(self, value):
        value = super().clean(value)
        if bool(value.get("page")) == bool(value.get("url")):
            message = "ポータル内のページか外部のURLのどちらか一方を指定してください。"
            raise blocks.StructBlockValidationError(
                block_errors={
                    "page": ErrorList([ValidationError(message)]),
                    "url": ErrorList([ValidationError(message)]),
                }
            )
        return value


class QuestionAnswerBlock(blocks.StructBlock):
    question = blocks.CharBlock(label="質問", max_length=200)
    answer = blocks.RichTextBlock(label="回答", features=RICH_TEXT_FEATURES)

    class Meta:
        icon = "help"
        label = "よくある質問"


class QuoteBlock(blocks.StructBlock):
    """移住者の声: a quote with who said it."""

    text = blocks.TextBlock(label="本文")
    attribution = blocks.CharBlock(
        label="話した人",
        required=False,
        max_length=120,
        help_text="例: 2022年に東京都から移住 Aさん",
    )

    class Meta:
        icon = "openquote"
        label = "引用・移住者の声"


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label="文書")
    label = blocks.CharBlock(
        label="リンクの文字",
        required=False,
        max_length=120,
        help_text="空欄なら文書のタイトル",
    )

    class Meta:
        icon = "doc-full"
        label = "ダウンロード"


class DeskBlock(blocks.StructBlock):
    desk = SnippetChooserBlock("core.ConsultationDesk", label="相談窓口")

    class Meta:
        icon = "user"
        label = "相談窓口"


class BodyBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        label="本文", features=RICH_TEXT_FEATURES, icon="pilcrow"
    )
    image = CaptionedImageBlock()
    gallery = GalleryBlock()
    table = TableBlock(
        label="表",
        table_options={"startRows": 3, "startCols": 2, "language": "ja"},
    )
    button = LinkButtonBlock()
    faq = QuestionAnswerBlock()
    quote = QuoteBlock()
    document = DocumentBlock()
    desk = DeskBlock()

    class Meta:
        label = "本文"
