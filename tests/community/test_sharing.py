"""Portal events and articles shared into rooms, over HTTP: by URL, by words of
the title (several matches are offered to choose from), from the portal's own
「コミュニティで話題にする」 button; the post shows a card (kind, title, date,
place, link) and the towns it links. Drafts, private pages, other page types
and other sites cannot be shared; a card whose page left the site says so."""

import datetime as dt
from pathlib import Path
from urllib.parse import quote

import jinja2
import pytest
from django.conf import settings
from django.test import Client
from wagtail.models import PageViewRestriction

from cms.community import services, sharing
from cms.community.models import MemberBlock, Post, Voice
from cms.listings.models import AkiyaIndexPage, EventIndexPage, EventPage
from cms.pages.models import ArticleIndexPage, ArticlePage
from tests import factories

from .conftest import FETCH, client_for

pytestmark = pytest.mark.django_db

THEME = Path(settings.BASE_DIR) / "themes" / "portal" / "templates"


@pytest.fixture
def mito_event(community):
    return EventPage.objects.get(title="水戸市の移住相談会")


def path_of(page) -> str:
    return sharing.public_path(page)


def add_article(title="大子町で暮らす", towns=(), publish=True):
    index = ArticleIndexPage.objects.get()
    page = ArticlePage(
        title=title, date=dt.date(2026, 11, 20), summary="移住者インタビュー"
    )
    index.add_child(instance=page)
    page.related_municipalities.set(towns)
    revision = page.save_revision()
    if publish:
        revision.publish()
    else:
        page.unpublish()  # add_child made it live
    return page


def add_draft_event(portal):
    draft = factories.add_event(
        portal.section("mito", EventIndexPage), publish=False, title="未公開の催し"
    )
    draft.unpublish()  # the factory leaves an unpublished page live
    return draft


def test_member_shares_an_event_by_its_url_and_the_post_shows_a_card(
    community, mito_event
):
    path = path_of(mito_event)
    assert path.startswith("/towns/mito/events/")
    hanako = client_for(community.hanako)
    response = hanako.post(
        "/community/r/lounge/post/",
        {
            "title": "相談会に行ってみませんか",
            "body": "一緒に行く人いますか？",
            "share": f"{settings.PORTAL_SITE_URL}{path}",
        },
    )
    post = Post.objects.get(title="相談会に行ってみませんか")
    assert response.status_code == 302
    assert post.shared_page_id == mito_event.pk
    # The event's town is linked to the post without being picked.
    assert list(post.municipalities.all()) == [community.mito]

    page = Client().get(f"/community/p/{post.pk}/").content.decode()
    assert '<div class="share-card">' in page
    assert f'<a href="{path}">水戸市の移住相談会</a>' in page
    # 13:00 UTC on 5 December 2026 is 22:00 in Japan, a Saturday.
    assert "2026年12月5日（土） 22:00" in page
    assert "水戸市・市民会館" in page
    assert 'href="/towns/mito/">水戸市</a>' in page

    room = Client().get("/community/r/lounge/").content.decode()
    assert f'<a href="{path}">水戸市の移住相談会</a>' in room
    assert 'class="towns muted">関係する市町村: <a href="/towns/mito/">' in room


def test_title_words_that_fit_several_pages_offer_a_choice(community, mito_event):
    hanako = client_for(community.hanako)
    form = {"title": "相談会の話", "body": "どこがいいですか", "share": "移住相談会"}
    response = hanako.post("/community/r/lounge/post/", form)
    html = response.content.decode()
    assert response.status_code == 400
    assert (
        "「移住相談会」に当たるものが3件あります。紹介するものを選んでください。"
        in (html)
    )
    assert "どれを紹介しますか" in html
    assert "水戸市の移住相談会（イベント・2026年12月5日（土） 22:00・水戸市" in html
    assert not Post.objects.filter(title="相談会の話").exists()

    response = hanako.post(
        "/community/r/lounge/post/", {**form, "shared_page": mito_event.pk}
    )
    assert response.status_code == 302
    assert Post.objects.get(title="相談会の話").shared_page_id == mito_event.pk

    # Words that fit one page need no choice; the same works with fetch.
    response = hanako.post(
        "/community/r/lounge/post/",
        {"title": "大子の相談会", "body": "冬に", "share": "大子町 相談会"},
        **FETCH,
    )
    assert response.status_code == 200
    assert "大子町の移住相談会" in response.json()["html"]
    ambiguous = hanako.post("/community/r/lounge/post/", form, **FETCH)
    assert ambiguous.status_code == 400
    assert 'type="radio" name="shared_page"' in ambiguous.json()["form"]


