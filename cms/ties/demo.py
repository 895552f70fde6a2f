"""Demo data of 関係人口 for ``portal load_demo``: host organisations in six
regions (seed 003 asks for at least five, about ten people each), each with an
account ``host-<town>`` (demo password) and a published program page under its
municipality; a dozen members (``ties1@example.jp`` …, demo password) with
skills and regions, some applications (one accepted, one with a participation
report), an online exchange meeting and a transport-subsidy application with a
receipt. Idempotent: only what is missing is added; records are made directly
(no mails are sent for demo data)."""

import datetime as dt
import io
from collections import Counter

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone

from cms.community.members import username_for
from cms.core.models import Municipality

from . import members
from .models import (
    Application,
    ApplicationMessage,
    ApplicationStatus,
    Availability,
    ExchangeMeeting,
    HostOrganisation,
    MeetingRegistration,
    MemberStatus,
    ProgramIndexPage,
    ProgramPage,
    ProgramStatus,
    SubsidyApplication,
    SubsidyReceipt,
    TiesMember,
)

# (town slug, organisation, description, program slug, program title, summary,
#  purpose, local issue, skills, interests, involvements, costs covered)
HOSTS = [
    (
        "kasama",
        "笠間焼の里づくり協議会",
        "窯元と商店が集まり、笠間焼の産地を次の世代につなぐ活動をしています。",
        "kamamoto-ec",
        "窯元のオンライン販売を立ち上げる",
        "窯元と一緒に、オンラインショップと発信の仕組みをつくります。",
        "小さな窯元が自分たちで器を届けられるよう、ネット販売の立ち上げを手伝ってください。",
        "後継者不足と、直売以外の販路の少なさ。",
        ["EC", "写真", "デザイン"],
        ["ものづくり", "発信"],
        ["side_job", "workation"],
        "宿泊費（2泊分）、窯元での昼食",
    ),
    (
        "hitachiota",
        "里美ふるさと農園",
        "中山間地の棚田と畑を守る住民の会です。",
        "tanada-hozen",
        "棚田の保全と収穫祭の企画",
        "棚田の草刈りと、秋の収穫祭の企画・運営を一緒に行います。",
        "耕作放棄が進む棚田を、都市の人と一緒に守る仕組みをつくります。",
        "高齢化で管理できない棚田が増えています。",
        ["農業", "イベント企画"],
        ["食", "自然"],
        ["volunteer", "event"],
        "宿泊費（古民家・1泊）、送迎",
    ),
    (
        "daigo",
        "大子まちなか観光研究会",
        "袋田の滝とまちなかをつなぐ観光づくりに取り組む事業者の会です。",
        "machiaruki-map",
        "まち歩きマップと英語案内づくり",
        "外国人旅行者向けのまち歩きマップと英語の案内文をつくります。",
        "滝だけでなく、まちなかを歩いて楽しんでもらうための案内をつくります。",
        "観光客が滝だけを見て帰ってしまうこと。",
        ["英語", "デザイン", "観光"],
        ["観光", "まちづくり"],
        ["side_job", "workation"],
        "宿泊費（2泊分）、交通費の一部",
    ),
    (
        "hokota",
        "ほこた農業女子の会",
        "メロンとさつまいもの産地で、若手の女性農業者が集まっています。",
        "imo-sweets",
        "さつまいもの新しい加工品づくり",
        "規格外のさつまいもを使ったお菓子の試作と販売を手伝ってください。",
        "捨てられてしまう規格外品を、地域の新しい名物にします。",
        "規格外品の廃棄と、冬場の仕事の少なさ。",
        ["商品企画", "マーケティング", "料理"],
        ["食", "農業"],
        ["side_job", "volunteer"],
        "試作の材料費、昼食",
    ),
    (
        "namegata",
        "霞ヶ浦湖岸クリーン隊",
        "湖岸の清掃と、湖の恵みを伝える活動をしている市民団体です。",
        "lake-cleanup",
        "湖岸清掃と湖の幸のバーベキュー",
        "月1回の湖岸清掃に参加し、地元の漁師さんと交流します。",
        "霞ヶ浦の環境を守る仲間を、県外にも増やしたい。",
        "湖岸のごみと、担い手の高齢化。",
        ["環境保全", "写真"],
        ["自然", "食"],
        ["volunteer", "event"],
        "昼食（バーベキュー）",
    ),
    (
        "tsukuba",
        "つくば科学まちづくりラボ",
        "研究者と市民が一緒に、科学を身近にする活動をしています。",
        "kids-science",
        "子ども科学教室の企画と運営",
        "週末の子ども向け科学教室を、研究者と一緒に企画します。",
        "研究学園都市の強みを、周辺の地域の子どもたちにも届けます。",
        "周辺部の子どもが科学に触れる機会の少なさ。",
        ["教育", "プログラミング"],
        ["子育て", "科学"],
        ["side_job", "event"],
        "教材費、交通費の一部",
    ),
]

