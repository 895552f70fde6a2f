"""The page tree of the portal, apart from the municipality listings.

::

    HomePage /
    ├── MunicipalityIndexPage /towns/                 (市町村一覧)
    │   └── MunicipalityPage /towns/mito/             (市町村情報, one per Municipality)
    │       ├── SupportMeasureIndexPage support/      └── SupportMeasurePage …
    │       ├── EventIndexPage events/                └── EventPage …      (cms.listings)
    │       ├── AkiyaIndexPage akiya/                 └── AkiyaListingPage …
    │       ├── TrialStayIndexPage trial-stays/       └── TrialStayPage …
    │       ├── RecruitmentIndexPage recruitment/     └── RecruitmentPage …
    │       └── ProgramIndexPage ties/                └── ProgramPage …   (cms.ties)
    ├── SupportMeasureIndexPage /support/             (県の移住支援策)
    ├── ArticleIndexPage /articles/                   └── ArticlePage …
    └── StandardPage …

Pages marked ``structural`` are kept in place by ``PortalPagePermissionTester``:
municipality editors fill them but cannot delete, move or unpublish them.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.api.tokens import PortalPreviewMixin
from cms.core.blocks import RICH_TEXT_FEATURES, BodyBlock
from cms.core.fields import YenField, image_field
from cms.core.permissions import PortalPagePermissionTester


class PortalPage(PortalPreviewMixin, Page):
    """Base of every page type of the portal: permissions from
    ``cms.core.permissions`` and the headless preview of ``cms.api.tokens``."""

    #: Structural pages are created by the system and kept in place (see module doc).
    structural = False

    template = "pages/page_preview.html"

    class Meta:
        abstract = True

    def permissions_for_user(self, user):
        return PortalPagePermissionTester(user, self)

    def get_municipality_page(self):
        """The MunicipalityPage this page lies under (or is), if any."""
        if isinstance(self, MunicipalityPage):
            return self
        return (
            MunicipalityPage.objects.filter(path__in=_ancestor_paths(self))
            .select_related("municipality")
            .first()
        )


def _ancestor_paths(page: Page) -> list[str]:
    step = page.steplen
    return [page.path[:i] for i in range(step, len(page.path), step)]


class MunicipalityContentPage(PortalPage):
    """A page that belongs to the municipality it sits under.

    ``municipality`` is not edited: it follows from the page's place in the tree, is
    set on every save and again when the page is moved (``cms.pages.signals``), so
    queries and the content API can filter by municipality without walking the tree.
    """

    municipality = models.ForeignKey(
        "core.Municipality",
        verbose_name="市町村",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.path:
            self.municipality = self.resolve_municipality()
        super().save(*args, **kwargs)

    def resolve_municipality(self):
        municipality_page = self.get_municipality_page()
        return municipality_page.municipality if municipality_page else None


class HomePage(PortalPage):
    """The portal's top page (トップページ)."""

    structural = True
    template = "pages/home_page.html"
    hero_title = models.CharField("メインの見出し", max_length=80, blank=True)
    hero_lead = models.TextField("リード文", max_length=300, blank=True)
    hero_image = image_field("メイン画像")
    body = StreamField(BodyBlock(), verbose_name="本文", blank=True)

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("hero_title"),
                FieldPanel("hero_lead"),
                FieldPanel("hero_image"),
            ],
            heading="メインビジュアル",
        ),
        FieldPanel("body"),
    ]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "pages.MunicipalityIndexPage",
        "pages.SupportMeasureIndexPage",
        "pages.ArticleIndexPage",
        "pages.StandardPage",
    ]
    max_count = 1

    class Meta:
        verbose_name = "トップページ"