@pytest.mark.parametrize(
    "what",
    ["draft event", "private article", "akiya listing", "other site", "no match"],
)
def test_only_public_events_and_articles_can_be_shared(community, portal, what):
    if what == "draft event":
        draft = add_draft_event(portal)
        share = path_of(draft) or f"/towns/mito/events/{draft.slug}/"
        message = "ポータルで公開中のイベント・記事のページではありません"
    elif what == "private article":
        article = add_article("職員向けの記事")
        PageViewRestriction.objects.create(
            page=article, restriction_type=PageViewRestriction.LOGIN
        )
        share = path_of(article)
        message = "ポータルで公開中のイベント・記事のページではありません"
    elif what == "akiya listing":
        listing = portal.section("mito", AkiyaIndexPage).get_children().live().first()
        share = path_of(listing)
        message = "ポータルで公開中のイベント・記事のページではありません"
    elif what == "other site":
        event = EventPage.objects.get(title="水戸市の移住相談会")
        share = f"https://example.com{path_of(event)}"
        message = "ポータルで公開中のイベント・記事のページではありません"
    else:
        share = "未公開の催し"  # a draft's title finds nothing either
        add_draft_event(portal)
        message = "「未公開の催し」に当たる公開中のイベント・記事が見つかりません。"
    response = client_for(community.hanako).post(
        "/community/r/lounge/post/",
        {"title": "紹介", "body": "本文", "share": share},
    )
    assert response.status_code == 400, what
    assert message in response.content.decode(), what
    assert not Post.objects.filter(title="紹介").exists()


def test_a_card_whose_page_left_the_site_says_so_without_its_title(
    community, mito_event
):
    post = services.create_post(
        community.lounge,
        community.taro,
        title="おすすめ",
        body="行ってきました",
        shared_page=mito_event,
    )
    mito_event.unpublish()
    page = Client().get(f"/community/p/{post.pk}/").content.decode()
    assert "紹介されたポータルのページは公開を終了しました。" in page
    assert "水戸市の移住相談会" not in page


def test_the_portal_button_opens_the_share_page_and_a_filled_in_form(
    community, mito_event
):
    # The theme's button is a GET form; render it as the static site does.
    theme = jinja2.Environment(loader=jinja2.FileSystemLoader(THEME), autoescape=True)
    path = path_of(mito_event)
    button = theme.get_template("partials/community_share.html").render(
        page={"path": path}
    )
    assert 'action="/community/share/"' in button
    assert f'name="url" value="{path}"' in button
    share_url = f"/community/share/?url={path}"

    guest = Client().get(share_url)
    assert guest.status_code == 302 and "/community/login/" in guest["Location"]

    hanako = client_for(community.hanako)
    page = hanako.get(share_url).content.decode()
    assert f'<a href="{path}">水戸市の移住相談会</a>' in page
    room_link = f"/community/r/lounge/?share={quote(path)}#compose"
    assert f'href="{room_link}"' in page
    assert "/community/r/inner/?share=" in page  # members-only rooms too

    room = hanako.get(room_link.split("#")[0]).content.decode()
    assert '<details class="compose" id="compose" open>' in room
    assert f'name="share" value="{path}"' in room
    assert 'name="title" value="水戸市の移住相談会"' in room


def test_the_share_page_searches_public_events_and_articles(community, portal):
    add_article("大子町で暮らす", towns=[portal.daigo])
    add_article("大子町の下書き記事", publish=False)
    room = client_for(community.hanako).get("/community/r/lounge/").content.decode()
    assert (
        '<a href="/community/share/">ポータルのイベント・記事を探して紹介する' in room
    )
    page = client_for(community.hanako).get("/community/share/?q=大子町").content
    html = page.decode()
    assert "大子町で暮らす" in html and "大子町の移住相談会" in html
    assert "下書き" not in html
    assert "見つかったイベント・記事（2件）" in html
    empty = client_for(community.hanako).get("/community/share/?q=存在しない催し")
    assert "に当たる公開中のイベント・記事が見つかりません" in empty.content.decode()


def test_editors_and_managers_share_in_their_own_names(community, mito_event):
    editor = client_for(community.mito_editor)
    editor.post(
        "/community/r/lounge/post/",
        {
            "title": "水戸市の相談会です",
            "body": "ぜひどうぞ",
            "voice": f"municipality:{community.mito.pk}",
            "share": path_of(mito_event),
        },
    )
    post = Post.objects.get(title="水戸市の相談会です")
    assert (post.voice, post.as_municipality, post.shared_page_id) == (
        Voice.MUNICIPALITY,
        community.mito,
        mito_event.pk,
    )

    article = add_article("移住者インタビュー", towns=[community.mito])
    client_for(community.manager).post(
        "/community/r/lounge/post/",
        {
            "title": "今月の特集",
            "body": "読んでみてください",
            "voice": "manager",
            "share": path_of(article),
        },
    )
    post = Post.objects.get(title="今月の特集")
    assert (post.voice, post.shared_page_id) == (Voice.MANAGER, article.pk)
    html = Client().get(f"/community/p/{post.pk}/").content.decode()
    assert '<span class="tag">記事</span> <span class="muted">水戸市</span>' in html
    assert "2026年11月20日（金）" in html


def test_guests_and_blocked_members_cannot_share(community, mito_event):
    form = {"title": "紹介", "body": "本文", "share": path_of(mito_event)}
    guest = Client().post("/community/r/lounge/post/", form)
    assert guest.status_code == 302 and "/community/login/" in guest["Location"]
    MemberBlock.objects.create(member=community.hanako, reason="連続投稿")
    blocked = client_for(community.hanako).post("/community/r/lounge/post/", form)
    assert blocked.status_code == 302
    assert not Post.objects.filter(title="紹介").exists()