# (name, prefecture, skills, interests, region slugs); ways of involvement below
MEMBERS = [
    ("佐藤 あおい", "東京都", ["写真", "デザイン"], ["ものづくり"], ["kasama"]),
    ("鈴木 大輔", "東京都", ["EC", "マーケティング"], ["発信"], ["kasama", "hokota"]),
    ("高橋 美咲", "神奈川県", ["農業"], ["食", "自然"], ["hitachiota"]),
    ("田中 翔", "埼玉県", ["イベント企画"], ["自然"], ["hitachiota", "namegata"]),
    ("伊藤 さやか", "千葉県", ["英語", "観光"], ["観光"], ["daigo"]),
    ("渡辺 健", "東京都", ["デザイン"], ["まちづくり"], ["daigo", "tsukuba"]),
    ("山本 ゆい", "東京都", ["料理", "商品企画"], ["食", "農業"], ["hokota"]),
    ("中村 拓也", "神奈川県", ["環境保全"], ["自然"], ["namegata"]),
    ("小林 直子", "東京都", ["写真"], ["自然", "食"], ["namegata", "kasama"]),
    ("加藤 陽介", "埼玉県", ["教育", "プログラミング"], ["科学"], ["tsukuba"]),
    ("吉田 まい", "東京都", ["教育"], ["子育て"], ["tsukuba"]),
    ("山田 悠", "千葉県", ["農業", "料理"], ["食"], ["hitachiota", "hokota"]),
]
INVOLVEMENTS = [
    ["side_job"],
    ["side_job", "workation"],
    ["volunteer"],
    ["volunteer", "event"],
    ["workation"],
    ["side_job"],
    ["side_job", "volunteer"],
    ["volunteer"],
    ["event"],
    ["side_job", "event"],
    ["event"],
    ["volunteer"],
]
# (member index, program slug, status, message)
APPLICATIONS = [
    (0, "kamamoto-ec", ApplicationStatus.ACCEPTED, "写真撮影でお手伝いできます。"),
    (1, "kamamoto-ec", ApplicationStatus.APPLIED, "ECサイトの運営経験があります。"),
    (2, "tanada-hozen", ApplicationStatus.REPORTED, "棚田の作業に参加したいです。"),
    (4, "machiaruki-map", ApplicationStatus.APPLIED, "英語の案内文を書けます。"),
    (
        9,
        "kids-science",
        ApplicationStatus.ACCEPTED,
        "プログラミング教室を担当できます。",
    ),
]
MEETING_TITLE = "関係人口オンライン交流会（冬）"


def _receipt_png() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 200), "white")
    ImageDraw.Draw(image).text((20, 90), "RECEIPT (DEMO) 8,400 JPY", fill="black")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _user(username: str, email: str, password: str):
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(
            username=username, email=email, password=password
        )
    return user


