"""``portal bench api``: time and SQL queries to fetch the content API's full
snapshot the way the builder does (``site`` and municipalities, then every public
page, paged, with every field: ``cms/api/queries/{site,snapshot}.graphql``),
over HTTP through Django's test client.

Two databases are measured:

* the configured one (``PORTAL_VAR_DIR`` / ``DATABASE_URL``), e.g. the demo after
  ``portal load_demo``;
* a throw-away SQLite database in a temporary ``PORTAL_VAR_DIR`` (a child process)
  filled with ``--listings`` synthetic listings (default 10,000: akiya with three
  photos, events with a body, trial stays, recruitment) across ten towns.

Each snapshot is fetched twice: "cold" creates the image renditions it needs (a
write per new image and filter, once in a site's life), "warm" is what every later
build pays. The numbers to compare are the warm ones.
"""

import datetime
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
import warnings

from django.conf import settings
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext

LISTING_TYPES = {"EVENT", "AKIYA", "TRIAL_STAY", "RECRUITMENT"}


def add_arguments(parser):
    parser.add_argument(
        "--listings", type=int, default=10_000, help="合成する掲載情報の件数"
    )
    parser.add_argument(
        "--page-size",
        type=int,
        default=None,
        help="1回に取得するページ数（既定: 上限）",
    )
    parser.add_argument(
        "--skip-current", action="store_true", help="設定中のDBを測らない"
    )
    parser.add_argument(
        "--skip-synthetic", action="store_true", help="合成データを測らない"
    )
    parser.add_argument("--synthetic-worker", action="store_true", help=_hidden())


def _hidden():
    import argparse

    return argparse.SUPPRESS


def run(args) -> dict:
    page_size = args.page_size or settings.PORTAL_API_MAX_PAGE_SIZE
    if args.synthetic_worker:
        return _synthetic_worker(args.listings, page_size)
    summary = {"page_size": page_size}
    if not args.skip_current:
        print("== configured database ==", flush=True)
        summary["current"] = measure(page_size)
    if not args.skip_synthetic:
        print(
            f"== {args.listings} synthetic listings (throw-away SQLite) ==", flush=True
        )
        summary["synthetic"] = _run_synthetic(args.listings, page_size)
    return summary


# --- Fetching and measuring -------------------------------------------------------


def _post(client: Client, query: str, variables: dict) -> dict:
    response = client.post(
        "/api/graphql/",
        data=json.dumps({"query": query, "variables": variables}),
        content_type="application/json",
    )
    body = response.json()
    if response.status_code != 200 or body.get("errors"):
        raise RuntimeError(f"GraphQL error: {body.get('errors')}")
    return body["data"]


def fetch_snapshot(page_size: int) -> dict:
    """Fetch everything once; count requests, SQL queries, pages and bytes."""
    from cms.api.queries import query_text

    client = Client()
    requests, queries, biggest, pages, listings = 0, 0, 0, 0, 0
    started, cpu_started = time.perf_counter(), time.process_time()
    reset_queries()  # the query log holds 9,000 at most; counts need room
    with CaptureQueriesContext(connection) as captured:
        site = _post(client, query_text("site"), {})
    requests, queries = 1, len(captured)
    offset, total = 0, None
    while total is None or offset < total:
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            data = _post(
                client, query_text("snapshot"), {"offset": offset, "limit": page_size}
            )["pages"]
        requests += 1
        queries += len(captured)
        biggest = max(biggest, len(captured))
        total = data["totalCount"]
        pages += len(data["items"])
        listings += sum(
            1 for item in data["items"] if item["pageType"] in LISTING_TYPES
        )
        offset += page_size
        if requests % 10 == 0:
            print(f"  {pages} / {total} pages", flush=True)
        if not data["hasNextPage"]:
            break
    return {
        "seconds": round(time.perf_counter() - started, 2),
        # CPU time of this process: steadier than wall time on a busy machine.
        "cpu_seconds": round(time.process_time() - cpu_started, 2),
        "requests": requests,
        "sql_queries": queries,
        "max_sql_queries_per_request": biggest,
        "pages": pages,
        "listings": listings,
        "municipalities": len(site["municipalities"]),
    }


def measure(page_size: int) -> dict:
    cold = fetch_snapshot(page_size)
    print(_line("cold", cold), flush=True)
    warm = fetch_snapshot(page_size)
    print(_line("warm", warm), flush=True)
    return {"cold": cold, "warm": warm}


