"""Demo text and field values for municipality pages, consultation desks, support
measures, events, trial stays and 地域おこし協力隊 recruitment.

Every function here is pure: it takes the municipality, its ``Place``, a seeded
``random.Random`` and today's date and returns field values, so the same day gives the
same demo. Akiya listings, which need the most care, live in ``akiya``; the
prefecture's own pages in ``prefecture``."""

import datetime
import random
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from wagtail.rich_text import RichText

from cms.core.japanese import format_wareki_year

from .places import Place, full_name, office_name

JST = ZoneInfo("Asia/Tokyo")

REGIONS = {
    "県北": {
        "hitachi",
        "hitachiota",
        "takahagi",
        "kitaibaraki",
        "hitachiomiya",
        "daigo",
    },
    "県央": {
        "mito",
        "kasama",
        "hitachinaka",
        "naka",
        "omitama",
        "ibarakimachi",
        "oarai",
        "shirosato",
        "tokai",
    },
    "鹿行": {"kashima", "itako", "kamisu", "namegata", "hokota"},
    "県南": {
        "tsuchiura",
        "ishioka",
        "ryugasaki",
        "toride",
        "ushiku",
        "tsukuba",
        "moriya",
        "inashiki",
        "kasumigaura",
        "tsukubamirai",
        "miho",
        "ami",
        "kawachi",
        "tone",
    },
    "県西": {
        "koga",
        "yuki",
        "shimotsuma",
        "joso",
        "chikusei",
        "bando",
        "sakuragawa",
        "yachiyo",
        "goka",
        "sakai",
    },
}

TOKYO_VENUE = "ふるさと回帰支援センター（東京交通会館8階）"
TOKYO_VENUE_ADDRESS = "東京都千代田区有楽町2-10-1"


@dataclass
class PhotoSpec:
    """A photo row of a listing: which of the municipality's demo images, and how
    it is labelled there."""

    image: str
    caption: str
    kind: str = ""


@dataclass
class PageSpec:
    """A page to create under a section: its slug (how a second run recognises it),
    its field values and its photos."""

    slug: str
    fields: dict
    photos: list[PhotoSpec] = field(default_factory=list)
    live: bool = True
    image: str = ""  # key of the main/hero image, if the page type has one
    first_published_at: datetime.datetime | None = None


# --- Small helpers -----------------------------------------------------------------


def rng_for(slug: str, purpose: str) -> random.Random:
    """A random stream per municipality and purpose, so adding a listing type does
    not reshuffle the others."""
    return random.Random(f"portal-demo:{slug}:{purpose}")


def fiscal_year(today: datetime.date) -> int:
    """Japanese fiscal years start on 1 April."""
    return today.year if today.month >= 4 else today.year - 1


def fiscal_year_label(year: int) -> str:
    """「令和8年度」."""
    return format_wareki_year(year, 4).removesuffix("4月") + "度"


def paragraphs(*texts: str) -> str:
    return "".join(f"<p>{text}</p>" for text in texts if text)


def bullets(items) -> str:
    return "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


def numbered(items) -> str:
    return "<ol>" + "".join(f"<li>{item}</li>" for item in items) + "</ol>"


def approx_people(count: int) -> str:
    """「約26.8万人」「約8,000人」."""
    if count >= 100_000:
        return f"約{count / 10_000:.1f}万人".replace(".0万", "万")
    if count >= 10_000:
        return f"約{count / 10_000:.1f}万人".replace(".0万", "万")
    return f"約{round(count, -2):,}人"


def yen(amount: int) -> str:
    """「50万円」「3,000円」, as amounts are written in guides."""
    if amount >= 10_000 and amount % 10_000 == 0:
        return f"{amount // 10_000:,}万円"
    return f"{amount:,}円"


def fictional_phone(area_code: str, rng: random.Random) -> str:
    """A number in the town's real area code whose local exchange starts with 0,
    which Japan never assigns, so the demo cannot ring anyone."""
    exchange_digits = 10 - len(area_code) - 4
    exchange = "0" + "".join(str(rng.randint(0, 9)) for _ in range(exchange_digits - 1))
    return f"{area_code}-{exchange}-{rng.randint(1000, 9999)}"


def region_of(slug: str) -> str:
    for region, slugs in REGIONS.items():
        if slug in slugs:
            return region
    return ""


def kind_word(municipality) -> str:
    """「市」「町」「村」 as the text refers to the municipality."""
    return municipality.get_kind_display()


def weekend_on_or_after(day: datetime.date, rng: random.Random) -> datetime.date:
    target = rng.choice([5, 6])  # Saturday or Sunday
    return day + datetime.timedelta(days=(target - day.weekday()) % 7)


def weekday_on_or_after(day: datetime.date) -> datetime.date:
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=JST)


# --- Consultation desks -------------------------------------------------------------

DEPARTMENTS = (
    "政策企画課",
    "企画課",
    "まちづくり推進課",
    "地域振興課",
    "移住定住推進室",
    "企画政策課",
    "定住促進課",
)


def desk_fields(municipality, place: Place) -> dict:
    rng = rng_for(municipality.slug, "desk")
    department = rng.choice(DEPARTMENTS)
    floor = rng.randint(1, 4)
    return {
        "name": f"{municipality.name} 移住相談窓口",
        "department": department,
        "phone": fictional_phone(place.phone_area_code, rng),
        "email": f"iju@{municipality.slug}.example.jp",
        "address": f"{full_name(municipality, place)} {office_name(municipality)} {floor}階",
        "opening_hours": "平日 8:30〜17:15（祝日・年末年始を除く）",
        "sort_order": 0,
    }


# --- Municipality pages -------------------------------------------------------------


def _climate(place: Place) -> str:
    if place.landscape == "mountain":
        return (
            "山あいのため冬の朝はよく冷え込み、年に数回は雪が積もります。"
            "冬用タイヤは早めに用意しておくと安心です。"
        )
    if place.landscape == "sea":
        return "海に近いため夏は比較的過ごしやすく、冬も雪はほとんど積もりません。"
    return (
        "太平洋側の気候で冬も晴れの日が多く、雪が積もるのは年に一、二度ほどです。"
        "ただし冬は北西の風が強い日があります。"
    )


