"""Demo listings for each municipality's 空き家バンク: houses and plots whose facts
hang together (a plot in 市街化調整区域 carries that special note, a house built in
1975 likely needs repair, a price is given unless it is 応相談, an agent has a
licence number), with photos chosen to match what the listing says."""

import datetime
import random
from decimal import Decimal

from cms.core.japanese import format_wareki_year

from .content import PageSpec, PhotoSpec, bullets, numbered, paragraphs, rng_for
from .images import FloorPlan
from .places import Place, full_name, jitter_position, office_name, short_name

LISTINGS_PER_MUNICIPALITY = (7, 10)
TSUBO_SQM = 3.305785

_ZONING_RATIOS = {
    "low_rise_1": [(50, 80), (50, 100), (60, 150)],
    "low_rise_2": [(60, 150)],
    "mid_high_1": [(60, 200)],
    "residential_1": [(60, 200)],
    "residential_2": [(60, 200)],
    "quasi_residential": [(60, 200)],
    "neighbourhood_commercial": [(80, 300)],
}
_AGENT_STEMS = (
    "ひばり",
    "みどり",
    "さくら",
    "あおば",
    "はなみずき",
    "いちょう",
    "すずらん",
    "ひまわり",
    "なでしこ",
    "つつじ",
    "こぶし",
    "やまぶき",
)
_AGENT_SUFFIXES = ("不動産", "住宅", "ハウジング", "地所", "ホーム")
_STRUCTURE_LABELS = {
    "wood": "木造",
    "light_steel": "軽量鉄骨造",
    "steel": "鉄骨造",
    "block": "ブロック造",
    "rc": "鉄筋コンクリート造",
}


def _pick(rng: random.Random, weighted: dict):
    keys = list(weighted)
    return rng.choices(keys, weights=[weighted[key] for key in keys])[0]


def _agents(rng: random.Random) -> list[tuple[str, str]]:
    """Two or three real-estate agents working in the town (invented names)."""
    agents = []
    stems = rng.sample(_AGENT_STEMS, 3)
    for stem in stems[: rng.randint(2, 3)]:
        form = rng.choice(["株式会社", "有限会社"])
        name = f"{form}{stem}{rng.choice(_AGENT_SUFFIXES)}"
        licence = f"茨城県知事({rng.randint(1, 15)})第{rng.randint(1000, 9999)}号"
        agents.append((name, licence))
    return agents


def _money(rng: random.Random, low: int, high: int, step: int) -> int:
    """A price skewed towards the low end, as akiya prices are."""
    value = rng.triangular(low, high, low + (high - low) * 0.2)
    return max(step, round(value / step) * step)


def _area(rng: random.Random, low: float, high: float) -> Decimal:
    return Decimal(f"{rng.uniform(low, high):.2f}")


def _planning(rng: random.Random, place: Place) -> dict:
    """区域区分, 用途地域 and the ratios, as they go together."""
    if place.planning == "partial" and rng.random() < 0.5:
        return {"city_planning_area": "outside", "zoning": "none"}
    if place.planning in ("partial", "hisenbiki"):
        if rng.random() < 0.3:
            zoning = rng.choice(["residential_1", "low_rise_1"])
            coverage, ratio = rng.choice(_ZONING_RATIOS[zoning])
        else:
            zoning, (coverage, ratio) = "none", rng.choice([(70, 200), (60, 200)])
        return {
            "city_planning_area": "undivided",
            "zoning": zoning,
            "building_coverage_ratio": coverage,
            "floor_area_ratio": ratio,
        }
    urban_share = {"urban": 0.7, "suburban": 0.5, "rural": 0.35}[place.setting]
    if rng.random() < urban_share:
        zoning = rng.choice(list(_ZONING_RATIOS))
        coverage, ratio = rng.choice(_ZONING_RATIOS[zoning])
        return {
            "city_planning_area": "urbanization",
            "zoning": zoning,
            "building_coverage_ratio": coverage,
            "floor_area_ratio": ratio,
        }
    return {
        "city_planning_area": "control",
        "zoning": "none",
        "building_coverage_ratio": 60,
        "floor_area_ratio": 200,
    }