def _line(label: str, result: dict) -> str:
    return (
        f"{label}: {result['pages']} pages ({result['listings']} listings) in "
        f"{result['seconds']} s ({result['cpu_seconds']} s CPU), {result['requests']} requests, "
        f"{result['sql_queries']} SQL queries "
        f"(at most {result['max_sql_queries_per_request']} per request)"
    )


# --- Synthetic data in a throw-away database ------------------------------------------


def _run_synthetic(listings: int, page_size: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="api-bench-") as var_dir:
        env = dict(os.environ)
        env["PORTAL_VAR_DIR"] = var_dir
        env.pop("DATABASE_URL", None)
        env.pop("PORTAL_MEDIA_ROOT", None)
        migrate = [sys.executable, "-m", "cms.cli", "migrate", "--noinput", "-v", "0"]
        subprocess.run(migrate, env=env, check=True)
        command = [
            sys.executable,
            "-m",
            "cms.cli",
            "bench",
            "api",
            "--synthetic-worker",
            "--listings",
            str(listings),
            "--page-size",
            str(page_size),
        ]
        process = subprocess.run(
            command, env=env, check=True, stdout=subprocess.PIPE, text=True
        )
        lines = process.stdout.strip().splitlines()
        for line in lines[:-1]:
            print(f"  {line}", flush=True)
        return json.loads(lines[-1])


def _synthetic_worker(count: int, page_size: int) -> dict:
    started = time.perf_counter()
    with warnings.catch_warnings():
        # DEBUG's query log overflows while writing 10,000 pages; nothing is lost.
        warnings.filterwarnings("ignore", message="Limit for query logging exceeded")
        _fill(count)
    setup = round(time.perf_counter() - started, 2)
    print(f"created {count} listings in {setup} s", flush=True)
    result = measure(page_size)
    result["setup_seconds"] = setup
    return result


TOWNS = 10


def _fill(count: int) -> None:
    from django.db import transaction
    from wagtail.signal_handlers import disable_reference_index_auto_update

    from cms.core.japanese import local_government_check_digit
    from cms.core.municipality_import import (
        apply_municipality_rows,
        parse_municipality_table,
    )
    from cms.core.setup import ensure_site_structure

    ensure_site_structure("ベンチ用ポータル")
    rows = ["code\tcode5\tname\tkana\tslug\tkind"]
    for n in range(TOWNS):
        code5 = f"089{n:02d}"
        rows.append(
            f"{code5}{local_government_check_digit(code5)}\t{code5}\tベンチ町{n}\tべんちまち\tbench{n}\ttown"
        )
    report = apply_municipality_rows(parse_municipality_table("\n".join(rows) + "\n"))
    if not report.ok:
        raise RuntimeError(report.errors)
    with transaction.atomic(), disable_reference_index_auto_update():
        _bulk_listings(count)