def _shopping(place: Place, rng: random.Random, word: str) -> str:
    if place.setting == "urban":
        return rng.choice(
            [
                "駅の周辺にスーパーや病院、飲食店が集まり、日々の買い物に困ることはありません。",
                f"{word}の中心部には商業施設や総合病院がそろい、バスの便も比較的多くあります。",
            ]
        )
    if place.setting == "suburban":
        return rng.choice(
            [
                "幹線道路沿いに大型スーパーやドラッグストアが並び、車があれば買い物は10分ほどで済みます。",
                f"{word}内にスーパーやホームセンターがそろい、週末は少し足をのばして大型店へ出かける人も多くいます。",
            ]
        )
    return rng.choice(
        [
            "スーパーや診療所は中心部に集まっているため、暮らしには車が欠かせません。"
            "その分、農産物直売所で採れたての野菜が安く手に入ります。",
            "買い物は車で15分ほどの中心部へ。移動販売車が回ってくる地区もあり、"
            "近所の人から野菜をおすそ分けしてもらうのもよくあることです。",
        ]
    )


def municipality_page_fields(municipality, place: Place, today: datetime.date) -> dict:
    rng = rng_for(municipality.slug, "page")
    name = municipality.name
    word = kind_word(municipality)
    region = region_of(municipality.slug)
    where = f"茨城県の{region}地域" if region else "茨城県"
    highlights = "、".join(place.highlights[:2])
    produce = "や".join(place.produce[:2])
    overview = paragraphs(
        f"{name}は{where}にある人口{approx_people(place.population)}の{word}です。"
        f"{highlights}で知られ、名産は{produce}などです。",
        rng.choice(
            [
                f"都心からのアクセスは{place.rail}。",
                f"東京からは{place.rail}で、週末に気軽に下見に来られる距離です。",
            ]
        )
        + rng.choice(
            [
                "移住相談窓口では、住まい探しから仕事、子育てまで一つの窓口でご相談を受け付けています。",
                "はじめての方には、まず移住相談窓口で暮らしのイメージを一緒に描くことをおすすめしています。",
            ]
        ),
    )
    if place.road:
        car = (
            f"<b>車</b>：{place.road}から中心部まで約{rng.choice([10, 15, 20])}分です。"
        )
    else:
        car = f"<b>車</b>：東京都心から高速道路を使って約{place.minutes_from_tokyo // 10 * 10}分です。"
    access = paragraphs(f"<b>電車・バス</b>：{place.rail}。", car)
    if place.minutes_from_tokyo <= 60:
        access += paragraphs(
            "朝夕の通勤時間帯は本数が多く、都内へ毎日通勤している人も大勢います。"
        )
    elif place.minutes_from_tokyo >= 120:
        access += paragraphs(
            "毎日の都内通勤は現実的ではありませんが、週に1〜2日の出社とテレワークを組み合わせて暮らす移住者もいます。"
        )

    living = paragraphs(
        _shopping(place, rng, word),
        _climate(place),
        rng.choice(
            [
                f"休日は{place.highlights[0]}へ出かけたり、家庭菜園を楽しんだりと、自然の近さを生かした過ごし方ができます。",
                f"{place.highlights[-1]}など身近な楽しみも多く、季節ごとの行事を通じて地域の人と知り合えます。",
            ]
        ),
        "地区ごとに自治会があり、ごみ集積所の当番や草刈りなど、地域の活動に参加することも暮らしの一部です。"
        if place.setting != "urban"
        else "",
    )
    industries = "、".join(place.industries)
    work = paragraphs(
        f"主な産業は{industries}です。",
        rng.choice(
            [
                "ハローワークの求人に加え、移住相談窓口でも地元企業の求人や事業承継の情報をご紹介しています。",
                "県のマッチングサイトには地元企業の求人が掲載されており、移住支援金の対象になる求人もあります。",
            ]
        ),
        f"{place.produce[0]}などの農業も盛んで、新規就農を目指す人向けの研修や相談の体制があります。"
        if place.setting != "urban"
        else "テレワークで東京の仕事を続けながら移住する人も増えており、市内にはコワーキングスペースもあります。",
    )
    child_rearing = paragraphs(
        rng.choice(
            [
                f"{word}内には認可保育所と認定こども園があり、年度途中の入所についても窓口で相談できます。",
                "保育所や放課後児童クラブ（学童保育）が各地区にあり、共働きの家庭も多く利用しています。",
            ]
        ),
        "子どもの医療費は高校3年生相当の年齢まで助成の対象です。",
        rng.choice(
            [
                "小中学校は少人数の学級が多く、地域の人が登下校の見守りや授業に協力しています。",
                "自然体験や農業体験を取り入れた授業があり、地域全体で子どもを育てる雰囲気があります。",
                "図書館や児童館、公園が充実しており、休日に親子で過ごせる場所が身近にあります。",
            ]
        ),
    )
    winter = _climate(place).split("。")[0] + "。"
    body = [
        ("heading", {"text": "よくある質問", "level": "h2"}),
        (
            "faq",
            {
                "question": "車がなくても暮らせますか？",
                "answer": RichText(
                    paragraphs(
                        "駅の近くに住めば車がなくても暮らせますが、買い物や通院の範囲が広がるので、多くの方が車を持っています。"
                        if place.setting == "urban"
                        else "公共交通が限られるため、一人一台の車があると安心です。運転に不安がある方は、住まい選びの段階でご相談ください。"
                    )
                ),
            },
        ),
        (
            "faq",
            {
                "question": "冬の寒さはどのくらいですか？",
                "answer": RichText(paragraphs(winter)),
            },
        ),
        (
            "faq",
            {
                "question": "空き家を見学するにはどうすればよいですか？",
                "answer": RichText(
                    paragraphs(
                        "空き家バンクの利用登録をしたうえで、移住相談窓口に希望の物件と日程をお知らせください。"
                        "所有者や媒介業者と日程を調整し、担当者が現地をご案内します。"
                    )
                ),
            },
        ),
    ]
    return {
        "catchcopy": place.catchcopy,
        "overview": overview,
        "population": place.population,
        "households": place.households,
        "population_as_of": datetime.date(2025, 10, 1),
        "area_km2": place.area,
        "minutes_from_tokyo": place.minutes_from_tokyo,
        "access_from_tokyo": access,
        "living": living,
        "work": work,
        "child_rearing": child_rearing,
        "body": body,
        "last_reviewed_on": today - datetime.timedelta(days=rng.randint(20, 330)),
    }