def _utilities(rng: random.Random, place: Place, house: bool) -> dict:
    setting = place.setting
    if not house:
        return {
            "water_supply": _pick(rng, {"public": 6, "none": 4}),
            "sewerage": _pick(rng, {"public": 3, "none": 7}),
            "gas_supply": "",
        }
    water = "public" if setting != "rural" else _pick(rng, {"public": 3, "well": 1})
    sewerage = _pick(
        rng,
        {
            "urban": {"public": 8, "septic": 2},
            "suburban": {"public": 5, "septic": 4, "vault": 1},
            "rural": {"public": 2, "septic": 5, "vault": 3},
        }[setting],
    )
    gas = _pick(
        rng,
        {"city": 5, "propane": 5} if setting == "urban" else {"propane": 9, "none": 1},
    )
    return {"water_supply": water, "sewerage": sewerage, "gas_supply": gas}


def _access(rng: random.Random, place: Place, municipality) -> tuple[str, bool]:
    """「JR水郡線 常陸大子駅から車で8分」 and whether it is walkable."""
    if place.stations and rng.random() < 0.8:
        station = rng.choice(place.stations)
        if place.setting != "rural" and rng.random() < 0.35:
            return f"{station}から徒歩{rng.randint(8, 25)}分", True
        return f"{station}から車で{rng.randint(5, 25)}分", False
    if place.road and rng.random() < 0.6:
        return f"{place.road}から車で{rng.randint(8, 30)}分", False
    return f"{office_name(municipality)}から車で{rng.randint(5, 20)}分", False


def _dates(rng: random.Random, today: datetime.date, count: int) -> list[datetime.date]:
    return sorted(
        today - datetime.timedelta(days=rng.randint(10, 1000)) for _ in range(count)
    )


class _Numbering:
    """Registration numbers 「大子-2025-012」, counted per year within a town."""

    def __init__(self, rng: random.Random, prefix: str):
        self.rng = rng
        self.prefix = prefix
        self.last: dict[int, int] = {}

    def next(self, year: int) -> str:
        # Earlier numbers of the year went to listings already closed and removed.
        number = self.last.get(year, self.rng.randint(0, 9)) + self.rng.randint(1, 3)
        self.last[year] = number
        return f"{self.prefix}-{year}-{number:03d}"


def akiya_listings(
    municipality,
    place: Place,
    today: datetime.date,
    oaza: list[str],
    plan: FloorPlan,
    with_draft: bool = False,
) -> list[PageSpec]:
    rng = rng_for(municipality.slug, "akiya")
    agents = _agents(rng)
    numbering = _Numbering(rng, short_name(municipality))
    registered = _dates(rng, today, rng.randint(*LISTINGS_PER_MUNICIPALITY))
    specs = []
    for index, day in enumerate(registered, start=1):
        fields, photos = _listing(
            rng, municipality, place, today, day, oaza, plan, agents
        )
        fields["registration_number"] = numbering.next(day.year)
        specs.append(PageSpec(f"akiya-{index:02d}", fields, photos))
    if with_draft:
        fields, photos = _listing(
            rng, municipality, place, today, today, oaza, plan, agents
        )
        fields.update(
            title=f"（下書き）{fields['title']}",
            registration_number=numbering.next(today.year),
            status="open",
            status_changed_on=None,
            national_bank_consent=False,
            national_bank_consent_on=None,
        )
        specs.append(PageSpec("akiya-draft", fields, photos, live=False))
    return specs


