"""The prefecture's own demo content: its consultation desk in Tokyo, the portal
settings, the home page, the prefecture-wide support measures, articles and the
standard pages (このサイトについて, 移住相談の流れ)."""

import datetime

from wagtail.rich_text import RichText

from .content import (
    PageSpec,
    bullets,
    fiscal_year,
    fiscal_year_label,
    numbered,
    paragraphs,
)

PORTAL_NAME = "いばらき移住ポータル"

PREFECTURE_DESK = {
    "name": "いばらき暮らしサポートセンター（東京・有楽町）",
    "department": "茨城県 政策企画部 計画推進課",
    "phone": "03-0521-4187",  # an exchange starting with 0 is never assigned
    "email": "kurashi-support@example.jp",
    "postal_code": "100-0006",
    "address": "東京都千代田区有楽町2-10-1 東京交通会館8階（ふるさと回帰支援センター内）",
    "opening_hours": "火〜日曜 10:00〜18:00（月曜・祝日・年末年始を除く）",
    "sort_order": 0,
}

PORTAL_SETTINGS = {
    "portal_name": PORTAL_NAME,
    "tagline": "海も山も、まちも。茨城での暮らしを探そう",
    "operator_name": "茨城県 政策企画部 計画推進課",
    "prefecture_code": "080004",
    "primary_colour": "#1f5fa8",
    "accent_colour": "#c8501e",
    "contact_email": "iju@example.jp",
    "contact_phone": "029-030-2846",  # never-assigned exchange, as above
    "contact_address": "〒310-8555 茨城県水戸市笠原町978番6",
}

INDEX_INTROS = {
    "towns": paragraphs(
        "茨城県の44市町村の暮らしを紹介します。海沿いのまち、山あいの里、"
        "都心へ通える住宅都市まで、気になるまちを探してみてください。"
    ),
    "support": paragraphs(
        "県が実施している移住・定住の支援制度です。"
        "市町村ごとの制度は、それぞれの市町村のページをご覧ください。"
    ),
    "articles": paragraphs(
        "先輩移住者へのインタビューや、茨城での暮らしのヒントをお届けします。"
    ),
}


def home_fields(flow_page, support_page) -> dict:
    return {
        "hero_title": "茨城で、あたらしい暮らしを。",
        "hero_lead": (
            "東京から1〜2時間。海と山と田園がそろう茨城県の44市町村の暮らし、"
            "住まい、仕事の情報をまとめました。"
        ),
        "body": [
            (
                "paragraph",
                RichText(
                    paragraphs(
                        "空き家バンクの物件、お試し居住、移住相談会の予定、"
                        "地域おこし協力隊の募集まで、市町村の最新情報を一か所で探せます。"
                    )
                ),
            ),
            ("button", {"label": "移住相談の流れを見る", "page": flow_page, "url": ""}),
            (
                "button",
                {"label": "県の支援制度を見る", "page": support_page, "url": ""},
            ),
        ],
    }