def load_ties_demo(created: Counter) -> None:
    password = settings.PORTAL_DEMO_PASSWORD
    today = timezone.localdate()
    towns = {m.slug: m for m in Municipality.objects.filter(page__isnull=False)}
    programs = {}
    for (
        slug,
        name,
        description,
        program_slug,
        title,
        summary,
        purpose,
        issue,
        skills,
        interests,
        involvements,
        costs,
    ) in HOSTS:
        town = towns.get(slug)
        if town is None:
            continue
        host = HostOrganisation.objects.filter(name=name).first()
        if host is None:
            host = HostOrganisation.objects.create(
                name=name,
                municipality=town,
                contact_email=f"host-{slug}@example.jp",
                description=description,
            )
            created["受入団体"] += 1
        account = _user(f"host-{slug}", f"host-{slug}@example.jp", password)
        if not host.users.filter(pk=account.pk).exists():
            host.users.add(account)
        folder = ProgramIndexPage.ensure_for(town)
        program = ProgramPage.objects.child_of(folder).filter(slug=program_slug).first()
        if program is None:
            program = ProgramPage(
                title=title,
                slug=program_slug,
                host=host,
                summary=summary,
                purpose=purpose,
                local_issue=issue,
                starts_on=today + dt.timedelta(days=45),
                ends_on=today + dt.timedelta(days=47),
                capacity=10,
                skills_wanted=skills,
                interests=interests,
                involvements=involvements,
                costs_covered=costs,
                deadline=today + dt.timedelta(days=30),
                status=ProgramStatus.OPEN,
                owner=account,
            )
            folder.add_child(instance=program)
            program.save_revision(user=account, log_action=False).publish(
                log_action=False
            )
            created["受入プログラム"] += 1
        programs[program_slug] = program

    demo_members = []
    for number, (name, prefecture, skills, interests, regions) in enumerate(
        MEMBERS, start=1
    ):
        email = f"ties{number}@example.jp"
        user = _user(username_for(email), email, password)
        member = getattr(user, "ties_member", None)
        if member is None:
            member = TiesMember.objects.create(
                user=user,
                name=name,
                prefecture=prefecture,
                skills=skills,
                interests=interests,
                involvements=INVOLVEMENTS[number - 1],
                availability=Availability.WEEKENDS,
                status=MemberStatus.ACTIVE,
                consent_at=timezone.now(),
                email_confirmed_at=timezone.now(),
            )
            member.regions.set([towns[s] for s in regions if s in towns])
            members.sync_subscriber(member)
            created["関係人口メンバー"] += 1
        demo_members.append(member)

    for index, program_slug, status, message in APPLICATIONS:
        program = programs.get(program_slug)
        if program is None:
            continue
        member = demo_members[index]
        application, made = Application.objects.get_or_create(
            program=program,
            member=member,
            defaults={"message": message, "status": status},
        )
        if not made:
            continue
        created["申込み"] += 1
        ApplicationMessage.objects.create(
            application=application, author=member.user, body=message
        )
        if status != ApplicationStatus.APPLIED:
            application.decided_at = timezone.now()
            ApplicationMessage.objects.create(
                application=application,
                author=program.host.users.first(),
                from_host=True,
                body="お申込みありがとうございます。ぜひご参加ください。",
            )
        if status == ApplicationStatus.REPORTED:
            application.participated_at = timezone.now()
            application.reported_at = timezone.now()
            application.report = "棚田の草刈りと収穫祭の準備に参加しました。"
        application.save()

    meeting = ExchangeMeeting.objects.filter(title=MEETING_TITLE).first()
    if meeting is None:
        meeting = ExchangeMeeting.objects.create(
            title=MEETING_TITLE,
            description="受入団体とメンバーがオンラインで近況を話します。",
            starts_at=timezone.now() + dt.timedelta(days=21),
            online=True,
            place="参加URLは申込み後にメールでお知らせします。",
            capacity=30,
        )
        created["交流会"] += 1
    for member in demo_members[:4]:
        MeetingRegistration.objects.get_or_create(meeting=meeting, member=member)

    accepted = Application.objects.filter(
        member=demo_members[0], status=ApplicationStatus.ACCEPTED
    ).first()
    if accepted is not None and not demo_members[0].subsidy_applications.exists():
        subsidy = SubsidyApplication.objects.create(
            member=demo_members[0],
            application=accepted,
            trip_date=today + dt.timedelta(days=45),
            origin=demo_members[0].prefecture,
            cost_yen=8400,
            amount_yen=4200,
        )
        SubsidyReceipt.objects.create(
            subsidy=subsidy,
            file=ContentFile(_receipt_png(), name="receipt-demo.png"),
        )
        created["交通費補助の申請"] += 1