# --- Support measures ----------------------------------------------------------------


def _relocation_grant(m, place, rng, fy) -> dict:
    return {
        "title": f"{m.name}移住支援金",
        "category": "relocation_grant",
        "summary": (
            f"東京23区に住んでいた方、または東京圏から23区へ通勤していた方が{m.name}へ移住し、"
            "就業や起業などの要件を満たした場合に支援金を支給します。"
        ),
        "amount_text": "世帯100万円、単身60万円（18歳未満の子ども1人につき最大100万円を加算）",
        "amount_max_yen": 1_000_000,
        "eligibility": bullets(
            [
                "転入する直前の10年間のうち通算5年以上、東京23区に住んでいたか、東京圏から23区へ通勤していた方",
                f"{m.name}へ転入して3か月以上1年以内で、申請後5年以上続けて住む意思のある方",
                "県のマッチングサイトに掲載された求人への就業、移住前の仕事のテレワークでの継続、"
                "または県の起業支援金の交付決定のいずれかに当てはまる方",
            ]
        ),
        "period_start": datetime.date(fy, 4, 1),
        "period_end": datetime.date(fy + 1, 1, 31),
        "period_note": "予算の範囲内で、先着順に受け付けます。",
        "how_to_apply": numbered(
            [
                "移住相談窓口へ事前にご相談ください（電話・メール可）。",
                "申請書と、住民票・就業証明書などの必要書類を提出します。",
                "審査のうえ、交付決定通知書をお送りします。",
                "請求書を提出いただくと、指定の口座に支援金を振り込みます。",
            ]
        ),
        "body": [
            (
                "paragraph",
                RichText(
                    paragraphs(
                        "この支援金は国と県、市町村が共同で実施しています。"
                        "要件は細かく定められているため、転入前の段階でのご相談をおすすめします。"
                    )
                ),
            ),
            (
                "faq",
                {
                    "question": "転入してから相談しても間に合いますか？",
                    "answer": RichText(
                        paragraphs(
                            "転入後1年以内であれば申請できますが、就業先が対象の求人かどうかなど、"
                            "転入前に確認しておきたい点があります。できるだけ早めにご相談ください。"
                        )
                    ),
                },
            ),
        ],
    }


def _housing_purchase(m, place, rng, fy) -> dict:
    base = rng.choice([300_000, 500_000, 1_000_000])
    bonus = rng.choice([100_000, 200_000, 300_000])
    title = rng.choice(
        [
            f"{m.name}移住者住宅取得補助金",
            "移住者住宅取得支援事業",
            "定住促進住宅取得奨励金",
        ]
    )
    return {
        "title": title,
        "category": "housing",
        "summary": (
            f"{m.name}へ転入して住宅を新築または購入する方に、取得費用の一部を補助します。"
            f"子育て世帯や{kind_word(m)}内の業者が施工する場合は加算があります。"
        ),
        "amount_text": f"基本額{yen(base)}（子育て世帯・{kind_word(m)}内業者の施工でそれぞれ{yen(bonus)}を加算）",
        "amount_max_yen": base + bonus * 2,
        "eligibility": bullets(
            [
                f"転入前1年以上、{m.name}の外に住んでいた方",
                "住宅の取得後、5年以上続けて住む方",
                "世帯全員に市町村税の滞納がない方",
            ]
        ),
        "period_start": datetime.date(fy, 4, 1),
        "period_end": datetime.date(fy + 1, 3, 31),
        "period_note": "住宅の引渡し後6か月以内に申請してください。",
        "how_to_apply": paragraphs(
            "申請書に売買契約書（または工事請負契約書）の写し、登記事項証明書、住民票を添えて、窓口へ提出してください。"
        ),
    }


def _akiya_renovation(m, place, rng, fy) -> dict:
    limit = rng.choice([500_000, 1_000_000, 1_500_000])
    return {
        "title": rng.choice(["空き家改修費補助金", "空き家バンク活用リフォーム補助"]),
        "category": "housing",
        "summary": (
            f"{m.name}の空き家バンクに登録された物件を購入または賃借して住む方に、"
            f"台所・浴室・屋根などの改修工事費の2分の1（上限{yen(limit)}）を補助します。"
        ),
        "amount_text": f"改修工事費の2分の1（上限{yen(limit)}）",
        "amount_max_yen": limit,
        "eligibility": bullets(
            [
                "空き家バンクの登録物件について、売買または賃貸借の契約を結んだ方",
                "工事の着手前に申請できる方（着工後の申請は対象外です）",
                f"{kind_word(m)}内に本店または支店のある事業者が施工する工事であること",
            ]
        ),
        "period_start": datetime.date(fy, 4, 1),
        "period_end": datetime.date(fy + 1, 2, 28),
        "period_note": "予算に達し次第、受付を終了します。",
        "how_to_apply": numbered(
            [
                "工事の見積書と改修前の写真を用意します。",
                "交付申請書を提出し、交付決定を受けてから工事に着手します。",
                "工事完了後30日以内に実績報告書を提出してください。",
            ]
        ),
    }


def _belongings_disposal(m, place, rng, fy) -> dict:
    return {
        "title": "空き家の家財処分費補助",
        "category": "housing",
        "summary": (
            "空き家バンクに登録した物件や、登録物件を購入した方が残された家財道具を処分する費用を補助します。"
        ),
        "amount_text": "処分費用の2分の1（上限10万円）",
        "amount_max_yen": 100_000,
        "eligibility": bullets(
            [
                "空き家バンクの登録物件の所有者、またはその物件を購入・賃借した方",
                "一般廃棄物の許可業者に処分を依頼すること",
            ]
        ),
        "period_start": datetime.date(fy, 4, 1),
        "period_end": datetime.date(fy + 1, 3, 15),
        "period_note": "",
        "how_to_apply": paragraphs(
            "処分前に申請書と業者の見積書を窓口へ提出してください。"
        ),
    }