def support_measures(today: datetime.date) -> list[PageSpec]:
    fy = fiscal_year(today)
    year = fiscal_year_label(fy)
    return [
        PageSpec(
            "relocation-grant",
            {
                "title": "茨城県移住支援金（東京圏からのUIJターン）",
                "category": "relocation_grant",
                "summary": (
                    "東京23区から県内へ移住し、就業や起業などをした方に、市町村を通じて支援金を支給します。"
                    "要件や受付期間は市町村ごとに異なります。"
                ),
                "amount_text": "世帯100万円、単身60万円（18歳未満の子ども1人につき最大100万円を加算）",
                "amount_max_yen": 1_000_000,
                "eligibility": bullets(
                    [
                        "転入する直前の10年間のうち通算5年以上、東京23区に住んでいたか、東京圏から23区へ通勤していた方",
                        "県のマッチングサイトの求人に就業した方、テレワークで移住前の業務を続ける方、県の起業支援金を受けた方など",
                    ]
                ),
                "period_start": datetime.date(fy, 4, 1),
                "period_end": datetime.date(fy + 1, 1, 31),
                "period_note": "申請先は移住先の市町村です。",
                "how_to_apply": paragraphs(
                    "移住先の市町村の窓口へ申請してください。市町村のページで各地の制度を確認できます。"
                ),
            },
        ),
        PageSpec(
            "new-farmers",
            {
                "title": "いばらき就農支援（研修と資金）",
                "category": "work",
                "summary": (
                    "県内で農業を始めたい方に、研修先の紹介、農地探し、国の資金の活用までを一貫して支援します。"
                ),
                "amount_text": "就農準備資金 年間最大150万円（最長2年間）など",
                "amount_max_yen": 1_500_000,
                "eligibility": bullets(
                    [
                        "就農時に49歳以下の方（国の資金の要件）",
                        "県が認める研修機関や先進農家で研修を受ける方",
                    ]
                ),
                "period_start": None,
                "period_end": None,
                "period_note": "通年で相談を受け付けています。",
                "how_to_apply": numbered(
                    [
                        "就農相談会または県の農業改良普及センターでご相談ください。",
                        "研修先を決め、研修計画を作成します。",
                        "資金の申請は研修開始前に行います。",
                    ]
                ),
            },
        ),
        PageSpec(
            "startup-grant",
            {
                "title": "地域課題解決型起業支援金",
                "category": "work",
                "summary": (
                    "子育て、買い物、交通など地域の課題をビジネスで解決する起業を応援します。"
                    "移住支援金と併せて受け取ることもできます。"
                ),
                "amount_text": "対象経費の2分の1（上限200万円）",
                "amount_max_yen": 2_000_000,
                "eligibility": bullets(
                    [
                        f"{year}中に県内で新たに起業する方",
                        "事業計画について、県が実施する審査を受けていただきます",
                    ]
                ),
                "period_start": datetime.date(fy, 5, 1),
                "period_end": datetime.date(fy, 7, 31),
                "period_note": "公募は年1回です。",
                "how_to_apply": paragraphs(
                    "募集期間中に、事業計画書などの書類を提出してください。"
                ),
            },
        ),
        PageSpec(
            "telework",
            {
                "title": "テレワーク移住 コワーキング利用補助",
                "category": "work",
                "summary": (
                    "都内の仕事を続けながら県内へ移住した方に、県内のコワーキングスペースの利用料を補助します。"
                ),
                "amount_text": "月額上限1万円（最長12か月）",
                "amount_max_yen": 120_000,
                "eligibility": bullets(
                    [
                        "転入後1年以内で、勤務先の業務をテレワークで行っている方",
                        "県内の登録施設を利用すること",
                    ]
                ),
                "period_start": datetime.date(fy, 4, 1),
                "period_end": datetime.date(fy + 1, 3, 31),
                "period_note": "予算に達し次第、受付を終了します。",
                "how_to_apply": paragraphs(
                    "利用した月の翌月末までに、領収書を添えて申請してください。"
                ),
            },
        ),
        PageSpec(
            "marriage-support",
            {
                "title": "結婚・子育て応援（出会いから子育てまで）",
                "category": "childcare",
                "summary": (
                    "結婚を希望する方の出会いの場づくりから、妊娠・出産・子育ての相談まで、県と市町村が一緒に応援します。"
                ),
                "amount_text": "",
                "amount_max_yen": None,
                "eligibility": bullets(
                    ["県内に住んでいる方、これから県内へ移住する方"]
                ),
                "period_start": None,
                "period_end": None,
                "period_note": "",
                "how_to_apply": paragraphs(
                    "子育ての相談は、お住まいの市町村の子育て支援窓口で受け付けています。"
                ),
            },
        ),
        PageSpec(
            "tour-travel",
            {
                "title": "移住体験ツアー・お試し居住の交通費補助",
                "category": "other",
                "summary": (
                    "市町村が行う移住体験ツアーやお試し居住を利用する方に、往復の交通費の一部を補助します。"
                ),
                "amount_text": "1回あたり上限2万円（年度内2回まで）",
                "amount_max_yen": 40_000,
                "eligibility": bullets(
                    [
                        "県外に住み、県内への移住を考えている方",
                        "ツアー終了後のアンケートにご協力いただける方",
                    ]
                ),
                "period_start": datetime.date(fy, 4, 1),
                "period_end": datetime.date(fy + 1, 2, 28),
                "period_note": "",
                "how_to_apply": paragraphs(
                    "ツアーやお試し居住の申込み時に、市町村の窓口でお伝えください。"
                ),
            },
        ),
        PageSpec(
            "prefectural-timber",
            {
                "title": "県産木材を使った住まいづくり補助",
                "category": "housing",
                "summary": "県産の木材を使って住宅を新築・リフォームする方に、費用の一部を補助します。",
                "amount_text": "新築 上限50万円、リフォーム 上限20万円",
                "amount_max_yen": 500_000,
                "eligibility": bullets(
                    [
                        "県内に自ら住むための住宅であること",
                        "構造材などに一定量以上の県産木材を使うこと",
                    ]
                ),
                "period_start": datetime.date(fy, 4, 15),
                "period_end": datetime.date(fy + 1, 1, 31),
                "period_note": "工事の着手前に申請してください。",
                "how_to_apply": paragraphs("施工する工務店を通じて申請してください。"),
            },
        ),
    ]


