"""``portal bench build``: the static build on a synthetic portal of realistic size.

A child process creates its own SQLite database in a temporary ``PORTAL_VAR_DIR``
(or ``--keep DIR``, reused when it already holds the data) with the 44 Ibaraki
municipalities, ``--akiya`` vacant-house listings (three photos each, default
10,000) and ``--events`` events (default 2,000), then measures, with the real
theme:

* the full build (fetch through GraphQL in-process, images, render, write):
  seconds, output pages, milliseconds per output page; ``--repeat`` builds
  (default 3), of which the median is reported and every one listed;
* a full rebuild of the site just built, as the admin's "Rebuild site" runs it
  (images cached, unchanged files not written): seconds and files written;
* an incremental build after editing and publishing one listing, as a publish
  builds it (search index deferred): seconds and files written; then the build
  that refreshes the search index;
* peak memory of the whole build: the proportional set size (PSS: each page
  shared by forked processes counted once) of the build process, its workers and
  Pagefind together, sampled four times a second through the full builds
  (``peak_memory_mb``); the largest single process's resident set is listed too.
* CPU seconds of the full build (process, workers and Pagefind), which, unlike
  the seconds, do not stretch when other work shares the machine.

Targets on the 2-core reference machine: ≤ 2 ms per output page, ≤ 1 s for the
one-listing incremental build, ≤ 1 GB peak memory.

The measured builds are deleted at the end. On ext4 without a journal, files
made within minutes of deleting tens of thousands cost more kernel time (for up
to six minutes the kernel skips each recently deleted inode, reading its inode
table to tell): a full build started right after deleting the previous ones
spent 7.6 CPU-s in ``open`` alone (``perf``), a quarter of its wall time. To
compare two versions, leave six minutes after any large deletion (another run,
a test suite) before each run.
"""

import datetime
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import warnings
from pathlib import Path

PHOTO_POOL = 120  # distinct photos shared by the listings (see run())


def add_arguments(parser):
    parser.add_argument("--akiya", type=int, default=10_000, help="空き家の件数")
    parser.add_argument("--events", type=int, default=2_000, help="イベントの件数")
    parser.add_argument(
        "--keep",
        metavar="DIR",
        help="このフォルダにデータを作って残す（あれば再利用）",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="全体ビルドの計測回数（中央値を採用）",
    )
    parser.add_argument("--worker", action="store_true", help=_hidden())
    parser.add_argument("--fill", action="store_true", help=_hidden())


def _hidden():
    import argparse

    return argparse.SUPPRESS


def run(args) -> dict | None:
    if args.fill:
        _fill_once(args)
        return None
    if args.worker:
        return measure(max(1, args.repeat))
    if args.keep:
        return _run_in(Path(args.keep), args)
    with tempfile.TemporaryDirectory(prefix="build-bench-") as var_dir:
        return _run_in(Path(var_dir), args)