def _rent_support(m, place, rng, fy) -> dict:
    monthly = rng.choice([10_000, 15_000, 20_000])
    return {
        "title": rng.choice(["若者・子育て世帯家賃補助金", "移住者家賃支援事業"]),
        "category": "housing",
        "summary": (
            f"{m.name}へ転入し、民間の賃貸住宅に住む若者世帯・子育て世帯に家賃の一部を補助します。"
        ),
        "amount_text": f"月額上限{yen(monthly)}（最長3年間）",
        "amount_max_yen": monthly * 36,
        "eligibility": bullets(
            [
                "申請時に夫婦のいずれかが40歳未満の世帯、または中学生以下の子どもがいる世帯",
                "月額家賃（共益費を除く）が3万円以上であること",
                "勤務先などから住宅手当を受けている場合は、その額を差し引いて補助します",
            ]
        ),
        "period_start": datetime.date(fy, 4, 1),
        "period_end": datetime.date(fy + 1, 3, 31),
        "period_note": "転入後1年以内に申請してください。",
        "how_to_apply": paragraphs(
            "賃貸借契約書の写しと住民票を添えて、窓口へ申請してください。"
        ),
    }


def _newlyweds(m, place, rng, fy) -> dict:
    return {
        "title": "結婚新生活支援補助金",
        "category": "housing",
        "summary": (
            "新たに結婚した世帯が新生活を始めるための住居費や引越費用を補助します。"
        ),
        "amount_text": "上限30万円（夫婦ともに29歳以下の場合は上限60万円）",
        "amount_max_yen": 600_000,
        "eligibility": bullets(
            [
                f"{fiscal_year_label(fy)}中に婚姻届を提出し、夫婦ともに39歳以下の世帯",
                "夫婦の所得の合計が500万円未満の世帯",
                f"{m.name}に住所があり、今後も住み続ける意思のある世帯",
            ]
        ),
        "period_start": datetime.date(fy, 4, 1),
        "period_end": datetime.date(fy + 1, 3, 31),
        "period_note": "",
        "how_to_apply": paragraphs(
            "申請書に婚姻届受理証明書、住宅の契約書、引越費用の領収書などを添えて提出してください。"
        ),
    }


def _childbirth(m, place, rng, fy) -> dict:
    first, second, third = rng.choice(
        [
            (50_000, 100_000, 300_000),
            (30_000, 50_000, 100_000),
            (100_000, 100_000, 500_000),
        ]
    )
    return {
        "title": rng.choice(["出産祝い金", "すこやか子育て応援金"]),
        "category": "childcare",
        "summary": f"{m.name}で子どもが生まれた世帯に、お祝いの気持ちを込めて応援金をお贈りします。",
        "amount_text": f"第1子{yen(first)}、第2子{yen(second)}、第3子以降{yen(third)}",
        "amount_max_yen": third,
        "eligibility": bullets(
            [
                f"出生の日の6か月以上前から{m.name}に住所がある保護者",
                "出生した子どもと同居し、養育していること",
            ]
        ),
        "period_start": None,
        "period_end": None,
        "period_note": "出生届の提出から1年以内に申請してください（通年受付）。",
        "how_to_apply": paragraphs(
            "出生届の提出時に、子育て支援の窓口で申請書をお渡しします。"
        ),
    }


def _childcare_fees(m, place, rng, fy) -> dict:
    return {
        "title": rng.choice(["第2子以降の保育料無料化", "学校給食費の無償化"]),
        "category": "childcare",
        "summary": rng.choice(
            [
                "保育所・認定こども園に通う第2子以降の子どもの保育料を無料にしています。",
                f"{kind_word(m)}立の小中学校に通う児童・生徒の給食費を無償にしています。",
            ]
        ),
        "amount_text": "",
        "amount_max_yen": None,
        "eligibility": bullets([f"{m.name}に住所がある世帯", "所得制限はありません"]),
        "period_start": None,
        "period_end": None,
        "period_note": "手続きは入園・入学の際にご案内します。",
        "how_to_apply": paragraphs(
            "申請は不要です。転入の際に子育て支援の窓口で手続きをご案内します。"
        ),
    }


def _new_farmers(m, place, rng, fy) -> dict:
    return {
        "title": rng.choice(["新規就農者支援事業", "就農応援パッケージ"]),
        "category": "work",
        "summary": (
            f"{m.name}で農業を始める方を、研修先の紹介から農地探し、機械・施設の導入まで支援します。"
        ),
        "amount_text": "研修中の家賃を月額上限3万円、機械・施設の導入費の2分の1（上限100万円）",
        "amount_max_yen": 1_000_000,
        "eligibility": bullets(
            [
                "就農時に原則50歳未満の方",
                f"{kind_word(m)}内の農家や農業法人で1年以上の研修を受ける方",
                "就農後5年以上、営農を続ける計画のある方",
            ]
        ),
        "period_start": datetime.date(fy, 4, 1),
        "period_end": datetime.date(fy + 1, 3, 31),
        "period_note": "国の就農準備資金・経営開始資金と併せて利用できます。",
        "how_to_apply": paragraphs(
            "まずは農政担当の窓口へご相談ください。営農計画づくりから一緒に考えます。"
        ),
        "body": [
            (
                "quote",
                {
                    "text": f"研修先の農家さんに一から教わり、3年目でようやく{place.produce[0]}で生計が立つようになりました。",
                    "attribution": "2022年に埼玉県から移住 Tさん（30代）",
                },
            )
        ],
    }


def _scholarship(m, place, rng, fy) -> dict:
    return {
        "title": "奨学金返還支援補助金",
        "category": "work",
        "summary": (f"{m.name}に住み、県内で働く若者の奨学金の返還を支援します。"),
        "amount_text": "年間返還額の2分の1（年間上限12万円、最長5年間）",
        "amount_max_yen": 600_000,
        "eligibility": bullets(
            [
                "申請時に35歳未満で、日本学生支援機構などの奨学金を返還している方",
                f"{m.name}に住所があり、県内の事業所に正規雇用されている方",
            ]
        ),
        "period_start": datetime.date(fy, 4, 1),
        "period_end": datetime.date(fy, 6, 30),
        "period_note": "前年に返還した額が対象です。",
        "how_to_apply": paragraphs("返還証明書と在職証明書を添えて申請してください。"),
    }