def articles(today: datetime.date) -> list[PageSpec]:
    """Articles; ``fields['related']`` lists municipality slugs."""
    days = datetime.timedelta
    return [
        PageSpec(
            "interview-daigo",
            {
                "title": "移住者インタビュー：東京から大子町へ、りんご農家をめざして",
                "date": today - days(18),
                "summary": "都内のIT企業を退職し、夫婦で大子町へ移住したKさん。りんご農家での研修3年目の暮らしを聞きました。",
                "related": ["daigo"],
                "body": [
                    (
                        "heading",
                        {"text": "きっかけは旅行で食べたりんご", "level": "h2"},
                    ),
                    (
                        "paragraph",
                        RichText(
                            paragraphs(
                                "Kさん夫婦が初めて大子町を訪れたのは、袋田の滝を見に来た秋の旅行でした。"
                                "直売所で買ったりんごのおいしさが忘れられず、翌年には町の移住相談会へ。"
                                "お試し住宅に1か月滞在してから、移住を決めたといいます。"
                            )
                        ),
                    ),
                    (
                        "quote",
                        {
                            "text": "最初は冬の寒さが心配でしたが、近所の方が薪ストーブの使い方から教えてくれました。",
                            "attribution": "2023年に東京都から移住 Kさん（40代）",
                        },
                    ),
                    ("heading", {"text": "研修と暮らし", "level": "h2"}),
                    (
                        "paragraph",
                        RichText(
                            paragraphs(
                                "平日はりんご農家で研修を受け、週末は借りた畑で野菜づくり。"
                                "住まいは空き家バンクで見つけた築50年の平屋で、町の補助を使って台所と浴室を改修しました。",
                                "「スーパーまでは車で15分。不便といえば不便ですが、"
                                "そのぶん季節の移り変わりを毎日感じられます」とKさんは笑います。",
                            )
                        ),
                    ),
                    ("heading", {"text": "これから移住を考える人へ", "level": "h2"}),
                    (
                        "paragraph",
                        RichText(
                            paragraphs(
                                "「いきなり家を買わず、まずは短い滞在から始めるのがおすすめです。"
                                "役場の担当の方が地域の人との橋渡しをしてくれたのが心強かったです」"
                            )
                        ),
                    ),
                ],
            },
            image="shared_mountain",
        ),
        PageSpec(
            "interview-tsukuba",
            {
                "title": "移住者インタビュー：つくばで子育てしながらリモートワーク",
                "date": today - days(46),
                "summary": "都内の会社に勤めながら、つくば市へ家族で移住したMさん。週1回の出社と在宅勤務を組み合わせた暮らしとは。",
                "related": ["tsukuba", "tsukubamirai"],
                "body": [
                    (
                        "paragraph",
                        RichText(
                            paragraphs(
                                "子どもが生まれたのを機に「もう少し広い家で、自然の近くで育てたい」と考えたMさん夫婦。"
                                "つくばエクスプレスで都心へ出やすいことが決め手になりました。"
                            )
                        ),
                    ),
                    ("heading", {"text": "出社は週1回、あとは自宅で", "level": "h2"}),
                    (
                        "paragraph",
                        RichText(
                            paragraphs(
                                "会社のテレワーク制度を使い、出社するのは週1回だけ。"
                                "通勤がない日は、朝の30分を子どもと公園で過ごすのが日課になりました。"
                            )
                        ),
                    ),
                    (
                        "quote",
                        {
                            "text": "移住支援金の要件は細かいので、引っ越す前に市の窓口に相談しておいて本当によかったです。",
                            "attribution": "2024年に東京都から移住 Mさん（30代）",
                        },
                    ),
                ],
            },
            image="shared_tsukuba",
        ),
        PageSpec(
            "interview-coast",
            {
                "title": "海のそばで暮らす：大洗町・ひたちなか市の先輩移住者に聞きました",
                "date": today - days(74),
                "summary": "サーフィンが好きで移住した人、漁港の近くで飲食店を開いた人。海辺のまちの暮らしを聞きました。",
                "related": ["oarai", "hitachinaka"],
                "body": [
                    (
                        "paragraph",
                        RichText(
                            paragraphs(
                                "茨城の海岸線は約190km。朝の散歩で海を眺めるのが日常になる暮らしに、"
                                "惹かれて移住する人が増えています。"
                            )
                        ),
                    ),
                    (
                        "quote",
                        {
                            "text": "仕事の前に一度海に入る。それができるだけで、暮らしの満足度がまったく違います。",
                            "attribution": "2021年に神奈川県から大洗町へ移住 Sさん（30代）",
                        },
                    ),
                    (
                        "quote",
                        {
                            "text": "港で揚がった魚をその日のうちに出せるのが、この店のいちばんの自慢です。",
                            "attribution": "2020年に千葉県からひたちなか市へ移住 Yさん（50代）",
                        },
                    ),
                    (
                        "faq",
                        {
                            "question": "海の近くの家は塩害が心配です。",
                            "answer": RichText(
                                paragraphs(
                                    "海からの距離や風向きで差があります。車や給湯器はこまめな洗浄と点検を。"
                                    "住まい選びの際は、地元の工務店にも意見を聞いてみてください。"
                                )
                            ),
                        },
                    ),
                ],
            },
            image="shared_sea",
        ),
        PageSpec(
            "akiya-guide",
            {
                "title": "はじめての空き家探し 5つのポイント",
                "date": today - days(9),
                "summary": "空き家バンクの使い方から、見学で確かめたいこと、補助制度の活用まで。空き家探しの基本をまとめました。",
                "related": [],
                "body": [
                    ("heading", {"text": "空き家探しの5つのポイント", "level": "h2"}),
                    (
                        "paragraph",
                        RichText(
                            numbered(
                                [
                                    "<b>まずは利用登録</b>：空き家バンクの物件を見学するには、市町村への利用登録が必要です。",
                                    "<b>季節を変えて見る</b>：夏の湿気や冬の日当たりは、季節によって印象が変わります。",
                                    "<b>水回りと屋根を確認</b>：改修費用が大きくなりやすいのは、浴室・台所と屋根です。",
                                    "<b>補助制度は着工前に</b>：改修の補助は、工事を始める前の申請が条件のことがほとんどです。",
                                    "<b>地域の人と話す</b>：自治会や地域の行事について、見学の際に聞いておくと安心です。",
                                ]
                            )
                        ),
                    ),
                    (
                        "faq",
                        {
                            "question": "空き家バンクの物件は安いのですか？",
                            "answer": RichText(
                                paragraphs(
                                    "数十万円から数百万円の物件が多い一方、改修に費用がかかる場合もあります。"
                                    "購入費と改修費を合わせた予算で考えましょう。"
                                )
                            ),
                        },
                    ),
                    (
                        "faq",
                        {
                            "question": "農地付きの物件は誰でも買えますか？",
                            "answer": RichText(
                                paragraphs(
                                    "農地の取得には農業委員会の許可が必要です。"
                                    "市町村によっては、空き家とあわせて取得する場合の要件を緩和しています。"
                                )
                            ),
                        },
                    ),
                ],
            },
            image="event_tour",
        ),
        PageSpec(
            "kasumigaura-life",
            {
                "title": "霞ヶ浦のほとりで、自転車と暮らす",
                "date": today - days(103),
                "summary": "湖を一周する自転車道のあるまちへ。週末ごとに湖畔を走る移住者の一日を追いました。",
                "related": ["tsuchiura", "kasumigaura"],
                "body": [
                    (
                        "paragraph",
                        RichText(
                            paragraphs(
                                "霞ヶ浦は日本で2番目に大きな湖。周囲には自転車道が整備され、"
                                "週末には県外からも多くのサイクリストが訪れます。",
                                "湖畔のまちに移住したTさんは、朝は湖沿いを走ってから仕事へ。"
                                "帰り道に直売所でれんこんを買うのが楽しみだそうです。",
                            )
                        ),
                    )
                ],
            },
            image="shared_lake",
        ),
    ]