def _listing(rng, municipality, place, today, registered_on, oaza, plan, agents):
    house = rng.random() < 0.85
    setting = place.setting
    area_name = rng.choice(oaza)
    if house:
        transaction = _pick(rng, {"sale": 60, "rent": 15, "sale_or_rent": 25})
    else:
        transaction = _pick(rng, {"sale": 9, "rent": 1})
    sale = transaction in ("sale", "sale_or_rent")
    rent = transaction in ("rent", "sale_or_rent")
    latitude, longitude = jitter_position(rng, place)
    access, walkable = _access(rng, place, municipality)
    fields: dict = {
        "transaction_type": transaction,
        "property_type": "house" if house else "land",
        "registered_on": registered_on,
        "address": f"{full_name(municipality, place)}大字{area_name}",
        "latitude": Decimal(f"{latitude:.6f}"),
        "longitude": Decimal(f"{longitude:.6f}"),
        "access": access,
        **_planning(rng, place),
        **_utilities(rng, place, house),
    }
    notes: list[str] = []
    if fields["city_planning_area"] == "control":
        notes.append("control_area")

    # Land
    if house:
        low, high = {"urban": (130, 300), "suburban": (200, 550), "rural": (300, 1200)}[
            setting
        ]
    else:
        low, high = {"urban": (100, 250), "suburban": (150, 500), "rural": (300, 1500)}[
            setting
        ]
    land_area = _area(rng, low, high)
    fields["land_area_sqm"] = land_area
    fields["land_area_method"] = _pick(rng, {"registered": 8, "surveyed": 2})

    # Building
    photos: list[PhotoSpec] = []
    built_year = None
    if house:
        one_storey = (
            rng.random() < {"urban": 0.25, "suburban": 0.35, "rural": 0.45}[setting]
        )
        floors = 1 if one_storey else 2
        uses_plan = floors == plan.storeys and rng.random() < 0.45
        if uses_plan:
            layout, building_area = plan.layout, Decimal(f"{plan.area_sqm:.2f}")
        else:
            layout = rng.choice(
                ["3DK", "4DK", "4DK", "5DK", "3LDK"]
                if floors == 1
                else ["4DK", "4LDK", "5DK", "5LDK", "6DK", "4LDK＋納戸", "5DK＋納戸"]
            )
            rooms = int(layout[0])
            building_area = _area(rng, rooms * 18 + 12, rooms * 25 + 18)
        first, last = {
            "urban": (1972, 2010),
            "suburban": (1968, 2005),
            "rural": (1958, 2000),
        }[setting]
        built_year = rng.randint(first, last)
        structure = _pick(
            rng, {"wood": 85, "light_steel": 8, "steel": 3, "block": 2, "rc": 2}
        )
        fields.update(
            building_area_sqm=building_area,
            building_area_method=_pick(rng, {"registered": 9, "surveyed": 1}),
            layout=layout,
            built_year_month=f"{built_year}-{rng.randint(1, 12):02d}",
            structure=structure,
            floors=floors,
        )
        spaces = rng.randint(1, 4) if setting != "rural" else rng.randint(2, 5)
        fields["parking_spaces"] = spaces
        fields["parking_note"] = (
            rng.choice(
                [
                    f"敷地内に{spaces}台（並列）",
                    f"敷地内に{spaces}台",
                    "カーポート1台分を含みます",
                ]
            )
            if spaces > 1
            else "敷地内に1台"
        )
        state = _pick(rng, {"vacant": 85, "occupied": 7, "other": 8})
        fields["current_state"] = state
        if state == "vacant" and rng.random() < 0.35:
            notes.append("furniture_left")
        if rng.random() < (0.55 if built_year < 1985 else 0.2):
            notes.append("needs_repair")
        if rng.random() < {"urban": 0.02, "suburban": 0.1, "rural": 0.25}[setting]:
            notes.append("farmland")
        photos.append(
            PhotoSpec(
                "house_one_storey" if floors == 1 else "house_two_storey",
                rng.choice(["外観", "南側から見た外観", "道路側からの外観"]),
                "exterior",
            )
        )
        if rng.random() < 0.7:
            photos.append(
                PhotoSpec("tatami", rng.choice(["和室", "南側の和室"]), "interior")
            )
        if uses_plan:
            photos.append(PhotoSpec("floor_plan", "間取り図", "floor_plan"))
    else:
        state = _pick(rng, {"vacant_lot": 8, "other": 2})
        fields["current_state"] = state
        fields["parking_note"] = ""
        if setting == "rural" and rng.random() < 0.15:
            notes.append("farmland")
        photos.append(PhotoSpec("vacant_lot", "敷地の様子", "land"))
    if rng.random() < (0.5 if house else 0.6):
        photos.append(PhotoSpec("landscape", "周辺の風景", "surroundings"))
    photos = photos[:4]

    # Road, hazards
    private = rng.random() < 0.15
    if private:
        notes.append("private_road")
    if house and rng.random() < 0.03:
        notes.append("no_rebuild")
        if not private:
            notes.append("private_road")
        fields["road_access"] = "北側 私道 幅員1.8m（建築基準法上の道路に該当しません）"
    else:
        direction = rng.choice(["南", "南", "東", "西", "北"])
        width = rng.choice([3.0, 4.0, 4.0, 4.5, 5.0, 6.0, 8.0])
        fields["road_access"] = (
            f"{direction}側 {'私道' if private else '公道'} 幅員{width:.1f}m "
            f"間口{rng.uniform(6, 20):.1f}m"
        )
    if rng.random() < (0.2 if place.landscape == "mountain" else 0.03):
        notes.append("landslide_area")
    if rng.random() < {"mountain": 0.1, "sea": 0.1}.get(place.landscape, 0.2):
        notes.append("flood_area")
    fields["special_notes"] = notes
    fields["special_notes_text"] = _notes_text(rng, notes, land_area)

    # Price
    price_low, price_high = {
        "urban": (3_000_000, 18_000_000),
        "suburban": (1_000_000, 12_000_000),
        "rural": (300_000, 6_000_000),
    }[setting]
    if not house:
        per_sqm = {
            "urban": (30_000, 80_000),
            "suburban": (8_000, 30_000),
            "rural": (2_000, 8_000),
        }
        low, high = per_sqm[setting]
        price_low, price_high = int(land_area * low), int(land_area * high)
    if "no_rebuild" in notes or "needs_repair" in notes:
        price_high = max(price_low + 100_000, price_high // 2)
    negotiable_only = sale and rng.random() < 0.1
    fields["price_negotiable"] = negotiable_only or rng.random() < 0.1
    fields["price_yen"] = (
        _money(rng, price_low, price_high, 100_000)
        if sale and not negotiable_only
        else None
    )
    rent_low, rent_high = (
        {
            "urban": (50_000, 90_000),
            "suburban": (35_000, 65_000),
            "rural": (20_000, 50_000),
        }[setting]
        if house
        else (5_000, 20_000)
    )
    fields["rent_yen"] = _money(rng, rent_low, rent_high, 1_000) if rent else None
    notes_for_price = []
    if sale:
        notes_for_price.append(
            rng.choice(
                [
                    "現況のままでの引渡しです。",
                    "建物を解体しての更地渡しにも相談に応じます。",
                    "固定資産税は引渡し日を基準に日割りで精算します。",
                ]
                if house
                else [
                    "測量費は売主負担です。",
                    "固定資産税は引渡し日を基準に日割りで精算します。",
                ]
            )
        )
    if rent:
        notes_for_price.append(
            rng.choice(
                [
                    "敷金1か月、礼金なし。",
                    "敷金2か月、礼金なし。ペットの飼育は相談に応じます。",
                    "敷金・礼金なし。DIYによる改修を認めます（退去時の原状回復は不要）。",
                ]
                if house
                else ["月額の地代です。家庭菜園や駐車場としての利用を想定しています。"]
            )
        )
    fields["price_note"] = "".join(notes_for_price)

    # Handover and transaction
    if fields["current_state"] == "occupied":
        fields["handover"] = "売主の転居後（相談）"
    else:
        fields["handover"] = rng.choice(
            [
                "即時",
                "相談",
                "家財道具の撤去後（約2か月）",
                f"{today.year + 1}年4月以降",
            ]
        )
    agent_share = {"urban": 0.6, "suburban": 0.45, "rural": 0.3}[setting]
    if rng.random() < agent_share:
        agent_name, licence = rng.choice(agents)
        fields.update(
            transaction_method="agent",
            agent_name=agent_name,
            agent_licence_number=licence,
        )
    else:
        fields.update(
            transaction_method="owner", agent_name="", agent_licence_number=""
        )

    # Status and the national akiya bank
    status = _pick(
        rng, {"open": 74, "negotiating": 12, "contracted": 9, "withdrawn": 5}
    )
    changed = registered_on
    if status != "open" and registered_on < today:
        changed = registered_on + datetime.timedelta(
            days=rng.randint(1, (today - registered_on).days)
        )
    consent = rng.random() < 0.85
    fields.update(
        status=status,
        status_changed_on=changed,
        national_bank_consent=consent,
        national_bank_consent_on=registered_on if consent else None,
    )

    # Words
    tsubo = float(land_area) / TSUBO_SQM
    fields["title"] = _title(rng, fields, area_name, built_year, tsubo, walkable, notes)
    fields["summary"] = _summary(rng, fields, area_name, built_year, tsubo)
    fields["description"] = _description(rng, fields, built_year, today, place)
    if rng.random() < 0.3:
        fields["how_to_apply"] = numbered(
            [
                "空き家バンクの利用登録申込書を提出してください（窓口・郵送・メール）。",
                "登録後、見学の日程を調整します。",
                "所有者または媒介業者と条件を話し合い、契約へ進みます。",
            ]
        )
    return fields, photos


def _notes_text(rng: random.Random, notes: list[str], land_area: Decimal) -> str:
    sentences = {
        "control_area": "市街化調整区域のため、建て替えや用途の変更には都市計画法の許可が必要になる場合があります。",
        "no_rebuild": "建築基準法上の道路に接していないため、今の建物を取り壊すと新たに建てられません。",
        "needs_repair": rng.choice(
            [
                "屋根の一部に雨漏りの跡があり、修繕が必要です。",
                "浴室と台所の設備が古く、入居前に改修が必要です。",
                "床の一部にきしみがあります。改修費の補助制度を利用できます。",
            ]
        ),
        "furniture_left": "家財道具が残っています。処分費用の補助制度があります。",
        "farmland": (
            f"隣接する畑（約{rng.randint(3, 15) * 100}㎡）も併せて取得できます。"
            "農地の取得には農業委員会の許可が必要です。"
        ),
        "private_road": "前面道路は私道で、持分があります。",
        "landslide_area": "敷地の一部が土砂災害警戒区域に含まれます。",
        "flood_area": "ハザードマップで浸水想定区域（想定浸水深0.5〜3.0m）に含まれます。",
    }
    return "".join(sentences[note] for note in notes)


def _title(rng, fields, area_name, built_year, tsubo, walkable, notes) -> str:
    if fields["property_type"] == "land":
        kind = "貸地" if fields["transaction_type"] == "rent" else "売地"
        return f"{area_name}の{kind}（約{tsubo:.0f}坪）"
    layout = fields["layout"]
    building = "平屋" if fields["floors"] == 1 else "二階建て"
    if (
        built_year < 1975
        and float(fields["building_area_sqm"]) > 110
        and fields["floors"] == 1
    ):
        building = "古民家"
    lead = []
    if walkable:
        lead.append(f"駅まで徒歩{fields['access'].rsplit('徒歩', 1)[1]}の")
    if "farmland" in notes:
        lead.append("畑付きの")
    if tsubo > 200:
        lead.append("敷地の広い")
    if fields["transaction_type"] == "rent":
        lead.append("賃貸の")
    if lead and rng.random() < 0.8:
        return f"{rng.choice(lead)}{building}（{area_name}・{layout}）"
    return rng.choice(
        [
            f"{area_name}の{building}（{layout}）",
            f"日当たりのよい{building} {layout}（{area_name}）",
            f"{area_name}の{building} {layout}・駐車{fields['parking_spaces']}台",
        ]
    )


def _summary(rng, fields, area_name, built_year, tsubo) -> str:
    if fields["property_type"] == "land":
        return f"{area_name}にある約{tsubo:.0f}坪の土地です。" + rng.choice(
            [
                "平坦で形がよく、住宅の建築に向いています。",
                "周辺は住宅と畑が混在する落ち着いた地域です。",
                "南側が道路に面しており、日当たりは良好です。",
            ]
        )
    era = format_wareki_year(built_year)
    building = "平屋" if fields["floors"] == 1 else "二階建て"
    return (
        f"{area_name}にある{era}築の{building}（{fields['layout']}）です。"
        + rng.choice(
            [
                "庭が広く、家庭菜園を楽しめます。",
                "水回りは改修済みで、すぐに住み始められます。",
                "昔ながらの和室と縁側のある家です。",
                "静かな住宅地で、子育て世帯にも向いています。",
                "手を入れながら長く住みたい方におすすめです。",
            ]
        )
    )


def _description(rng, fields, built_year, today, place) -> str:
    if fields["property_type"] == "land":
        return paragraphs(
            "もとは住宅が建っていた土地で、現在は更地になっています。"
            if fields["current_state"] == "vacant_lot"
            else "長く畑として使われてきた土地です。宅地として利用する場合は地目の変更が必要です。",
            "見学をご希望の方は、空き家バンクの利用登録のうえ窓口までご連絡ください。",
        )
    structure = _STRUCTURE_LABELS.get(fields["structure"], "")
    building = "平屋" if fields["floors"] == 1 else "二階建て"
    era = format_wareki_year(built_year)
    features = [
        "南向きの庭は日当たりがよく、家庭菜園を楽しめる広さがあります。",
        "庭に柿の木と物置があります。",
    ]
    if fields["parking_spaces"] >= 3:
        features.append("敷地にゆとりがあり、車を何台も停められます。")
    if today.year - built_year > 25:
        renovated = rng.randint(max(built_year + 20, today.year - 15), today.year - 1)
        features.append(
            f"{renovated}年ごろに浴室とトイレを改修しており、水回りはそのまま使えます。"
        )
    if built_year < 1980:
        features.append(
            "太い梁の見える天井や欄間など、昔ながらのつくりが残っています。"
        )
    if place.setting == "rural":
        features.append("周囲は田畑に囲まれた静かな環境で、夜は星がよく見えます。")
    else:
        features.append("最寄りのスーパーまで車で5分ほどと、日々の買い物にも便利です。")
    chosen = rng.sample(features, 2)
    return paragraphs(
        f"{era}に建てられた{structure}{building}の住宅です。{chosen[0]}",
        chosen[1],
        "見学をご希望の方は、空き家バンクの利用登録のうえ窓口までご連絡ください。",
    ) + (bullets([f"間取り：{fields['layout']}", f"駐車場：{fields['parking_note']}"]))