def _startup(m, place, rng, fy) -> dict:
    return {
        "title": rng.choice(["創業支援補助金", "空き店舗活用創業支援"]),
        "category": "work",
        "summary": f"{m.name}で新たに事業を始める方に、店舗の改装費や設備費の一部を補助します。",
        "amount_text": "対象経費の2分の1（上限100万円。空き店舗を利用する場合は50万円を加算）",
        "amount_max_yen": 1_500_000,
        "eligibility": bullets(
            [
                "商工会・商工会議所の創業支援を受け、事業計画を作成した方",
                f"{kind_word(m)}内で3年以上事業を続ける方",
            ]
        ),
        "period_start": datetime.date(fy, 5, 1),
        "period_end": datetime.date(fy, 12, 28),
        "period_note": "事前の相談が必要です。",
        "how_to_apply": paragraphs(
            "商工会・商工会議所と窓口で事前相談のうえ、申請書を提出してください。"
        ),
    }


def _commuting(m, place, rng, fy) -> dict:
    return {
        "title": "新幹線・特急通勤補助金",
        "category": "work",
        "summary": (
            f"{m.name}へ移住し、東京方面へ電車で通勤する方に、定期券の購入費用の一部を補助します。"
        ),
        "amount_text": "月額上限2万円（最長3年間）",
        "amount_max_yen": 720_000,
        "eligibility": bullets(
            [
                "転入後1年以内の方で、東京都・埼玉県・千葉県・神奈川県の事業所へ通勤する方",
                "勤務先から支給される通勤手当を差し引いた自己負担額が対象です",
            ]
        ),
        "period_start": datetime.date(fy, 4, 1),
        "period_end": datetime.date(fy + 1, 3, 31),
        "period_note": "半年ごとにまとめて申請してください。",
        "how_to_apply": paragraphs(
            "定期券の写しと通勤手当の支給額がわかる書類を添えて申請してください。"
        ),
    }


SUPPORT_MEASURES = {
    "akiya-renovation": _akiya_renovation,
    "housing-purchase": _housing_purchase,
    "belongings-disposal": _belongings_disposal,
    "rent-support": _rent_support,
    "newlyweds": _newlyweds,
    "childbirth": _childbirth,
    "childcare-fees": _childcare_fees,
    "new-farmers": _new_farmers,
    "scholarship": _scholarship,
    "startup": _startup,
    "commuting": _commuting,
}


def support_measures(
    municipality, place: Place, today: datetime.date
) -> list[PageSpec]:
    """移住支援金 for every municipality, and two to four other measures."""
    rng = rng_for(municipality.slug, "support")
    fy = fiscal_year(today)
    weights = {key: 1.0 for key in SUPPORT_MEASURES}
    weights["akiya-renovation"] = 4.0
    if place.setting == "rural":
        weights.update({"new-farmers": 3.0, "belongings-disposal": 2.0})
    if place.setting == "urban":
        weights.update({"scholarship": 2.0, "startup": 2.0, "new-farmers": 0.3})
    if place.minutes_from_tokyo < 75 or not place.stations:
        weights["commuting"] = 0.0
    chosen: list[str] = []
    for _ in range(rng.randint(2, 4)):
        keys = [key for key in weights if key not in chosen and weights[key] > 0]
        chosen.append(rng.choices(keys, weights=[weights[key] for key in keys])[0])
    specs = [
        PageSpec("relocation-grant", _relocation_grant(municipality, place, rng, fy))
    ]
    specs += [
        PageSpec(key, SUPPORT_MEASURES[key](municipality, place, rng, fy))
        for key in chosen
    ]
    return specs


# --- Events and news -------------------------------------------------------------------

SEASONAL_FARM_WORK = {
    1: ["干しいもづくり体験", "いちご摘みと農家さんとの交流会"],
    2: ["干しいもづくり体験", "みそづくり体験"],
    3: ["じゃがいもの植え付け体験", "しいたけの駒打ち体験"],
    4: ["たけのこ掘り体験", "田んぼの苗づくり体験"],
    5: ["田植え体験", "玉ねぎの収穫体験"],
    6: ["田植え体験", "ブルーベリー摘み体験"],
    7: ["ブルーベリー摘み体験", "夏野菜の収穫体験"],
    8: ["梨の収穫体験", "夏野菜の収穫体験"],
    9: ["稲刈り体験", "梨の収穫体験"],
    10: ["さつまいも掘り体験", "栗拾い体験", "稲刈り体験"],
    11: ["そば打ち体験", "りんご狩りと農家さんの話を聞く会", "大根の収穫体験"],
    12: ["しめ縄づくり体験", "餅つきと収穫祭"],
}
EVENT_KINDS = {
    # kind: (weight for urban, suburban, rural), scene image
    "tokyo_fair": ((3, 3, 3), "consultation"),
    "akiya_tour": ((1, 3, 3), "tour"),
    "farm": ((1, 2, 3), "farm"),
    "exchange": ((2, 2, 2), "gathering"),
    "online": ((2, 2, 2), "online"),
    "recruitment_briefing": ((1, 1, 1), "online"),
}
COMMUNITY_HALLS = (
    "中央公民館",
    "地域交流センター",
    "コミュニティセンター",
    "ふれあいセンター",
)