def standard_pages(prefecture_desk, support_page) -> list[PageSpec]:
    return [
        PageSpec(
            "about",
            {
                "title": "このサイトについて",
                "summary": "いばらき移住ポータルの目的と、掲載している情報についてご案内します。",
                "body": [
                    (
                        "paragraph",
                        RichText(
                            paragraphs(
                                "いばらき移住ポータルは、茨城県への移住を考えている方に、"
                                "県と44市町村の移住・定住の情報をまとめてお届けするサイトです。"
                            )
                        ),
                    ),
                    (
                        "heading",
                        {"text": "掲載している情報について（デモ）", "level": "h2"},
                    ),
                    (
                        "paragraph",
                        RichText(
                            paragraphs(
                                "このサイトに掲載している物件、イベント、支援制度、人物などの情報は、"
                                "システムのデモンストレーションのために作成した架空のものです。"
                                "市町村名は実在のものを使っていますが、内容は実際の制度や物件とは関係ありません。",
                                "電話番号とメールアドレスも架空のもので、つながりません。",
                            )
                        ),
                    ),
                    ("heading", {"text": "情報の更新", "level": "h2"}),
                    (
                        "paragraph",
                        RichText(
                            paragraphs(
                                "市町村の情報は、各市町村の担当者が更新しています。"
                                "市町村の紹介ページの内容は、県が年に1回見直しています。"
                            )
                        ),
                    ),
                ],
            },
        ),
        PageSpec(
            "consultation-flow",
            {
                "title": "移住相談の流れ",
                "summary": "情報集めから現地訪問、住まいと仕事探し、移住後の手続きまで、移住相談の進め方をご紹介します。",
                "body": [
                    ("heading", {"text": "1. 情報を集める", "level": "h2"}),
                    (
                        "paragraph",
                        RichText(
                            paragraphs(
                                "このポータルで市町村の暮らしや支援制度を調べてみましょう。"
                                "気になるまちが見つからなくても大丈夫です。"
                            )
                        ),
                    ),
                    ("heading", {"text": "2. 相談窓口で話してみる", "level": "h2"}),
                    (
                        "paragraph",
                        RichText(
                            paragraphs(
                                "東京・有楽町の相談窓口では、県内どこへの移住でも相談できます。"
                                "オンラインでの相談も受け付けています。"
                            )
                        ),
                    ),
                    ("desk", {"desk": prefecture_desk}),
                    ("heading", {"text": "3. 現地を訪れる", "level": "h2"}),
                    (
                        "paragraph",
                        RichText(
                            paragraphs(
                                "空き家見学ツアーや農業体験、お試し居住を使って、実際の暮らしを体験してみましょう。"
                            )
                        ),
                    ),
                    ("heading", {"text": "4. 住まいと仕事を決める", "level": "h2"}),
                    (
                        "paragraph",
                        RichText(
                            paragraphs(
                                "空き家バンクや求人情報を市町村の窓口と一緒に探します。"
                                "支援制度の多くは、契約や着工の前の申請が必要です。"
                            )
                        ),
                    ),
                    ("heading", {"text": "5. 移住と手続き", "level": "h2"}),
                    (
                        "paragraph",
                        RichText(
                            paragraphs(
                                "転入の手続きのあと、移住支援金などの申請を行います。移住後の暮らしの相談にも応じています。"
                            )
                        ),
                    ),
                    (
                        "button",
                        {
                            "label": "県の支援制度を見る",
                            "page": support_page,
                            "url": "",
                        },
                    ),
                ],
            },
        ),
    ]
