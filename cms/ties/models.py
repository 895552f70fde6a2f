"""People with ties to the region (関係人口, issue 14): members with their skills,
interests, regions and ways of getting involved; host organisations and the
programs (受入プログラム) they run in a municipality; applications with a message
thread; exchange meetings (交流会) with capacity and attendance; the transport
subsidy (来県支援交通費補助金) with receipts and review; SNS follower counts for
the KPIs.

A member is a Django user (as in ``cms.community``) with a ``TiesMember``; on
confirming their address they become a mail ``Subscriber`` in the 「関係人口」
segment (see ``cms.ties.members``)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

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
    DRAFT = "draft", "下書き"
    OPEN = "open", "募集中"
    CLOSED = "closed", "募集終了"
    DONE = "done", "実施済み"


class Program(models.Model):
    """A program (受入プログラム) in a municipality, run by a host organisation."""

    host = models.ForeignKey(
        HostOrganisation,
        verbose_name="受入団体",
        on_delete=models.PROTECT,
        related_name="programs",
    )
    municipality = models.ForeignKey(
        "core.Municipality",
        verbose_name="市町村",
        on_delete=models.PROTECT,
        related_name="ties_programs",
    )
    title = models.CharField("プログラム名", max_length=120)
    purpose = models.TextField("目的")
    local_issue = models.TextField("地域の課題", blank=True)
    starts_on = models.DateField("開始日")
    ends_on = models.DateField("終了日")
    capacity = models.PositiveSmallIntegerField("募集人数", default=10)
    skills_wanted = models.JSONField("求めるスキル", default=list, blank=True)
    interests = models.JSONField("関連する関心", default=list, blank=True)
    involvements = models.JSONField("関わり方", default=list, blank=True)
    costs_covered = models.TextField("受入支援（負担する費用）", blank=True)
    deadline = models.DateField("申込締切")
    status = models.CharField(
        "状態",
        max_length=10,
        choices=ProgramStatus.choices,
        default=ProgramStatus.DRAFT,
        db_index=True,
    )
    created_at = models.DateTimeField("作成日時", default=timezone.now)
    opened_at = models.DateTimeField("募集開始日時", null=True, blank=True)

    class Meta:
        verbose_name = "受入プログラム"
        verbose_name_plural = "受入プログラム"
        ordering = ["deadline", "pk"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self.status == ProgramStatus.OPEN and self.opened_at is None:
            self.opened_at = timezone.now()
        super().save(*args, **kwargs)

    def accepts_applications(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.status == ProgramStatus.OPEN and today <= self.deadline


class ApplicationStatus(models.TextChoices):
    APPLIED = "applied", "申込済み"
    ACCEPTED = "accepted", "受入決定"
    DECLINED = "declined", "お見送り"
    WITHDRAWN = "withdrawn", "取り下げ"
    PARTICIPATED = "participated", "参加済み"
    REPORTED = "reported", "報告済み"


class Application(models.Model):
    program = models.ForeignKey(
        Program,
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