def _event(kind, m, place, rng, day, oaza) -> dict:
    name = m.name
    area = rng.choice(oaza)
    hall = f"{name}{rng.choice(COMMUNITY_HALLS)}"
    if kind == "tokyo_fair":
        start = at(day, 11)
        return {
            "title": f"{name} 移住相談会 in 東京・有楽町",
            "summary": (
                f"{name}での暮らしや仕事、住まいについて、担当者と先輩移住者に個別に相談できます。"
                "1組40分ほどの予約制です。"
            ),
            "start_at": start,
            "end_at": at(day, 16),
            "venue_name": TOKYO_VENUE,
            "venue_address": TOKYO_VENUE_ADDRESS,
            "fee_yen": 0,
            "capacity": rng.choice([8, 10, 12]),
            "application_deadline": day - datetime.timedelta(days=3),
            "body": [
                (
                    "paragraph",
                    RichText(
                        paragraphs(
                            f"「{name}ってどんなところ？」という段階でも大歓迎です。"
                            "空き家バンクの物件情報や支援制度の資料もご用意してお待ちしています。",
                            "当日は先輩移住者も参加し、実際の暮らしぶりをお話しします。",
                        )
                    ),
                ),
                ("heading", {"text": "相談できること", "level": "h3"}),
                (
                    "paragraph",
                    RichText(
                        bullets(
                            [
                                "住まい（空き家バンク・賃貸・土地探し）",
                                "仕事（求人情報・就農・起業）",
                                "子育て・教育、移住支援金などの制度",
                            ]
                        )
                    ),
                ),
            ],
        }
    if kind == "akiya_tour":
        start = at(day, 9, 30)
        return {
            "title": rng.choice(
                [
                    f"{name} 空き家見学ツアー",
                    "空き家バンク物件めぐりツアー",
                    "空き家と暮らしの見学会",
                ]
            ),
            "summary": (
                "空き家バンクに登録されている物件を、担当者の案内で2〜3件見学します。"
                "昼食は地元の食堂で、先輩移住者との交流の時間もあります。"
            ),
            "start_at": start,
            "end_at": at(day, 15, 30),
            "venue_name": f"{office_name(m)} 正面玄関（集合・解散）",
            "venue_address": full_name(m, place),
            "fee_yen": rng.choice([0, 1000, 1500]),
            "fee_note": "昼食代として当日お支払いください。"
            if rng.random() < 0.6
            else "",
            "capacity": rng.choice([10, 12, 15]),
            "application_deadline": day - datetime.timedelta(days=7),
            "body": [
                (
                    "paragraph",
                    RichText(
                        paragraphs(
                            "見学する物件は、お申込みいただいた方のご希望（広さ・予算・エリア）をうかがってから決めます。",
                            "移動は町の公用車で行います。汚れてもよい服装と歩きやすい靴でご参加ください。",
                        )
                    ),
                ),
                ("heading", {"text": "当日の流れ", "level": "h3"}),
                (
                    "paragraph",
                    RichText(
                        numbered(
                            [
                                "9:30 集合、支援制度のご説明",
                                "10:00 物件見学（2〜3件）",
                                "12:00 昼食・先輩移住者との交流",
                                "13:30 物件見学の続き・個別相談",
                                "15:30 解散",
                            ]
                        )
                    ),
                ),
            ],
        }
    if kind == "farm":
        work = rng.choice(SEASONAL_FARM_WORK[day.month])
        start = at(day, 9)
        return {
            "title": f"{work}（{name}）",
            "summary": (
                f"{name}の農家さんの畑で{work.removesuffix('体験')}を体験します。"
                "農業に興味がある方、移住後に家庭菜園をしてみたい方にもおすすめです。"
            ),
            "start_at": start,
            "end_at": at(day, 12, 30),
            "venue_name": f"{area}地区の農園（詳しい場所は申込み後にお知らせします）",
            "venue_address": f"{full_name(m, place)}大字{area}",
            "fee_yen": rng.choice([1000, 1500, 2000, 3000]),
            "fee_note": "材料費・保険料を含みます。小学生以下は半額です。",
            "capacity": rng.choice([15, 20, 30]),
            "application_deadline": day
            - datetime.timedelta(days=rng.choice([5, 7, 10])),
            "body": [
                (
                    "paragraph",
                    RichText(
                        paragraphs(
                            "作業のあとは、採れたての野菜を使った軽食を囲んで農家さんと交流します。",
                            "持ち物：軍手、タオル、飲み物、長靴（お持ちでない方は貸し出します）。雨天の場合は内容を変更して実施します。",
                        )
                    ),
                )
            ],
        }
    if kind == "exchange":
        start = at(day, 13, 30)
        return {
            "title": rng.choice(
                [
                    f"移住者交流会「{name}で暮らしてみて」",
                    "先輩移住者と話そう！移住者交流会",
                    "移住者と地域のお茶会",
                ]
            ),
            "summary": (
                "移住して間もない方、これから移住を考えている方、地域の方がお茶を飲みながら気軽に話す会です。"
            ),
            "start_at": start,
            "end_at": at(day, 16),
            "venue_name": hall,
            "venue_address": full_name(m, place),
            "fee_yen": rng.choice([0, 500]),
            "fee_note": "お茶とお菓子を用意しています。",
            "capacity": rng.choice([20, 25, 30]),
            "application_deadline": day - datetime.timedelta(days=3),
            "body": [
                (
                    "paragraph",
                    RichText(
                        paragraphs(
                            "子ども連れでの参加も歓迎です。地域のおすすめのお店や、冬の過ごし方など、暮らしの小さな疑問を気軽に聞いてみてください。"
                        )
                    ),
                ),
                (
                    "quote",
                    {
                        "text": "ここで知り合った方に畑を貸してもらえることになり、移住1年目から野菜づくりを始められました。",
                        "attribution": "前回の参加者（2024年に東京都から移住）",
                    },
                ),
            ],
        }
    if kind == "online":
        day = weekday_on_or_after(day)
        start = at(day, 19)
        return {
            "title": f"{name} オンライン移住相談会（平日夜）",
            "summary": (
                "仕事帰りに自宅から参加できるオンライン相談会です。カメラはオフでもかまいません。"
            ),
            "start_at": start,
            "end_at": at(day, 20, 30),
            "venue_name": "オンライン（Zoom）",
            "venue_address": "",
            "is_online": True,
            "fee_yen": 0,
            "capacity": rng.choice([5, 6, 8]),
            "application_deadline": day - datetime.timedelta(days=2),
            "body": [
                (
                    "paragraph",
                    RichText(
                        paragraphs(
                            "お申込みいただいた方に、前日までに参加用のURLをメールでお送りします。",
                            "1組30分の個別相談です。事前に相談したい内容をお知らせいただくと、資料を用意してお待ちしています。",
                        )
                    ),
                )
            ],
        }
    # recruitment_briefing
    day = weekday_on_or_after(day)
    start = at(day, 19, 30)
    return {
        "title": "地域おこし協力隊 オンライン募集説明会",
        "summary": (
            f"{name}で活動する地域おこし協力隊の募集について、活動内容や待遇、暮らしをご説明します。"
            "現役の隊員も参加します。"
        ),
        "start_at": start,
        "end_at": at(day, 20, 30),
        "venue_name": "オンライン（Zoom）",
        "venue_address": "",
        "is_online": True,
        "fee_yen": 0,
        "capacity": 20,
        "application_deadline": day - datetime.timedelta(days=1),
        "body": [
            (
                "paragraph",
                RichText(
                    paragraphs(
                        "応募を迷っている方、情報収集中の方もお気軽にご参加ください。質問はチャットでも受け付けます。"
                    )
                ),
            )
        ],
    }