def _run_in(var_dir: Path, args) -> dict:
    var_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env["PORTAL_VAR_DIR"] = str(var_dir)
    env.pop("DATABASE_URL", None)
    env.pop("PORTAL_MEDIA_ROOT", None)
    env["DEBUG"] = "0"  # no query log while writing and reading 12,000 pages
    migrate = [sys.executable, "-m", "cms.cli", "migrate", "--noinput", "-v", "0"]
    subprocess.run(migrate, env=env, check=True)
    sizes = ["--akiya", str(args.akiya), "--events", str(args.events)]
    command = [sys.executable, "-m", "cms.cli", "bench", "build", *sizes]
    # The data is made by one process and measured by another, so the measured
    # process's peak memory is the build's, not the data generator's.
    subprocess.run([*command, "--fill"], env=env, check=True)
    process = subprocess.run(
        [*command, "--worker", "--repeat", str(args.repeat)],
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    lines = process.stdout.strip().splitlines()
    for line in lines[:-1]:
        print(f"  {line}", flush=True)
    return json.loads(lines[-1])


# --- The measuring child process ---------------------------------------------------


def _fill_once(args) -> None:
    from cms.listings.models import AkiyaListingPage

    if AkiyaListingPage.objects.exists():
        return
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Limit for query logging")
        fill(args.akiya, args.events)
    print(
        f"  synthetic portal: {args.akiya} akiya, {args.events} events in "
        f"{time.perf_counter() - started:.1f} s",
        flush=True,
    )


def measure(repeat: int = 1) -> dict:
    from django.db import connection

    from builders.build import BuildOptions, build_site
    from cms.publishing.settings import build_paths

    searches = _watch_search()
    paths = build_paths()
    _warm_renditions()
    connection.close()

    runs = []
    memory = TreeMemory()
    for attempt in range(repeat):
        if paths.state.exists():
            # A previous build's state would make the "full" build incremental.
            # Its folder is set aside and deleted after the measurements, not
            # before: on a file system without a journal (ext4 here), the kernel
            # skips the inodes of files deleted in the last minute or more when it
            # makes new ones, which made every file of the measured build cost
            # several times as much kernel time (its render phase: 11-16 CPU-s of
            # it, 2.5 without).
            paths.root.rename(
                paths.root.with_name(f"{paths.root.name}-old-{uuid.uuid4().hex}")
            )
        cpu_before = _cpu_seconds()
        started = time.perf_counter()
        with memory:
            full = build_site(BuildOptions(full=True, progress=attempt == 0))
        seconds = time.perf_counter() - started
        runs.append((seconds, _cpu_seconds() - cpu_before, full))
        pages = full.pages_total
        print(
            f"full build {attempt + 1}/{repeat}: {seconds:.2f} s, {pages} output "
            f"pages, {full.files_written} files written "
            f"({1000 * seconds / max(pages, 1):.2f} ms per page)",
            flush=True,
        )
        print(f"  phases: {json.dumps(full.phases)}", flush=True)
    # The median run (by seconds) is reported; every run's seconds are listed.
    full_seconds, full_cpu, full = sorted(runs, key=lambda run: run[0])[len(runs) // 2]
    full_search = statistics.median(searches["seconds"][:repeat])
    pages = full.pages_total

    # What the admin's "Rebuild site" costs on a site already built: everything
    # fetched and rendered again, images from the cache, files with the same
    # bytes not written, the search index kept when no page changed.
    started = time.perf_counter()
    rebuild = build_site(BuildOptions(full=True, progress=False))
    rebuild_seconds = time.perf_counter() - started
    print(
        f"full rebuild of the built site: {rebuild_seconds:.2f} s, "
        f"{rebuild.files_written} files written",
        flush=True,
    )

    _edit_one_listing()
    started = time.perf_counter()
    # As a publish builds (cms.publishing.tasks): the search index is refreshed by a
    # later build, measured below.
    incremental = build_site(BuildOptions(progress=False, defer_search=True))
    incremental_seconds = time.perf_counter() - started
    started = time.perf_counter()
    refresh = build_site(BuildOptions(progress=False))
    search_refresh_seconds = time.perf_counter() - started
    print(
        f"incremental build after one edit: {incremental_seconds:.2f} s, "
        f"{incremental.pages_rendered} pages rendered, "
        f"{incremental.files_written} files written",
        flush=True,
    )
    print(f"  phases: {json.dumps(incremental.phases)}", flush=True)
    print(
        f"search index refresh after it: {search_refresh_seconds:.2f} s "
        f"({refresh.files_written} files written)",
        flush=True,
    )

    _delete_old_builds(paths.root)
    largest_mb = (
        max(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            searches["children_before_kb"],
        )
        / 1024
    )
    print(
        f"peak memory of the whole build: {memory.peak_mb:.0f} MB "
        f"({', '.join(f'{name} {mb}' for name, mb in memory.peak_parts)})",
        flush=True,
    )
    search_peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "full_build_seconds": round(full_seconds, 2),
        "full_build_runs": [round(run[0], 2) for run in runs],
        "full_cpu_runs": [round(run[1], 1) for run in runs],
        "output_pages": pages,
        "output_files": full.files_total,
        "ms_per_page": round(1000 * full_seconds / max(pages, 1), 3),
        # CPU time of the build, its workers and Pagefind: what the build costs
        # whatever else the machine is doing (seconds above stretch under load).
        "full_cpu_seconds": round(full_cpu, 1),
        "cpu_ms_per_page": round(1000 * full_cpu / max(pages, 1), 3),
        "full_phases": full.phases,
        "full_rebuild_seconds": round(rebuild_seconds, 2),
        "full_rebuild_files_written": rebuild.files_written,
        "incremental_seconds": round(incremental_seconds, 3),
        "incremental_pages_rendered": incremental.pages_rendered,
        "incremental_files_written": incremental.files_written,
        "incremental_written": incremental.written_paths[:20],
        "incremental_phases": incremental.phases,
        "search_refresh_seconds": round(search_refresh_seconds, 2),
        # The whole build at its peak: the build process, its workers and
        # Pagefind together (PSS). Then the largest single process of the build
        # and its workers, and Pagefind's own largest resident set.
        "peak_memory_mb": round(memory.peak_mb, 1),
        "peak_memory_processes_mb": memory.peak_parts,
        "largest_process_mb": round(largest_mb, 1),
        "search_peak_memory_mb": round(search_peak_mb, 1),
        "search_seconds_in_full_build": round(full_search, 2),
        "targets": {
            "ms_per_page": 2.0,
            "incremental_seconds": 1.0,
            "peak_memory_mb": 1024,
        },
        "cpus": os.cpu_count(),
        "photo_pool": PHOTO_POOL,
    }


class TreeMemory:
    """Samples the memory of this process and every process it started (workers,
    Pagefind) in a thread: their PSS summed, from ``/proc/PID/smaps_rollup``. A
    peak shorter than the interval can be missed."""

    def __init__(self, interval: float = 0.25):
        import threading

        self.interval = interval
        self.peak_kb = 0
        self.peak_parts: list[tuple[str, int]] = []
        self._stop = threading.Event()
        self._thread = None

    def __enter__(self) -> "TreeMemory":
        """Sample until the block ends (again for each block: the peak is the
        highest of all)."""
        import threading

        self._stop.clear()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak_mb(self) -> float:
        return self.peak_kb / 1024

    def _run(self) -> None:
        while not self._stop.is_set():
            parts = [(name, _pss_kb(pid)) for pid, name in _tree(os.getpid())]
            total = sum(kb for _, kb in parts)
            if total > self.peak_kb:
                self.peak_kb = total
                self.peak_parts = sorted((n, kb // 1024) for n, kb in parts if kb)
            self._stop.wait(self.interval)


def _tree(root: int) -> list[tuple[int, str]]:
    """(pid, name) of ``root`` and all its descendants."""
    children: dict[int, list[int]] = {}
    names = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as file:
                stat = file.read()
        except OSError:  # ended meanwhile
            continue
        name_end = stat.rfind(")")
        parent = int(stat[name_end + 2 :].split()[1])
        children.setdefault(parent, []).append(int(entry))
        names[int(entry)] = stat[stat.find("(") + 1 : name_end]
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append((pid, names.get(pid, "?")))
        todo += children.get(pid, [])
    return found


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as file:
            for line in file:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _delete_old_builds(root: Path) -> None:
    import shutil

    for old in root.parent.glob(f"{root.name}-old-*"):
        shutil.rmtree(old, ignore_errors=True)


def _cpu_seconds() -> float:
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def _watch_search() -> dict:
    """Time each Pagefind run and note the children's peak memory before the first
    (the render workers'), to report the build's memory apart from Pagefind's."""
    from builders import search

    watched = {"seconds": [], "children_before_kb": 0}
    index_site = search.index_site

    def timed(session):
        if not watched["seconds"]:
            watched["children_before_kb"] = resource.getrusage(
                resource.RUSAGE_CHILDREN
            ).ru_maxrss
        started = time.perf_counter()
        index_site(session)
        watched["seconds"].append(time.perf_counter() - started)

    search.index_site = timed
    return watched


def _warm_renditions() -> None:
    """Create the renditions the API serves once, as a site in use has them (the
    first fetch ever would otherwise write them; bench/api.py measures that)."""
    from builders.client import SOURCE_RENDITION
    from cms.core.models import PortalImage

    for image in PortalImage.objects.all():
        image.get_rendition(SOURCE_RENDITION)


def _edit_one_listing() -> None:
    from cms.listings.models import AkiyaListingPage

    for_sale = (
        AkiyaListingPage.objects.live().filter(transaction_type="sale").order_by("pk")
    )
    page = for_sale[min(505, for_sale.count() - 1)]  # any size of --akiya
    page.price_yen = (page.price_yen or 0) + 10_000
    page.summary = f"{page.summary}（価格を見直しました）"
    page.save_revision().publish()


# --- Synthetic data ------------------------------------------------------------------


def fill(akiya: int, events: int) -> None:
    from django.db import transaction
    from wagtail.signal_handlers import disable_reference_index_auto_update

    from cms.core.municipality_import import (
        apply_municipality_rows,
        parse_municipality_table,
    )
    from cms.core.setup import ensure_site_structure

    ensure_site_structure("いばらき移住ポータル（ベンチ）")
    table = Path(__file__).resolve().parents[1] / "cms/core/demo/data"
    report = parse_municipality_table(
        (table / "ibaraki_municipalities.tsv").read_text(encoding="utf-8")
    )
    apply_municipality_rows(report)
    if not report.ok:
        raise RuntimeError(report.errors)
    with transaction.atomic(), disable_reference_index_auto_update():
        _bulk_listings(akiya, events)
        _published_yesterday()


def _published_yesterday() -> None:
    """Move every publish date a day back, as on a site in use: content published
    within the incremental build's safety margin (a minute) would otherwise all be
    fetched again by the measured one-listing build."""
    from django.db.models import F
    from wagtail.models import Page

    from cms.api.models import PublicPageChange

    day = datetime.timedelta(days=1)
    Page.objects.filter(last_published_at__isnull=False).update(
        last_published_at=F("last_published_at") - day,
        first_published_at=F("first_published_at") - day,
    )
    PublicPageChange.objects.update(changed_at=F("changed_at") - day)


def _bulk_listings(akiya: int, events: int) -> None:
    """Listings written in bulk, with tree paths computed as add_child would."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone
    from wagtail.models import Locale, Page

    from cms.core.models import ConsultationDesk, Municipality
    from cms.listings import models as listings

    rng = random.Random(4)
    now = timezone.now()
    locale = Locale.get_default()
    towns = list(Municipality.objects.order_by("pk"))
    for town in towns:
        ConsultationDesk.objects.create(
            municipality=town,
            name=f"{town.name} 移住相談窓口",
            phone="029-000-0000",
            email=f"iju@{town.slug}.example.jp",
        )
    images = [_image(towns[n % len(towns)].collection, n) for n in range(PHOTO_POOL)]
    base_fields = [f.attname for f in Page._meta.concrete_fields if f.attname != "id"]
    made = 0
    for model, section_model, number in (
        (listings.AkiyaListingPage, listings.AkiyaIndexPage, akiya),
        (listings.EventPage, listings.EventIndexPage, events),
    ):
        content_type = ContentType.objects.get_for_model(model)
        sections = list(section_model.objects.order_by("path"))
        town_of = {
            s.pk: next(t for t in towns if f"/towns/{t.slug}/" in s.url_path)
            for s in sections
        }
        per_section: dict[int, int] = {}
        pages = []
        for index in range(number):
            section = sections[rng.randrange(len(sections))]
            town = town_of[section.pk]
            position = per_section.get(section.pk, 0) + 1
            per_section[section.pk] = position
            slug = f"{model._meta.model_name[:5]}-{index:05d}"
            published = now - datetime.timedelta(minutes=number - index)
            page = model(
                title=_title(model, town, index),
                draft_title=_title(model, town, index),
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
                first_published_at=published,
                last_published_at=published,
                municipality=town,
                summary=_summary(model, rng),
                **_fields(model, rng, index, images, town),
            )
            pages.append(page)
        for start in range(0, len(pages), 500):
            chunk = pages[start : start + 500]
            bases = Page.objects.bulk_create(
                [Page(**{n: getattr(p, n) for n in base_fields}) for p in chunk]
            )
            for page, base in zip(chunk, bases, strict=True):
                page.page_ptr_id = page.id = base.pk
                page.save_base(raw=True, force_insert=True)
        for section in sections:
            Page.objects.filter(pk=section.pk).update(
                numchild=per_section.get(section.pk, 0)
            )
        if model is listings.AkiyaListingPage:
            listings.AkiyaPhoto.objects.bulk_create(
                [
                    listings.AkiyaPhoto(
                        page_id=page.pk,
                        image=images[(page.pk * 3 + n) % len(images)],
                        sort_order=n,
                        caption=("外観", "居間", "庭")[n],
                    )
                    for page in pages
                    for n in range(3)
                ],
                batch_size=2000,
            )
        made += len(pages)
        print(f"  {made} / {akiya + events} listings", flush=True)


def _title(model, town, index: int) -> str:
    from cms.listings import models as listings

    if model is listings.AkiyaListingPage:
        return f"{town.name}の古民家 No.{index:05d}"
    return f"{town.name} 移住相談会 第{index}回"


def _summary(model, rng) -> str:
    from cms.listings import models as listings

    if model is listings.AkiyaListingPage:
        return rng.choice(
            [
                "日当たりのよい平屋です。駅まで車で10分、畑付き。",
                "里山に囲まれた古民家。薪ストーブがあります。",
                "商店街に近い二階建て。改修済みですぐに住めます。",
            ]
        )
    return "先輩移住者の話を聞き、地域を案内します。"


def _fields(model, rng, index, images, town) -> dict:
    from cms.listings import models as listings

    if model is listings.AkiyaListingPage:
        return {
            "registration_number": f"B-{index:05d}",
            "status": "negotiating" if index % 10 == 0 else "open",
            "registered_on": datetime.date(2026, 4, 1)
            + datetime.timedelta(days=index % 200),
            "transaction_type": "sale" if index % 3 else "rent",
            "property_type": "house",
            "price_yen": rng.randrange(500_000, 20_000_000, 10_000)
            if index % 3
            else None,
            "rent_yen": rng.randrange(20_000, 90_000, 1_000) if not index % 3 else None,
            "address": f"茨城県{town.name}大字テスト{index % 97}",
            "access": "JR常磐線の駅から車で15分",
            "land_area_sqm": rng.randrange(150, 900),
            "land_area_method": "registered",
            "building_area_sqm": rng.randrange(60, 200),
            "building_area_method": "registered",
            "layout": rng.choice(["3DK", "4LDK", "5DK"]),
            "built_year_month": f"{rng.randrange(1960, 2005)}-04",
            "structure": "wood",
            "floors": 2,
            "water_supply": "public",
            "sewerage": "septic",
            "parking_spaces": 2,
            "special_notes": ["needs_repair"] if index % 4 == 0 else [],
            "description": (
                "<p>南向きの庭があり、家庭菜園ができます。</p>"
                "<p>小学校まで徒歩15分。近くにスーパーがあります。</p>"
                '<p>詳しくは<a href="https://www.pref.ibaraki.jp/">茨城県のサイト</a>'
                "もご覧ください。</p>"
            ),
            "how_to_apply": "<p>役場の移住相談窓口へお電話ください。</p>",
        }
    start = datetime.datetime(2026, 5, 1, 4, tzinfo=datetime.UTC) + datetime.timedelta(
        days=index % 300, hours=index % 5
    )
    return {
        "kind": "event",
        "start_at": start,
        "end_at": start + datetime.timedelta(hours=3),
        "venue_name": f"{town.name}公民館",
        "venue_address": f"茨城県{town.name}1-1",
        "fee_yen": 0,
        "capacity": 20,
        "main_image": images[index % len(images)],
        "body": [
            {
                "type": "heading",
                "value": {"text": "内容", "level": "h2"},
                "id": str(uuid.uuid4()),
            },
            {
                "type": "paragraph",
                "value": "<p>先輩移住者と話せます。個別相談もできます。</p>",
                "id": str(uuid.uuid4()),
            },
        ],
    }


def _image(collection, number: int):
    import io

    from django.core.files.images import ImageFile
    from PIL import Image, ImageDraw

    from cms.core.models import PortalImage

    picture = Image.new("RGB", (1600, 1200), (30 + 7 * number % 200, 120, 160))
    draw = ImageDraw.Draw(picture)
    for step in range(0, 1600, 80):
        draw.line([(step, 0), (1600 - step, 1200)], fill=(240, 230, 200), width=6)
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=85)
    return PortalImage.objects.create(
        title=f"build-bench-{number}",
        description=f"物件の写真{number}",
        collection=collection,
        file=ImageFile(buffer, name=f"build-bench-{number}.jpg"),
    )
