"""``portal bench community``: the online community at the seed's scale and beyond.

A child process gets its own database (SQLite in a temporary ``PORTAL_VAR_DIR``,
or ``--database-url postgres://…/name``, which is dropped and created), migrated,
then filled with ``--members`` members (3,000), ``--rooms`` rooms (200, a tenth
members-only) and ``--posts`` posts (50,000, spread over a year and skewed towards
popular rooms) with ``--comments-per-post`` comments and ``--reactions-per-post``
stamps on average; one post in ten shares one of 20 published portal articles,
so room and post pages pay for the share cards (the site's visibility check). Then, through Django's test client in-process (the full
middleware stack, the real templates, no network):

* room pages (first five pages of random rooms, half as a guest, half as a
  logged-in member) and post pages (random posts with their comments and stamps,
  as a member): p50/p95/p99 in ms, target p95 ≤ 100 ms;
* posting throughput: members posting, commenting and pressing stamps through
  the same forms the pages use (posts, comments and reactions per second).

The last line printed is the JSON summary.
"""

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_P95_MS = 100


def add_arguments(parser):
    parser.add_argument("--members", type=int, default=3_000)
    parser.add_argument("--rooms", type=int, default=200)
    parser.add_argument("--posts", type=int, default=50_000)
    parser.add_argument("--comments-per-post", type=float, default=2.0)
    parser.add_argument("--reactions-per-post", type=float, default=3.0)
    parser.add_argument(
        "--requests", type=int, default=400, help="page requests per kind"
    )
    parser.add_argument(
        "--writes", type=int, default=300, help="posts/comments/stamps each"
    )
    parser.add_argument(
        "--database-url",
        default="",
        help="PostgreSQL database to (re)create, e.g. postgres://postgres@127.0.0.1:5432/portal_bench_community",
    )
    parser.add_argument(
        "--keep",
        metavar="DIR",
        help="keep the data: SQLite in DIR (reused); PostgreSQL is not dropped",
    )
    parser.add_argument("--worker", action="store_true", help=_hidden())


def _hidden():
    import argparse

    return argparse.SUPPRESS


def run(args) -> dict:
    if args.worker:
        return _worker(args)
    if args.keep:
        return _run_in(Path(args.keep), args)
    with tempfile.TemporaryDirectory(prefix="community-bench-") as var_dir:
        return _run_in(Path(var_dir), args)


def _drop_postgres(url: str, create: bool = False) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    dsn = base.replace("postgres://", "postgresql://", 1) + "/postgres"
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            admin.execute(f'CREATE DATABASE "{name}"')


def _run_in(var_dir: Path, args) -> dict:
    var_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env["PORTAL_VAR_DIR"] = str(var_dir)
    env["PORTAL_MEDIA_ROOT"] = str(var_dir / "media")
    env["DEBUG"] = "0"
    env["PORTAL_CSP"] = "off"
    if args.database_url:
        _drop_postgres(args.database_url, create=True)
        env["DATABASE_URL"] = args.database_url
    else:
        env.pop("DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "-m", "cms.cli", "migrate", "--noinput", "-v", "0"],
        env=env,
        check=True,
    )
    command = [sys.executable, "-m", "cms.cli", "bench", "community", "--worker"]
    for name in (
        "members",
        "rooms",
        "posts",
        "comments_per_post",
        "reactions_per_post",
        "requests",
        "writes",
    ):
        command += [f"--{name.replace('_', '-')}", str(getattr(args, name))]
    try:
        process = subprocess.run(
            command, env=env, check=True, stdout=subprocess.PIPE, text=True
        )
    finally:
        if args.database_url and not args.keep:
            _drop_postgres(args.database_url)
    lines = process.stdout.strip().splitlines()
    for line in lines[:-1]:
        print(f"  {line}", flush=True)
    return json.loads(lines[-1])


# --- The measuring child process ----------------------------------------------------