def _news(m, place, rng, today, fy) -> tuple[dict, datetime.datetime]:
    published = today - datetime.timedelta(days=rng.randint(1, 80))
    options = [
        (
            "空き家バンクに新しい物件を掲載しました",
            "空き家バンクに新たな物件を掲載しました。見学を希望される方は、利用登録のうえ移住相談窓口までご連絡ください。",
        ),
        (
            f"{fiscal_year_label(fy)}移住支援金の申請受付について",
            f"{fiscal_year_label(fy)}の移住支援金の申請を受け付けています。要件が変わった点がありますので、申請前に必ずご相談ください。",
        ),
        (
            "お試し住宅の予約受付状況",
            "お試し住宅は、週末を中心に予約が埋まりつつあります。平日のご利用は比較的空きがありますので、お早めにご相談ください。",
        ),
        (
            "移住相談窓口の年末年始の休業",
            "12月29日から1月3日まで、移住相談窓口は休業します。メールでのお問い合わせは1月5日以降に順次お返事します。",
        ),
    ]
    title, text = rng.choice(options)
    fields = {
        "title": title,
        "kind": "news",
        "summary": text[:150],
        "body": [("paragraph", RichText(paragraphs(text)))],
        "organizer": m.name,
    }
    return fields, at(published, 9)


def events(
    municipality, place: Place, today: datetime.date, oaza: list[str]
) -> list[PageSpec]:
    """One piece of news and two or three events, from three months ago to six
    months ahead."""
    rng = rng_for(municipality.slug, "events")
    fy = fiscal_year(today)
    column = {"urban": 0, "suburban": 1, "rural": 2}[place.setting]
    kinds: list[str] = []
    for _ in range(rng.randint(2, 3)):
        options = [kind for kind in EVENT_KINDS if kind not in kinds]
        weights = [EVENT_KINDS[kind][0][column] for kind in options]
        kinds.append(rng.choices(options, weights=weights)[0])

    news, published = _news(municipality, place, rng, today, fy)
    specs = [PageSpec("news-1", news, first_published_at=published)]
    for number, kind in enumerate(kinds, start=1):
        day = weekend_on_or_after(
            today + datetime.timedelta(days=rng.randint(-90, 180)), rng
        )
        fields = {
            "kind": "event",
            "organizer": municipality.name,
            "is_online": False,
            "fee_note": "",
            **_event(kind, municipality, place, rng, day, oaza),
        }
        specs.append(
            PageSpec(f"event-{number}", fields, image=f"event_{EVENT_KINDS[kind][1]}")
        )
    return specs


# --- Trial stays ---------------------------------------------------------------------

_TRIAL_STAY_NAMES = {
    "sea": ("しおさい", "はまかぜ", "なぎさ"),
    "mountain": ("やまびこ", "こもれび", "せせらぎ"),
    "lake": ("みずべ", "さざなみ", "ほかけ"),
    "plain": ("ひだまり", "さとやま", "たんぼ"),
    "tsukuba": ("ひだまり", "つくし", "ふもと"),
}


def trial_stays(
    municipality, place: Place, today: datetime.date, oaza: list[str], desk: dict
) -> list[PageSpec]:
    rng = rng_for(municipality.slug, "trial-stays")
    fy = fiscal_year(today)
    names = list(_TRIAL_STAY_NAMES[place.landscape])
    rng.shuffle(names)
    specs = []
    for number in range(1, rng.randint(1, 2) + 1):
        area = rng.choice(oaza)
        nickname = names[number - 1] if rng.random() < 0.7 else area
        kind = rng.choice(["お試し住宅", "移住体験住宅", "お試し居住施設"])
        facility = f"{kind} {nickname}の家"
        capacity = rng.choice([2, 4, 4, 5, 6])
        min_nights = rng.choice([2, 3, 7])
        max_nights = rng.choice([14, 30, 60, 90])
        fee = rng.choice([0, 1000, 1500, 2000, 3000])
        equipment = ["furniture", "appliances", "bedding", "kitchenware", "bath"]
        equipment += [
            key
            for key, chance in (
                ("wifi", 0.85),
                ("aircon", 0.9),
                ("parking", 0.9),
                ("bicycle", 0.3),
                ("workspace", 0.5),
            )
            if rng.random() < chance
        ]
        winter_closed = place.landscape == "mountain" and rng.random() < 0.5
        specs.append(
            PageSpec(
                f"trial-stay-{number}",
                {
                    "title": f"{facility}（{area}）",
                    "facility_name": facility,
                    "summary": (
                        f"{municipality.name}での暮らしを、{min_nights}泊から最長{max_nights}泊まで試せる"
                        "平屋の住宅です。"
                        "家具・家電がそろっているので、身の回りの物だけで滞在できます。"
                    ),
                    "address": f"{full_name(municipality, place)}大字{area}",
                    "capacity": capacity,
                    "min_nights": min_nights,
                    "max_nights": max_nights,
                    "fee_per_night_yen": fee,
                    "fee_note": (
                        "無料（光熱水費も含みます）。"
                        if fee == 0
                        else f"1泊{yen(fee)}（光熱水費込み）。清掃費として1回3,000円をいただきます。"
                    ),
                    "equipment": equipment,
                    "equipment_note": "寝具は定員分を用意しています。タオルや洗面用具はご持参ください。",
                    "eligibility": bullets(
                        [
                            f"{municipality.name}の外に住み、{municipality.name}への移住を考えている方",
                            "滞在中に移住相談窓口での面談（30分程度）を受けていただける方",
                            "滞在後のアンケートにご協力いただける方",
                        ]
                    ),
                    "available_from": datetime.date(fy, 4, 1),
                    "available_until": datetime.date(fy, 11, 30)
                    if winter_closed
                    else datetime.date(fy + 1, 3, 31),
                    "season_note": "4月〜11月（冬期は休館）"
                    if winter_closed
                    else "通年（年末年始を除く）",
                    "booking_contact": f"{municipality.name} {desk['department']} {desk['phone']}",
                    "description": paragraphs(
                        rng.choice(
                            [
                                "築40年ほどの住宅を改修し、水回りを新しくしました。南向きの縁側からは田畑が見渡せます。",
                                "地区の集会所に近い静かな住宅地にあります。歩いて5分ほどのところに商店があります。",
                                "元は農家の住まいだった家で、広い土間と和室があります。庭で家庭菜園を試すこともできます。",
                            ]
                        ),
                        "滞在中に空き家バンクの物件見学や地域の方との交流を希望される場合は、予約時にお知らせください。",
                    ),
                },
                photos=[
                    PhotoSpec("house_one_storey", "お試し住宅の外観"),
                    PhotoSpec("tatami", "和室（寝室として使えます）"),
                ],
            )
        )
    return specs