def _bulk_listings(count: int) -> None:
    """Listings written in bulk, with their tree paths computed as add_child would."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone
    from wagtail.models import Locale, Page

    from cms.core.models import ConsultationDesk, Municipality
    from cms.listings import models as listings

    rng = random.Random(3)
    now = timezone.now()
    locale = Locale.get_default()
    towns = list(Municipality.objects.order_by("pk"))
    for town in towns:
        ConsultationDesk.objects.create(
            municipality=town, name=f"{town.name} 移住相談窓口", phone="0295-00-0000"
        )
    images = [_image(towns[0].collection, n) for n in range(20)]
    kinds = [
        (listings.AkiyaListingPage, listings.AkiyaIndexPage, 70),
        (listings.EventPage, listings.EventIndexPage, 15),
        (listings.TrialStayPage, listings.TrialStayIndexPage, 10),
        (listings.RecruitmentPage, listings.RecruitmentIndexPage, 5),
    ]
    base_fields = [f.attname for f in Page._meta.concrete_fields if f.attname != "id"]
    made = 0
    for model, section_model, share in kinds:
        number = count * share // 100 if model is not listings.AkiyaListingPage else 0
        if model is listings.AkiyaListingPage:
            number = count - sum(
                count * s // 100 for m, _, s in kinds if m is not model
            )
        content_type = ContentType.objects.get_for_model(model)
        sections = list(section_model.objects.filter(url_path__contains="/bench"))
        per_section: dict[int, int] = {}
        pages = []
        for index in range(number):
            section = sections[index % len(sections)]
            town = next(t for t in towns if f"/{t.slug}/" in section.url_path)
            position = per_section.get(section.pk, 0) + 1
            per_section[section.pk] = position
            slug = f"{model._meta.model_name}-{index:05d}"
            page = model(
                title=f"{town.name}の{model._meta.verbose_name}{index:05d}",
                draft_title=f"{model._meta.verbose_name}{index:05d}",
                slug=slug,
                path=Page._get_path(section.path, section.depth + 1, position),
                depth=section.depth + 1,
                numchild=0,
                url_path=f"{section.url_path}{slug}/",
                content_type=content_type,
                locale=locale,
                translation_key=uuid.uuid4(),
                live=True,
                has_unpublished_changes=False,
                first_published_at=now,
                last_published_at=now,
                municipality=town,
                summary="日当たりのよい、駅に近い物件です。",
                **_fields(model, rng, index, images),
            )
            pages.append(page)
        for start in range(0, len(pages), 500):
            chunk = pages[start : start + 500]
            bases = Page.objects.bulk_create(
                [
                    Page(**{name: getattr(p, name) for name in base_fields})
                    for p in chunk
                ]
            )
            for page, base in zip(chunk, bases, strict=True):
                page.page_ptr_id = page.id = base.pk
                page.save_base(raw=True, force_insert=True)
        for section in sections:
            Page.objects.filter(pk=section.pk).update(
                numchild=per_section.get(section.pk, 0)
            )
        photo_model = {
            listings.AkiyaListingPage: (listings.AkiyaPhoto, 3),
            listings.TrialStayPage: (listings.TrialStayPhoto, 2),
        }.get(model)
        if photo_model:
            photo_class, per_page = photo_model
            photo_class.objects.bulk_create(
                [
                    photo_class(
                        page_id=page.pk,
                        image=images[(page.pk + n) % len(images)],
                        sort_order=n,
                    )
                    for page in pages
                    for n in range(per_page)
                ],
                batch_size=2000,
            )
        made += len(pages)
        print(f"  {made} / {count} listings", flush=True)


def _fields(model, rng, index, images) -> dict:
    from cms.listings import models as listings

    if model is listings.AkiyaListingPage:
        return {
            "registration_number": f"B-{index:05d}",
            "status": "negotiating" if index % 10 == 0 else "open",
            "registered_on": datetime.date(2026, 4, 1),
            "transaction_type": "sale",
            "property_type": "house",
            "price_yen": rng.randrange(500_000, 20_000_000, 10_000),
            "address": f"茨城県ベンチ町大字テスト{index % 97}",
            "land_area_sqm": rng.randrange(150, 900),
            "land_area_method": "registered",
            "building_area_sqm": rng.randrange(60, 200),
            "building_area_method": "registered",
            "layout": "4LDK",
            "built_year_month": "1980-04",
            "structure": "wood",
            "special_notes": ["needs_repair"] if index % 4 == 0 else [],
            "description": "<p>南向きの庭があり、畑も付いています。</p>" * 3,
        }
    if model is listings.EventPage:
        start = datetime.datetime(
            2026, 7, 1, 13, tzinfo=datetime.UTC
        ) + datetime.timedelta(days=index % 90)
        return {
            "kind": "event",
            "start_at": start,
            "end_at": start + datetime.timedelta(hours=3),
            "venue_name": "公民館",
            "fee_yen": 0,
            "main_image": images[index % len(images)],
            "body": [
                {
                    "type": "heading",
                    "value": {"text": "内容", "level": "h2"},
                    "id": str(uuid.uuid4()),
                },
                {
                    "type": "paragraph",
                    "value": "<p>先輩移住者と話せます。</p>",
                    "id": str(uuid.uuid4()),
                },
                {
                    "type": "image",
                    "value": {
                        "image": {
                            "image": images[index % len(images)].pk,
                            "decorative": False,
                            "alt_text": "会場",
                        },
                        "caption": "昨年の様子",
                    },
                    "id": str(uuid.uuid4()),
                },
            ],
        }
    if model is listings.TrialStayPage:
        return {
            "facility_name": f"お試し住宅{index}",
            "address": "茨城県ベンチ町",
            "capacity": 4,
            "fee_per_night_yen": 2000,
            "equipment": ["furniture", "wifi"],
        }
    return {
        "mission": "<p>観光の仕事です。</p>",
        "employment_type": "fiscal_year",
        "monthly_pay_yen": 240_000,
    }


def _image(collection, number: int):
    import io

    from django.core.files.images import ImageFile
    from PIL import Image

    from cms.core.models import PortalImage

    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (12 * number % 255, 120, 200)).save(buffer, "JPEG")
    return PortalImage.objects.create(
        title=f"api-bench-{number}",
        description=f"ベンチ用の写真{number}",
        collection=collection,
        file=ImageFile(buffer, name=f"api-bench-{number}.jpg"),
    )