def _worker(args) -> dict:
    from django.db import connection

    from cms.community.models import Post

    rng = random.Random(13)
    if not Post.objects.exists():
        started = time.perf_counter()
        counts = fill(args, rng)
        print(
            f"synthetic community: {counts} in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
    summary = {"database": connection.vendor}
    summary.update(measure(args, rng))
    return summary


def _shareable_articles(count: int) -> list[int]:
    """Published portal articles for posts to share (the site tree first)."""
    import datetime as dt

    from cms.core.setup import ensure_site_structure
    from cms.pages.models import ArticleIndexPage, ArticlePage

    ensure_site_structure()
    index = ArticleIndexPage.objects.get()
    ids = []
    for n in range(count):
        page = ArticlePage(
            title=f"移住者インタビュー{n}",
            date=dt.date(2026, 4, 1) + dt.timedelta(days=n),
            summary="ベンチマーク用の記事",
            body=[],
        )
        index.add_child(instance=page)
        page.save_revision().publish()
        ids.append(page.pk)
    return ids


def fill(args, rng) -> dict:
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from cms.community.members import current_rules
    from cms.community.models import (
        Comment,
        MemberProfile,
        Post,
        Reaction,
        Relation,
        Room,
        RulesAcceptance,
        Stamp,
        Visibility,
    )

    User = get_user_model()
    now = timezone.now()
    password = make_password("bench-password-2026")
    relations = [r for r, _ in Relation.choices]
    with transaction.atomic():
        User.objects.bulk_create(
            User(
                username=f"bench{n}@example.jp",
                email=f"bench{n}@example.jp",
                password=password,
            )
            for n in range(args.members)
        )
        users = list(
            User.objects.filter(username__startswith="bench").values_list(
                "pk", flat=True
            )
        )
        MemberProfile.objects.bulk_create(
            MemberProfile(
                user_id=pk,
                nickname=f"メンバー{n}",
                relation=relations[n % len(relations)],
                age_band=["20s", "30s", "40s", "50s", ""][n % 5],
                prefecture=["東京都", "茨城県", "神奈川県", "埼玉県"][n % 4],
                email_confirmed_at=now,
                created_at=now - dt.timedelta(days=rng.randrange(365)),
            )
            for n, pk in enumerate(users)
        )
        rules = current_rules()
        RulesAcceptance.objects.bulk_create(
            RulesAcceptance(member_id=pk, rules=rules) for pk in users
        )
        Room.objects.bulk_create(
            Room(
                name=f"テーマ{n}",
                slug=f"theme-{n}",
                description="ベンチマーク用の部屋",
                visibility=Visibility.MEMBERS if n % 10 == 9 else Visibility.PUBLIC,
                sort_order=n,
            )
            for n in range(args.rooms)
        )
    rooms = list(Room.objects.values_list("pk", flat=True))
    weights = [1 / (i + 1) ** 0.8 for i in range(len(rooms))]  # popular rooms first
    articles = _shareable_articles(20)
    stamps = list(Stamp.objects.values_list("pk", flat=True))
    batch = 5_000
    made = {
        "members": len(users),
        "rooms": len(rooms),
        "posts": 0,
        "comments": 0,
        "reactions": 0,
    }
    for start in range(0, args.posts, batch):
        size = min(batch, args.posts - start)
        with transaction.atomic():
            created = Post.objects.bulk_create(
                Post(
                    room_id=rng.choices(rooms, weights)[0],
                    author_id=rng.choice(users),
                    title=f"話題{start + n}：移住の暮らしについて",
                    body="茨城での暮らしについて教えてください。" * rng.randint(1, 6),
                    created_at=(
                        moment := now - dt.timedelta(minutes=rng.randrange(525_600))
                    ),
                    last_activity_at=moment,
                    shared_page_id=(
                        rng.choice(articles) if (start + n) % 10 == 0 else None
                    ),
                )
                for n in range(size)
            )
            if not created or created[0].pk is None:
                created = list(Post.objects.order_by("-pk")[:size])
            comments, reactions = [], []
            for post in created:
                n_comments = _poissonish(rng, args.comments_per_post)
                n_reactions = _poissonish(rng, args.reactions_per_post)
                for _ in range(n_comments):
                    comments.append(
                        Comment(
                            post_id=post.pk,
                            author_id=rng.choice(users),
                            body="わかります。うちもそうでした。",
                            created_at=post.created_at
                            + dt.timedelta(hours=rng.randrange(1, 72)),
                        )
                    )
                seen = set()
                for _ in range(n_reactions):
                    key = (rng.choice(stamps), rng.choice(users))
                    if key in seen:
                        continue
                    seen.add(key)
                    reactions.append(
                        Reaction(
                            post_id=post.pk,
                            stamp_id=key[0],
                            member_id=key[1],
                            created_at=post.created_at,
                        )
                    )
                post.comment_count = n_comments
                post.reaction_count = len(seen)
            Post.objects.bulk_update(created, ["comment_count", "reaction_count"])
            Comment.objects.bulk_create(comments, batch_size=2_000)
            Reaction.objects.bulk_create(reactions, batch_size=2_000)
        made["posts"] += size
        made["comments"] += len(comments)
        made["reactions"] += len(reactions)
        print(f"… {made['posts']:,} posts", flush=True)
    from django.db import connection

    from cms.community.services import refresh_room

    for pk in rooms:
        refresh_room(pk)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return made


def _poissonish(rng, mean: float) -> int:
    # A skewed count with the given mean: most posts get a few, some get many.
    return int(rng.expovariate(1 / mean)) if mean > 0 else 0


def percentiles(values_ms: list[float]) -> dict:
    ordered = sorted(values_ms)
    cuts = statistics.quantiles(ordered, n=100, method="inclusive")
    return {
        "p50_ms": round(cuts[49], 1),
        "p95_ms": round(cuts[94], 1),
        "p99_ms": round(cuts[98], 1),
        "max_ms": round(ordered[-1], 1),
    }


def measure(args, rng) -> dict:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.test import Client
    from django.test.utils import override_settings

    from cms.community.models import Post, Room, Stamp

    User = get_user_model()
    member_ids = list(
        User.objects.filter(username__startswith="bench").values_list("pk", flat=True)
    )
    overrides = override_settings(
        PORTAL_PUBLIC_RATE_LIMIT_PER_IP=10**9,
        PORTAL_PUBLIC_RATE_LIMIT_PER_SESSION=10**9,
        COMMUNITY={**settings.COMMUNITY, "POSTS_PER_HOUR": 10**9},
        ALLOWED_HOSTS=["testserver"],
        TASKS={
            **settings.TASKS,
            "background": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"},
        },
    )
    overrides.enable()
    try:
        guest = Client()
        member = Client()
        member.force_login(User.objects.get(pk=rng.choice(member_ids)))
        rooms = list(Room.objects.values_list("slug", flat=True))
        max_post = Post.objects.order_by("-pk").values_list("pk", flat=True).first()
        min_post = Post.objects.order_by("pk").values_list("pk", flat=True).first()

        def timed(client, path, method="get", data=None):
            started = time.perf_counter()
            response = getattr(client, method)(path, data) if data else client.get(path)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code >= 400:
                raise RuntimeError(f"{path}: {response.status_code}")
            return elapsed

        for slug in rooms[:10]:  # warm up templates and connections
            timed(member, f"/community/r/{slug}/")
        room_ms, post_ms = [], []
        for n in range(args.requests):
            client = guest if n % 2 else member
            slug = rng.choice(rooms)
            if (
                client is guest
                and Room.objects.filter(slug=slug, visibility="members").exists()
            ):
                client = member
            room_ms.append(
                timed(client, f"/community/r/{slug}/?page={rng.randint(1, 5)}")
            )
        for _ in range(args.requests):
            post_ms.append(
                timed(member, f"/community/p/{rng.randint(min_post, max_post)}/")
            )
        rooms_list_ms = [timed(guest, "/community/") for _ in range(20)]

        writers = []
        for pk in rng.sample(member_ids, min(20, len(member_ids))):
            client = Client()
            client.force_login(User.objects.get(pk=pk))
            writers.append(client)
        stamps = list(Stamp.objects.values_list("pk", flat=True))

        started = time.perf_counter()
        for n in range(args.writes):
            timed(
                writers[n % len(writers)],
                f"/community/r/{rng.choice(rooms)}/post/",
                "post",
                {
                    "title": f"新しい話題{n}",
                    "body": "ベンチマークの投稿です。よろしくお願いします。",
                },
            )
        post_rate = args.writes / (time.perf_counter() - started)
        started = time.perf_counter()
        for n in range(args.writes):
            timed(
                writers[n % len(writers)],
                f"/community/p/{rng.randint(min_post, max_post)}/comment/",
                "post",
                {"body": "コメントです。"},
            )
        comment_rate = args.writes / (time.perf_counter() - started)
        started = time.perf_counter()
        for n in range(args.writes):
            timed(
                writers[n % len(writers)],
                f"/community/p/{rng.randint(min_post, max_post)}/react/",
                "post",
                {"stamp": rng.choice(stamps)},
            )
        reaction_rate = args.writes / (time.perf_counter() - started)
        cache.clear()
    finally:
        overrides.disable()

    room = percentiles(room_ms)
    post = percentiles(post_ms)
    print(f"room page  {room}", flush=True)
    print(f"post page  {post}", flush=True)
    print(
        f"writes/s   posts {post_rate:.0f}, comments {comment_rate:.0f}, "
        f"reactions {reaction_rate:.0f}",
        flush=True,
    )
    counts = {
        "members": len(member_ids),
        "rooms": Room.objects.count(),
        "posts": Post.objects.count(),
        "posts_sharing_an_article": Post.objects.filter(
            shared_page__isnull=False
        ).count(),
    }
    return {
        **counts,
        "room_page": room,
        "post_page": post,
        "room_list_p95_ms": percentiles(rooms_list_ms)["p95_ms"],
        "posts_per_second": round(post_rate, 1),
        "comments_per_second": round(comment_rate, 1),
        "reactions_per_second": round(reaction_rate, 1),
        "target_p95_ms": TARGET_P95_MS,
        "meets_target": room["p95_ms"] <= TARGET_P95_MS
        and post["p95_ms"] <= TARGET_P95_MS,
    }
