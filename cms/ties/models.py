"""People with ties to the region (関係人口, issue 14): members with their skills,
interests, regions and ways of getting involved; host organisations and the
programs (受入プログラム) they run in a municipality; applications with a message
thread; exchange meetings (交流会) with capacity and attendance; the transport
subsidy (来県支援交通費補助金) with receipts and review; SNS follower counts for
the KPIs.

A member is a Django user (as in ``cms.community``) with a ``TiesMember``; on
confirming their address they become a mail ``Subscriber`` in the 「関係人口」
segment (see ``cms.ties.members``).

Programs are pages under their municipality (``ProgramIndexPage`` /
``ProgramPage``, /towns/mito/ties/<slug>/ on the static site); everything else
here is a plain model, personal data that never reaches the content API."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.models import Page
from wagtail.search import index

from cms.core.fields import ChoiceListField
from cms.listings.models import SectionIndexPage
from cms.pages.models import MunicipalityContentPage

from .fields import TagListField
from .page_forms import ProgramPageForm

USER = settings.AUTH_USER_MODEL


class Involvement(models.TextChoices):
    SIDE_JOB = "side_job", "副業・兼業"
    VOLUNTEER = "volunteer", "ボランティア"
    WORKATION = "workation", "ワーケーション"
    EVENT = "event", "イベント参加"


class Availability(models.TextChoices):
    WEEKENDS = "weekends", "週末・祝日"
    WEEKDAYS = "weekdays", "平日も可"
    LONG = "long", "長期休暇のみ"
    ONLINE = "online", "オンラインのみ"


class MemberStatus(models.TextChoices):
    PENDING = "pending", "メール確認待ち"
    ACTIVE = "active", "活動中"
    PAUSED = "paused", "休止中"


class TiesMember(models.Model):
    """A registered member (関係人口登録)."""

    user = models.OneToOneField(
        USER, on_delete=models.CASCADE, related_name="ties_member"
    )
    name = models.CharField("お名前", max_length=60)
    prefecture = models.CharField("お住まいの都道府県", max_length=10)
    skills = models.JSONField("スキル", default=list, blank=True)
    interests = models.JSONField("関心のあること", default=list, blank=True)
    regions = models.ManyToManyField(
        "core.Municipality",
        verbose_name="関心のある地域",
        blank=True,
        related_name="ties_members",
    )
    involvements = models.JSONField("関わり方", default=list, blank=True)
    availability = models.CharField(
        "参加できる時期", max_length=10, choices=Availability.choices, blank=True
    )
    availability_note = models.CharField("時期の補足", max_length=200, blank=True)
    status = models.CharField(
        "状態",
        max_length=10,
        choices=MemberStatus.choices,
        default=MemberStatus.PENDING,
        db_index=True,
    )
    newsletter = models.BooleanField("月1回以上の情報メールを受け取る", default=True)
    consent_at = models.DateTimeField("同意日時", null=True, blank=True)
    consent_ip = models.GenericIPAddressField(
        "同意時のIPアドレス", null=True, blank=True
    )
    email_confirmed_at = models.DateTimeField("メール確認日時", null=True, blank=True)
    subscriber = models.OneToOneField(
        "mailing.Subscriber",
        verbose_name="メール配信の登録",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ties_member",
    )
    last_digest_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField("登録日時", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "関係人口メンバー"
        verbose_name_plural = "関係人口メンバー"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.name

    @property
    def email(self) -> str:
        return self.user.email

    @property
    def is_active(self) -> bool:
        return self.status == MemberStatus.ACTIVE

    def involvement_labels(self) -> list[str]:
        labels = dict(Involvement.choices)
        return [labels.get(k, k) for k in self.involvements]


class HostOrganisation(models.Model):
    """A local organisation that hosts programs; its users see only their own
    programs and applicants (``cms.core.permissions``)."""

    name = models.CharField("団体名", max_length=100, unique=True)
    municipality = models.ForeignKey(
        "core.Municipality",
        verbose_name="市町村",
        on_delete=models.PROTECT,
        related_name="ties_hosts",
    )
    contact_email = models.EmailField("連絡先メール")
    description = models.TextField("団体の紹介", blank=True)
    users = models.ManyToManyField(
        USER, verbose_name="担当者のアカウント", blank=True, related_name="ties_hosts"
    )

    class Meta:
        verbose_name = "受入団体"
        verbose_name_plural = "受入団体"
        ordering = ["name"]

    def __str__(self):
        return self.name


class ProgramStatus(models.TextChoices):
    """Where recruitment stands. Whether the page is public at all is Wagtail's
    (draft, published, scheduled), not a status here."""

    OPEN = "open", "募集中"
    CLOSED = "closed", "募集終了"
    DONE = "done", "実施済み"


class ProgramIndexPage(SectionIndexPage):
    """A municipality's 受入プログラム folder (/towns/mito/ties/), made when the
    first host of that municipality is registered (``ensure_for``), not with every
    municipality page: most towns have no host yet."""

    section_title = "関係人口の受入プログラム"
    section_slug = "ties"
    subpage_types = ["ties.ProgramPage"]

    class Meta:
        verbose_name = "受入プログラムの一覧"

    @classmethod
    def for_municipality(cls, municipality) -> "ProgramIndexPage | None":
        from cms.pages.models import MunicipalityPage

        town = MunicipalityPage.objects.filter(municipality=municipality).first()
        return cls.objects.child_of(town).first() if town is not None else None

    @classmethod
    def ensure_for(cls, municipality) -> "ProgramIndexPage | None":
        """The folder under ``municipality``'s page, created (and published with
        it) when missing, when hosts and 関係人口担当 get their rights on it
        (``cms.core.permissions``; after migrate, every folder's are checked
        again). None when the municipality has no page."""
        from cms.core.permissions import sync_ties_program_access
        from cms.pages.models import MunicipalityPage

        town = MunicipalityPage.objects.filter(municipality=municipality).first()
        if town is None:
            return None
        index = cls.objects.child_of(town).first()
        if index is None:
            index = cls(
                title=cls.section_title,
                slug=cls.section_slug,
                live=town.live,
                owner=town.owner,
            )
            town.add_child(instance=index)
            if town.live:
                index.save_revision(log_action=False).publish(log_action=False)
            sync_ties_program_access(index)
        return index


class ProgramPage(MunicipalityContentPage):
    """A program (受入プログラム) in a municipality, run by a host organisation:
    a Wagtail page under the municipality's ``ProgramIndexPage``, so drafts,
    revisions, approval and scheduled publishing are Wagtail's. The page's id is
    what /ties/programs/<id>/ (the apply form on the public side) takes."""

    host = models.ForeignKey(
        HostOrganisation,
        verbose_name="受入団体",
        on_delete=models.PROTECT,
        related_name="programs",
    )
    summary = models.TextField(
        "概要", max_length=300, help_text="一覧に表示する短い説明（300字まで）。"
    )
    purpose = models.TextField("目的")
    local_issue = models.TextField("地域の課題", blank=True)
    starts_on = models.DateField("開始日")
    ends_on = models.DateField("終了日")
    capacity = models.PositiveSmallIntegerField("募集人数", default=10)
    skills_wanted = TagListField("求めるスキル")
    interests = TagListField("関連する関心")
    involvements = ChoiceListField("関わり方", options=Involvement.choices)
    costs_covered = models.TextField(
        "受入支援（負担する費用）", blank=True, help_text="例: 宿泊費（2泊分）、昼食"
    )
    deadline = models.DateField("申込締切")
    status = models.CharField(
        "募集の状態",
        max_length=10,
        choices=ProgramStatus.choices,
        default=ProgramStatus.OPEN,
        db_index=True,
    )
    opened_at = models.DateTimeField(
        "募集開始日時", null=True, blank=True, editable=False
    )

    base_form_class = ProgramPageForm
    #: The content API shows the host's name with every program (cms.api.loader).
    api_select_related = ("host",)
    content_panels = [
        *Page.content_panels,
        FieldPanel("host"),
        FieldPanel("summary"),
        FieldPanel("purpose"),
        FieldPanel("local_issue"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("starts_on"), FieldPanel("ends_on")]),
                FieldRowPanel([FieldPanel("deadline"), FieldPanel("capacity")]),
                FieldPanel("status"),
            ],
            heading="日程と募集",
        ),
        MultiFieldPanel(
            [
                FieldPanel("skills_wanted"),
                FieldPanel("interests"),
                FieldPanel("involvements"),
            ],
            heading="求める人",
        ),
        FieldPanel("costs_covered"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("purpose"),
        index.FilterField("municipality"),
        index.FilterField("host"),
        index.FilterField("status"),
    ]
    parent_page_types = ["ties.ProgramIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = "受入プログラム"
        verbose_name_plural = "受入プログラム"

    def save(self, *args, **kwargs):
        # Published and recruiting for the first time: counts as new for the
        # weekly digest from now on.
        if self.live and self.status == ProgramStatus.OPEN and self.opened_at is None:
            self.opened_at = timezone.now()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = [*kwargs["update_fields"], "opened_at"]
        super().save(*args, **kwargs)

    def accepts_applications(self, today=None) -> bool:
        today = today or timezone.localdate()
        return (
            self.live and self.status == ProgramStatus.OPEN and today <= self.deadline
        )


def public_programs():
    """Program pages a visitor may see (live, not expired, no view restriction)."""
    return ProgramPage.objects.live().public().filter(expired=False)


class ApplicationStatus(models.TextChoices):
    APPLIED = "applied", "申込済み"
    ACCEPTED = "accepted", "受入決定"
    DECLINED = "declined", "お見送り"
    WITHDRAWN = "withdrawn", "取り下げ"
    CANCELLED = "cancelled", "受入の取り消し"
    PARTICIPATED = "participated", "参加済み"
    REPORTED = "reported", "報告済み"


class Application(models.Model):
    program = models.ForeignKey(
        ProgramPage,
        verbose_name="プログラム",
        on_delete=models.CASCADE,
        related_name="applications",
    )
    member = models.ForeignKey(
        TiesMember,
        verbose_name="メンバー",
        on_delete=models.CASCADE,
        related_name="applications",
    )
    message = models.TextField("申込みのメッセージ", max_length=2000)
    status = models.CharField(
        "状態",
        max_length=12,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.APPLIED,
        db_index=True,
    )
    report = models.TextField("参加後の報告", blank=True, max_length=4000)
    is_repeat = models.BooleanField("リピーター", default=False)
    created_at = models.DateTimeField("申込日時", default=timezone.now)
    decided_at = models.DateTimeField("受入の判断日時", null=True, blank=True)
    participated_at = models.DateTimeField("参加日時", null=True, blank=True)
    reported_at = models.DateTimeField("報告日時", null=True, blank=True)

    class Meta:
        verbose_name = "申込み"
        verbose_name_plural = "申込み"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "member"], name="ties_one_application_per_program"
            )
        ]

    def __str__(self):
        return f"{self.member} → {self.program}"


class ApplicationMessage(models.Model):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL)
    from_host = models.BooleanField("受入団体から", default=False)
    body = models.TextField("本文", max_length=2000)
    created_at = models.DateTimeField("日時", default=timezone.now)

    class Meta:
        verbose_name = "メッセージ"
        verbose_name_plural = "メッセージ"
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.body[:40]


class ExchangeMeeting(models.Model):
    """交流会: online or in person, with a capacity."""

    title = models.CharField("名称", max_length=120)
    description = models.TextField("内容", blank=True)
    municipality = models.ForeignKey(
        "core.Municipality",
        verbose_name="市町村",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ties_meetings",
    )
    starts_at = models.DateTimeField("開始日時")
    online = models.BooleanField("オンライン開催", default=False)
    place = models.CharField("会場またはURL", max_length=200, blank=True)
    capacity = models.PositiveSmallIntegerField("定員", default=30)
    is_open = models.BooleanField("申込みを受け付ける", default=True)

    class Meta:
        verbose_name = "交流会"
        verbose_name_plural = "交流会"
        ordering = ["starts_at", "pk"]

    def __str__(self):
        return self.title


class MeetingRegistration(models.Model):
    meeting = models.ForeignKey(
        ExchangeMeeting, on_delete=models.CASCADE, related_name="registrations"
    )
    member = models.ForeignKey(
        TiesMember, on_delete=models.CASCADE, related_name="meeting_registrations"
    )
    attended = models.BooleanField("出席", default=False)
    created_at = models.DateTimeField("申込日時", default=timezone.now)

    class Meta:
        verbose_name = "交流会の申込み"
        verbose_name_plural = "交流会の申込み"
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "member"], name="ties_one_registration_per_meeting"
            )
        ]

    def __str__(self):
        return f"{self.member} → {self.meeting}"


class SubsidyStatus(models.TextChoices):
    SUBMITTED = "submitted", "審査待ち"
    APPROVED = "approved", "交付決定"
    RETURNED = "returned", "差し戻し"
    REJECTED = "rejected", "不交付"
    PAID = "paid", "支払済み"


class SubsidyApplication(models.Model):
    """関係人口来県支援交通費補助金の申請."""

    member = models.ForeignKey(
        TiesMember,
        verbose_name="メンバー",
        on_delete=models.CASCADE,
        related_name="subsidy_applications",
    )
    application = models.ForeignKey(
        Application,
        verbose_name="参加したプログラム",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="subsidy_applications",
    )
    trip_date = models.DateField("来県日")
    origin = models.CharField("出発地（都道府県）", max_length=10)
    cost_yen = models.PositiveIntegerField("交通費（円）")
    amount_yen = models.PositiveIntegerField("補助額（円）", default=0)
    status = models.CharField(
        "状態",
        max_length=10,
        choices=SubsidyStatus.choices,
        default=SubsidyStatus.SUBMITTED,
        db_index=True,
    )
    review_note = models.TextField("審査のメモ", blank=True)
    reviewed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField("審査日時", null=True, blank=True)
    created_at = models.DateTimeField("申請日時", default=timezone.now)

    class Meta:
        verbose_name = "交通費補助の申請"
        verbose_name_plural = "交通費補助の申請"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.member}（{self.trip_date}）"


class SubsidyReceipt(models.Model):
    subsidy = models.ForeignKey(
        SubsidyApplication, on_delete=models.CASCADE, related_name="receipts"
    )
    file = models.FileField("領収書", upload_to="ties/receipts/%Y/%m/")
    uploaded_at = models.DateTimeField("アップロード日時", default=timezone.now)

    class Meta:
        verbose_name = "領収書"
        verbose_name_plural = "領収書"

    def __str__(self):
        return self.file.name


class SnsFollowerCount(models.Model):
    """Follower counts staff enter each month (KPI)."""

    month = models.DateField("月（1日）")
    platform = models.CharField("SNS", max_length=30)
    followers = models.PositiveIntegerField("フォロワー数")

    class Meta:
        verbose_name = "SNSフォロワー数"
        verbose_name_plural = "SNSフォロワー数"
        ordering = ["-month", "platform"]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "platform"], name="ties_one_count_per_month"
            )
        ]

    def __str__(self):
        return f"{self.platform} {self.month:%Y-%m}: {self.followers}"