class MunicipalityIndexPage(PortalPage):
    """市町村一覧: the parent of every municipality page."""

    structural = True
    intro = RichTextField("紹介文", features=RICH_TEXT_FEATURES, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["pages.HomePage"]
    subpage_types = ["pages.MunicipalityPage"]
    max_count = 1

    class Meta:
        verbose_name = "市町村一覧"


class MunicipalityPage(PortalPage):
    """市町村情報: what a person considering a move wants to know about one town.

    The prefecture reviews these once a year, so ``last_reviewed_on`` records when the
    facts were last checked."""

    structural = True
    municipality = models.OneToOneField(
        "core.Municipality",
        verbose_name="市町村",
        on_delete=models.PROTECT,
        related_name="page",
    )
    catchcopy = models.CharField("キャッチコピー", max_length=80, blank=True)
    hero_image = image_field("メイン画像")
    overview = RichTextField("まちの概要", features=RICH_TEXT_FEATURES, blank=True)
    population = models.PositiveIntegerField("人口", null=True, blank=True)
    households = models.PositiveIntegerField("世帯数", null=True, blank=True)
    population_as_of = models.DateField("人口の基準日", null=True, blank=True)
    area_km2 = models.DecimalField(
        "面積（㎢）", max_digits=8, decimal_places=2, null=True, blank=True
    )
    minutes_from_tokyo = models.PositiveSmallIntegerField(
        "東京からの所要時間（分）",
        null=True,
        blank=True,
        help_text="東京駅からの代表的な経路の所要時間。一覧での並べ替えに使います。",
    )
    access_from_tokyo = RichTextField(
        "東京からのアクセス", features=RICH_TEXT_FEATURES, blank=True
    )
    living = RichTextField("暮らし", features=RICH_TEXT_FEATURES, blank=True)
    work = RichTextField("仕事", features=RICH_TEXT_FEATURES, blank=True)
    child_rearing = RichTextField(
        "子育て・教育", features=RICH_TEXT_FEATURES, blank=True
    )
    body = StreamField(BodyBlock(), verbose_name="そのほかの情報", blank=True)
    last_reviewed_on = models.DateField(
        "情報の最終確認日",
        null=True,
        blank=True,
        help_text="県が年1回の見直しで内容を確認した日。",
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("municipality", read_only=True),
        FieldPanel("catchcopy"),
        FieldPanel("hero_image"),
        FieldPanel("overview"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("population"), FieldPanel("households")]),
                FieldRowPanel([FieldPanel("population_as_of"), FieldPanel("area_km2")]),
            ],
            heading="データ",
        ),
        MultiFieldPanel(
            [FieldPanel("minutes_from_tokyo"), FieldPanel("access_from_tokyo")],
            heading="アクセス",
        ),
        FieldPanel("living"),
        FieldPanel("work"),
        FieldPanel("child_rearing"),
        FieldPanel("body"),
        FieldPanel("last_reviewed_on"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("catchcopy"),
        index.SearchField("overview"),
        index.FilterField("municipality"),
    ]
    parent_page_types = ["pages.MunicipalityIndexPage"]
    subpage_types = [
        "pages.SupportMeasureIndexPage",
        "listings.EventIndexPage",
        "listings.AkiyaIndexPage",
        "listings.TrialStayIndexPage",
        "listings.RecruitmentIndexPage",
        "ties.ProgramIndexPage",
    ]

    class Meta:
        verbose_name = "市町村情報"

    def ensure_sections(self):
        """Create the section pages every municipality has (idempotent)."""
        from cms.listings.models import SECTION_PAGE_TYPES

        existing = {type(child) for child in self.get_children().specific()}
        for page_class in [SupportMeasureIndexPage, *SECTION_PAGE_TYPES]:
            if page_class in existing:
                continue
            section = page_class(
                title=page_class.section_title,
                slug=page_class.section_slug,
                live=self.live,
                owner=self.owner,
            )
            self.add_child(instance=section)
            if self.live:
                section.save_revision(user=self.owner, log_action=False).publish(
                    log_action=False
                )


class SupportMeasureCategory(models.TextChoices):
    HOUSING = "housing", "住まい"
    WORK = "work", "仕事"
    CHILDCARE = "childcare", "子育て"
    RELOCATION_GRANT = "relocation_grant", "移住支援金"
    OTHER = "other", "その他"