# --- 地域おこし協力隊 ----------------------------------------------------------------


def _missions(place: Place) -> list[tuple[str, str]]:
    missions = [
        (
            "観光振興",
            f"{place.highlights[0]}をはじめとする観光資源の磨き上げ、観光イベントの企画・運営、SNSでの情報発信を担当します。",
        ),
        (
            "空き家活用",
            "空き家バンクの物件調査と登録の支援、改修ワークショップの企画、移住希望者の物件案内を担当します。",
        ),
        (
            "情報発信",
            "移住ポータルやSNS、広報紙で町の魅力を伝えます。写真や動画の撮影・編集も活動の中心です。",
        ),
        (
            "移住・定住支援",
            "移住相談への対応、お試し住宅の運営、移住者交流会の企画など、移住する人と地域をつなぎます。",
        ),
        (
            "地域商社",
            f"{place.produce[0]}などの特産品を使った商品開発と販路の開拓、ふるさと納税の返礼品の企画を担当します。",
        ),
    ]
    if place.setting != "urban":
        missions.append(
            (
                "農業振興",
                f"{place.produce[0]}などの生産を農家のもとで学びながら、販売や新たな担い手の確保に取り組みます。",
            )
        )
    if place.landscape == "mountain":
        missions.append(
            (
                "森林・里山の活用",
                "森林の整備と間伐材の活用、薪づくりや里山歩きなどの体験プログラムの企画を担当します。",
            )
        )
    for craft in ("結城紬", "笠間焼", "石材"):
        if any(craft in industry for industry in place.industries):
            missions.append(
                (
                    f"{craft}の継承",
                    f"{craft}の職人のもとで技術を学びながら、後継者の育成と魅力の発信に取り組みます。",
                )
            )
    return missions


def recruitments(
    municipality, place: Place, today: datetime.date, desk: dict
) -> list[PageSpec]:
    rng = rng_for(municipality.slug, "recruitment")
    fy = fiscal_year(today)
    missions = _missions(place)
    rng.shuffle(missions)
    specs = []
    for number in range(1, rng.randint(1, 2) + 1):
        theme, mission = missions[number - 1]
        employment = rng.choice(["fiscal_year", "fiscal_year", "contract"])
        if employment == "fiscal_year":
            pay = rng.choice([240_000, 250_000, 260_000])
            pay_note = "期末手当あり。活動に必要な車両・パソコンは貸与します。"
            terms = bullets(
                [
                    "勤務時間：8:30〜17:15（週29時間程度、活動内容により変わります）",
                    "休日：土日祝日と年末年始（イベントの際は振替休日があります）",
                    f"任期：委嘱の日から{fy + 1}年3月31日まで（最長3年まで更新できます）",
                    "社会保険・雇用保険に加入します",
                ]
            )
        else:
            pay = rng.choice([300_000, 320_000, 350_000])
            pay_note = (
                "業務委託の報償費です。活動経費は別途、年間200万円を上限に支給します。"
            )
            terms = bullets(
                [
                    "活動日・時間は活動計画に沿ってご自身で決めます（副業も相談できます）",
                    f"任期：委嘱の日から{fy + 1}年3月31日まで（最長3年まで更新できます）",
                    "国民健康保険・国民年金にはご自身で加入していただきます",
                ]
            )
        start = today - datetime.timedelta(days=rng.randint(0, 40))
        specs.append(
            PageSpec(
                f"recruitment-{number}",
                {
                    "title": f"地域おこし協力隊（{theme}）を募集します",
                    "summary": (
                        f"{municipality.name}で{theme}に取り組む地域おこし協力隊を募集します。"
                        "任期後の定住・起業も応援します。"
                    ),
                    "mission": paragraphs(
                        mission,
                        "活動の1年目は地域を知ることを大切に、先輩隊員や"
                        f"{kind_word(municipality)}の担当者と一緒に動きます。"
                        "2年目以降は、任期後の仕事づくりにつながる活動にも時間を使えます。",
                    ),
                    "positions": rng.choice([1, 1, 2]),
                    "employment_type": employment,
                    "employment_terms": terms,
                    "monthly_pay_yen": pay,
                    "pay_note": pay_note,
                    "housing_support": rng.choice(
                        [
                            f"{kind_word(municipality)}が借り上げた住宅を無償で提供します（光熱水費は自己負担）。",
                            "家賃を月額5万円まで補助します。住まい探しもお手伝いします。",
                            f"{kind_word(municipality)}営住宅に入居できます（家賃は{kind_word(municipality)}が負担します）。",
                        ]
                    ),
                    "eligibility": bullets(
                        [
                            "三大都市圏をはじめとする都市地域に住民票がある方（詳しい条件はお問い合わせください）",
                            f"委嘱後に{municipality.name}へ住民票を移し、住むことができる方",
                            "普通自動車運転免許を持っている方",
                            "パソコン（文書作成・表計算・SNS）の基本的な操作ができる方",
                        ]
                    ),
                    "application_start": start,
                    "application_end": start
                    + datetime.timedelta(days=rng.randint(30, 75)),
                    "selection_process": numbered(
                        [
                            "書類選考（履歴書と「やってみたいこと」をまとめた作文）",
                            "面接（オンラインでも受けられます）",
                            f"現地での活動体験（1泊2日、交通費は{kind_word(municipality)}が負担します）",
                            "合否の通知",
                        ]
                    ),
                },
                image="landscape",
            )
        )
    return specs