class SupportMeasureIndexPage(PortalPage):
    """移住支援策の一覧: under the home page for the prefecture's own measures, and
    under each municipality page for that municipality's."""

    structural = True
    section_title = "移住支援策"
    section_slug = "support"
    intro = RichTextField("紹介文", features=RICH_TEXT_FEATURES, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["pages.HomePage", "pages.MunicipalityPage"]
    subpage_types = ["pages.SupportMeasurePage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = "移住支援策の一覧"


class SupportMeasurePage(MunicipalityContentPage):
    """移住支援策: a subsidy or service for people who move (住まい, 仕事, 子育て,
    移住支援金 …), offered by a municipality or by the prefecture."""

    category = models.CharField(
        "分類", max_length=20, choices=SupportMeasureCategory.choices
    )
    summary = models.TextField("概要", max_length=300)
    amount_text = models.CharField(
        "支援額", max_length=120, blank=True, help_text="例: 最大100万円（世帯の場合）"
    )
    amount_max_yen = YenField(
        "支援額の上限（円）", help_text="絞り込みと並べ替えに使います。"
    )
    eligibility = RichTextField("対象となる人", features=RICH_TEXT_FEATURES, blank=True)
    period_start = models.DateField("受付開始日", null=True, blank=True)
    period_end = models.DateField("受付終了日", null=True, blank=True)
    period_note = models.CharField(
        "受付期間の補足", max_length=200, blank=True, help_text="例: 予算に達し次第終了"
    )
    how_to_apply = RichTextField("申請方法", features=RICH_TEXT_FEATURES, blank=True)
    contact_desk = models.ForeignKey(
        "core.ConsultationDesk",
        verbose_name="問い合わせ先",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    official_url = models.URLField("公式ページ", blank=True)
    body = StreamField(BodyBlock(), verbose_name="詳しい説明", blank=True)

    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("category"), FieldPanel("amount_text")]),
        FieldPanel("amount_max_yen"),
        FieldPanel("summary"),
        FieldPanel("eligibility"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("period_start"), FieldPanel("period_end")]),
                FieldPanel("period_note"),
            ],
            heading="受付期間",
        ),
        FieldPanel("how_to_apply"),
        FieldRowPanel([FieldPanel("contact_desk"), FieldPanel("official_url")]),
        FieldPanel("body"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("eligibility"),
        index.FilterField("category"),
        index.FilterField("municipality"),
    ]
    parent_page_types = ["pages.SupportMeasureIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = "移住支援策"

    def clean(self):
        super().clean()
        if (
            self.period_start
            and self.period_end
            and self.period_end < self.period_start
        ):
            raise ValidationError(
                {
                    "period_end": "受付終了日は受付開始日と同じ日かそれより後にしてください。"
                }
            )


class ArticleIndexPage(PortalPage):
    """特集・コラムの一覧."""

    structural = True
    intro = RichTextField("紹介文", features=RICH_TEXT_FEATURES, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["pages.HomePage"]
    subpage_types = ["pages.ArticlePage"]

    class Meta:
        verbose_name = "記事一覧"


class ArticlePage(PortalPage):
    """特集・コラム: prefecture-wide stories (移住者インタビュー, 暮らしの紹介 …)."""

    date = models.DateField("日付", default=timezone.localdate)
    summary = models.TextField("概要", max_length=300, blank=True)
    hero_image = image_field("メイン画像")
    related_municipalities = ParentalManyToManyField(
        "core.Municipality",
        verbose_name="関係する市町村",
        blank=True,
        related_name="articles",
    )
    body = StreamField(BodyBlock(), verbose_name="本文")

    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("date"), FieldPanel("hero_image")]),
        FieldPanel("summary"),
        FieldPanel("related_municipalities"),
        FieldPanel("body"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
    ]
    parent_page_types = ["pages.ArticleIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = "記事"


class StandardPage(PortalPage):
    """A plain page (このサイトについて, 相談の流れ …)."""

    summary = models.TextField("概要", max_length=300, blank=True)
    body = StreamField(BodyBlock(), verbose_name="本文")

    content_panels = [*Page.content_panels, FieldPanel("summary"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("body")]
    parent_page_types = ["pages.HomePage", "pages.StandardPage"]

    class Meta:
        verbose_name = "一般ページ"
