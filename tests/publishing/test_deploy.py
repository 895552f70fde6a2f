"""Deploy targets (``cms.publishing.deploy``) publish a build's output and send only
what changed: a folder on disk, Netlify's digest deploy, a Netlify build hook, and
S3 with a CloudFront invalidation.

Stand-ins, because the real services cannot be reached from tests: S3 and
CloudFront are moto's server mode, spoken to over HTTP by boto3 as AWS would be;
Netlify's API is ``tests/publishing/netlify_standin.py``, a local HTTP server with
the digest-deploy endpoints. The folder target writes to a real folder."""

import hashlib
import io
import logging
import os
import urllib.request
from pathlib import Path

import pytest
from PIL import Image

from builders.build import BuildOptions, build_site
from cms.publishing.deploy import DeployError, deploy_target, invalidation_paths
from cms.publishing.models import BuildRun
from cms.publishing.runs import run_build
from cms.publishing.settings import build_paths

from .netlify_standin import running_standin

CHANGED = "towns/mito/index.html"
REMOVED = "towns/daigo/index.html"
JAPANESE = "towns/mito/akiya/水戸市の空き家/index.html"
HTML_CACHE = "public, max-age=0, must-revalidate"
IMMUTABLE = "public, max-age=31536000, immutable"


def _webp() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), (40, 120, 80)).save(buffer, "WEBP")
    return buffer.getvalue()


def files_of(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


class SiteOutput:
    """A small build output written by the test: pages, a hashed stylesheet, a
    resized photo, a document and a feed."""

    def __init__(self, root: Path):
        self.root = root
        page = "<!doctype html><html lang=ja><title>{}</title><h1>{}</h1></html>"
        for path, title in [
            ("index.html", "トップページ"),
            (CHANGED, "水戸市"),
            (REMOVED, "大子町"),
            (JAPANESE, "水戸市の空き家"),
            ("404.html", "ページが見つかりません"),
        ]:
            self.write(path, page.format(title, title))
        self.write("assets/portal.0a1b2c3d4e.css", "body{color:#222}")
        self.write("media/3f2a1c9b8e7d6c5b4a39.webp", _webp())
        self.write("documents/mito-guide.pdf", b"%PDF-1.4\n% guide\n")
        self.write("feed.atom", '<?xml version="1.0"?><feed/>')

    def write(self, path: str, data) -> None:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data.encode() if isinstance(data, str) else data)

    def files(self) -> dict[str, bytes]:
        return files_of(self.root)

    def change_one_remove_one(self) -> None:
        self.write(CHANGED, "<!doctype html><title>水戸市</title><p>更新しました</p>")
        (self.root / REMOVED).unlink()
        (self.root / REMOVED).parent.rmdir()


@pytest.fixture(autouse=True)
def build_dir(settings, tmp_path):
    """Each test keeps its own record of what was deployed."""
    settings.PORTAL_BUILD_DIR = tmp_path / "build"
    return settings.PORTAL_BUILD_DIR


@pytest.fixture
def output(tmp_path):
    return SiteOutput(tmp_path / "output")


def run_portal_build(workers=1) -> BuildRun:
    """A real build of the test portal and its deploy, as the admin starts it."""
    run = BuildRun.objects.create(trigger=BuildRun.Trigger.COMMAND)
    run_build(run, BuildOptions(workers=workers))
    run.refresh_from_db()
    return run


# --- folder ------------------------------------------------------------------------


@pytest.fixture
def site_folder(settings, tmp_path):
    settings.PORTAL_DEPLOY_TARGET = "folder"
    settings.PORTAL_DEPLOY_FOLDER = tmp_path / "site"
    return settings.PORTAL_DEPLOY_FOLDER


def identities(folder: Path) -> dict[str, tuple[int, int]]:
    """File → (inode, mtime): a rewritten file gets a new inode (it is replaced)."""
    return {
        str(p.relative_to(folder)): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file()
    }


def test_folder_deploy_mirrors_output_and_rewrites_only_changed_files(
    output, site_folder
):
    target = deploy_target()
    first = target.deploy(output.root)
    assert (first.uploaded, first.deleted) == (len(output.files()), 0)
    assert files_of(site_folder) == output.files()
    before = identities(site_folder)

    again = deploy_target().deploy(output.root)
    assert (again.uploaded, again.deleted) == (0, 0)
    assert identities(site_folder) == before

    output.change_one_remove_one()
    result = deploy_target().deploy(output.root)
    assert (result.uploaded, result.deleted) == (1, 1)
    assert files_of(site_folder) == output.files()
    after = identities(site_folder)
    assert after[CHANGED] != before[CHANGED]
    assert {p: after[p] for p in after if p != CHANGED} == {
        p: before[p] for p in after if p != CHANGED
    }
    assert not (site_folder / REMOVED).parent.exists()  # no empty folder left


def test_folder_deploy_without_its_record_leaves_identical_files_alone(
    output, site_folder, build_dir
):
    deploy_target().deploy(output.root)
    before = identities(site_folder)
    (build_dir / "deployed-folder.json").unlink()

    result = deploy_target().deploy(output.root)

    assert result.uploaded == 0
    assert identities(site_folder) == before


def test_folder_deploy_restores_a_file_deleted_by_hand(output, site_folder):
    deploy_target().deploy(output.root)
    (site_folder / "index.html").unlink()

    result = deploy_target().deploy(output.root)

    assert result.uploaded == 1
    assert files_of(site_folder) == output.files()


def test_folder_deploy_into_the_output_folder_itself_copies_nothing(output, settings):
    settings.PORTAL_DEPLOY_FOLDER = output.root
    result = deploy_target("folder").deploy(output.root)
    assert result.uploaded == 0
    assert "出力フォルダそのもの" in result.message


# --- Netlify -----------------------------------------------------------------------


@pytest.fixture
def netlify(settings):
    with running_standin() as standin:
        settings.PORTAL_DEPLOY_TARGET = "netlify"
        settings.NETLIFY_API_URL = standin.api_url
        settings.NETLIFY_SITE_ID = standin.site_id
        settings.NETLIFY_AUTH_TOKEN = standin.token
        yield standin


def sha1_map(files: dict[str, bytes]) -> dict[str, str]:
    return {f"/{path}": hashlib.sha1(data).hexdigest() for path, data in files.items()}


def test_netlify_first_deploy_announces_every_digest_and_uploads_every_file(
    output, netlify
):
    result = deploy_target().deploy(output.root)

    (created,) = netlify.calls("POST", r"/sites/portal-site/deploys$")
    assert created.json == {"files": sha1_map(output.files())}
    assert created.headers["Authorization"] == f"Bearer {netlify.token}"
    assert sorted(netlify.uploaded_paths()) == sorted(output.files())
    assert result.uploaded == len(output.files())
    assert netlify.published() == output.files()
    # Non-ASCII paths travel percent-encoded.
    assert any("%E6%B0%B4" in r.path for r in netlify.calls("PUT"))


def test_netlify_redeploy_uploads_only_the_changed_file_and_drops_the_removed_one(
    output, netlify
):
    deploy_target().deploy(output.root)
    netlify.forget_requests()

    again = deploy_target().deploy(output.root)
    assert len(netlify.calls("POST", r"/deploys$")) == 1
    assert netlify.calls("PUT") == []
    assert again.uploaded == 0

    output.change_one_remove_one()
    netlify.forget_requests()
    result = deploy_target().deploy(output.root)

    (created,) = netlify.calls("POST", r"/deploys$")
    assert f"/{REMOVED}" not in created.json["files"]
    assert netlify.uploaded_paths() == [CHANGED]
    assert (result.uploaded, result.deleted) == (1, 1)
    assert netlify.published() == output.files()


def test_netlify_uploads_content_shared_by_two_files_once(output, netlify):
    output.write("privacy/index.html", "<p>同じ内容</p>")
    output.write("accessibility/index.html", "<p>同じ内容</p>")

    result = deploy_target().deploy(output.root)

    assert result.uploaded == len(output.files()) - 1
    assert netlify.published() == output.files()


def test_netlify_without_site_or_token_is_refused_with_what_to_set(settings):
    settings.NETLIFY_SITE_ID = ""
    settings.NETLIFY_AUTH_TOKEN = ""
    with pytest.raises(DeployError, match="NETLIFY_SITE_ID と NETLIFY_AUTH_TOKEN"):
        deploy_target("netlify")


def test_netlify_bad_token_fails_the_build_run_with_a_clear_error(
    portal, netlify, settings
):
    settings.NETLIFY_AUTH_TOKEN = "expired-token"

    run = run_portal_build()

    assert run.status == BuildRun.Status.FAILED
    assert "HTTP 401" in run.errors
    assert "NETLIFY_AUTH_TOKEN が正しいか確認してください" in run.errors
    assert run.files_uploaded == 0
    assert run.pages_rendered > 0  # the build itself is still recorded
    assert netlify.calls("PUT") == []
    assert netlify.published() == {}


def test_netlify_server_errors_fail_the_run_and_the_next_run_completes_the_deploy(
    portal, netlify
):
    netlify.fail_next(r"/sites/portal-site/deploys$", 503)
    failed = run_portal_build()
    assert failed.status == BuildRun.Status.FAILED
    assert "HTTP 503" in failed.errors
    assert "Netlify 側の障害です" in failed.errors

    # Uploads go in path order: the files before towns/ arrive, then one fails.
    netlify.fail_next(r"/files/towns/", 500)
    failed_upload = run_portal_build()
    assert failed_upload.status == BuildRun.Status.FAILED
    assert "HTTP 500" in failed_upload.errors

    netlify.forget_requests()
    run = run_portal_build()
    assert run.status == BuildRun.Status.SUCCEEDED, run.errors
    output = files_of(build_paths().output)
    assert netlify.published() == output
    # Nothing is sent twice: only what the failed run could not deliver.
    assert run.files_uploaded == len(netlify.uploaded_paths()) < len(output)
    assert min(netlify.uploaded_paths()).startswith("towns/")
    assert "Netlify" in run.log


# --- Netlify build hook ------------------------------------------------------------


def test_netlify_build_hook_receives_a_post(output, netlify, settings):
    settings.PORTAL_DEPLOY_TARGET = "netlify-hook"
    settings.NETLIFY_BUILD_HOOK = netlify.hook_url("abc123")

    result = deploy_target().deploy(output.root)

    (call,) = netlify.calls("POST", r"^/build_hooks/abc123$")
    assert netlify.calls("PUT") == []
    assert result.uploaded == 0
    assert "Netlify にビルドを依頼しました" in result.message
    assert call.method == "POST"


def test_netlify_build_hook_that_fails_is_a_deploy_error(output, netlify, settings):
    settings.NETLIFY_BUILD_HOOK = netlify.hook_url("abc123")
    netlify.fail_next(r"/build_hooks/", 404)
    with pytest.raises(DeployError, match=r"ビルドフックを呼べません.*404"):
        deploy_target("netlify-hook").deploy(output.root)


def test_netlify_build_hook_must_be_configured(settings):
    settings.NETLIFY_BUILD_HOOK = ""
    with pytest.raises(DeployError, match="NETLIFY_BUILD_HOOK"):
        deploy_target("netlify-hook")


# --- S3 and CloudFront -------------------------------------------------------------


@pytest.fixture(scope="module")
def moto_url():
    from moto.server import ThreadedMotoServer

    # moto's server logs every request through werkzeug at INFO.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


class Aws:
    """The bucket and distribution as a visitor's CDN would see them."""

    bucket = "portal-site"

    def __init__(self, url: str):
        import boto3

        self.s3 = boto3.client("s3", region_name="ap-northeast-1", endpoint_url=url)
        self.cloudfront = boto3.client(
            "cloudfront", region_name="us-east-1", endpoint_url=url
        )
        self.s3.create_bucket(
            Bucket=self.bucket,
            CreateBucketConfiguration={"LocationConstraint": "ap-northeast-1"},
        )
        # Versions count the uploads each key received.
        self.s3.put_bucket_versioning(
            Bucket=self.bucket, VersioningConfiguration={"Status": "Enabled"}
        )
        self.distribution = self.cloudfront.create_distribution(
            DistributionConfig={
                "CallerReference": "portal-test",
                "Comment": "",
                "Enabled": True,
                "Origins": {
                    "Quantity": 1,
                    "Items": [
                        {
                            "Id": "site",
                            "DomainName": f"{self.bucket}.s3.amazonaws.com",
                            "S3OriginConfig": {"OriginAccessIdentity": ""},
                        }
                    ],
                },
                "DefaultCacheBehavior": {
                    "TargetOriginId": "site",
                    "ViewerProtocolPolicy": "redirect-to-https",
                    "MinTTL": 0,
                    "TrustedSigners": {"Enabled": False, "Quantity": 0},
                    "ForwardedValues": {
                        "QueryString": False,
                        "Cookies": {"Forward": "none"},
                    },
                },
            }
        )["Distribution"]["Id"]

    def keys(self, prefix="") -> set[str]:
        pages = self.s3.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=prefix
        )
        return {item["Key"] for page in pages for item in page.get("Contents", [])}

    def uploads(self) -> dict[str, int]:
        """Key → how many times it was written."""
        counts: dict[str, int] = {}
        pages = self.s3.get_paginator("list_object_versions").paginate(
            Bucket=self.bucket
        )
        for page in pages:
            for version in page.get("Versions", []):
                counts[version["Key"]] = counts.get(version["Key"], 0) + 1
        return counts

    def body(self, key: str) -> bytes:
        return self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def invalidations(self) -> dict[str, dict]:
        """Invalidation id → its batch (paths and caller reference)."""
        listed = self.cloudfront.list_invalidations(DistributionId=self.distribution)
        return {
            item["Id"]: self.cloudfront.get_invalidation(
                DistributionId=self.distribution, Id=item["Id"]
            )["Invalidation"]["InvalidationBatch"]
            for item in listed["InvalidationList"].get("Items", [])
        }


@pytest.fixture
def aws(moto_url, settings, monkeypatch):
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    reset = urllib.request.Request(f"{moto_url}/moto-api/reset", method="POST")
    urllib.request.urlopen(reset, timeout=10).close()
    world = Aws(moto_url)
    settings.PORTAL_DEPLOY_TARGET = "s3"
    settings.AWS_S3_BUCKET = world.bucket
    settings.AWS_S3_PREFIX = ""
    settings.AWS_S3_REGION = "ap-northeast-1"
    settings.AWS_S3_ENDPOINT_URL = moto_url
    settings.AWS_CLOUDFRONT_ENDPOINT_URL = moto_url
    settings.AWS_CLOUDFRONT_DISTRIBUTION_ID = world.distribution
    return world


def new_invalidations(aws: Aws, seen: dict) -> list[dict]:
    return [batch for id_, batch in aws.invalidations().items() if id_ not in seen]


def test_s3_deploy_uploads_changed_objects_deletes_removed_ones_and_invalidates(
    output, aws
):
    first = deploy_target().deploy(output.root)
    assert (first.uploaded, first.deleted) == (len(output.files()), 0)
    assert aws.keys() == set(output.files())
    assert set(aws.uploads().values()) == {1}
    (initial,) = aws.invalidations().values()
    assert "/towns/mito/" in initial["Paths"]["Items"]
    assert not any(
        p.startswith(("/assets/", "/media/")) for p in initial["Paths"]["Items"]
    )
    seen = aws.invalidations()

    again = deploy_target().deploy(output.root)
    assert (again.uploaded, again.deleted) == (0, 0)
    assert set(aws.uploads().values()) == {1}
    assert new_invalidations(aws, seen) == []

    output.change_one_remove_one()
    result = deploy_target().deploy(output.root)
    assert (result.uploaded, result.deleted) == (1, 1)
    assert aws.keys() == set(output.files())
    assert aws.body(CHANGED) == output.files()[CHANGED]
    uploads = aws.uploads()
    assert uploads.pop(CHANGED) == 2
    assert set(uploads.values()) == {1}
    (batch,) = new_invalidations(aws, seen)
    assert sorted(batch["Paths"]["Items"]) == [
        "/towns/daigo/",
        "/towns/daigo/index.html",
        "/towns/mito/",
        "/towns/mito/index.html",
    ]
    assert batch["CallerReference"] != initial["CallerReference"]


def test_s3_content_returning_to_an_earlier_version_is_invalidated_again(output, aws):
    original = output.files()[CHANGED]
    deploy_target().deploy(output.root)
    output.write(CHANGED, "<p>一時的な変更</p>")
    deploy_target().deploy(output.root)
    output.write(CHANGED, original)
    deploy_target().deploy(output.root)

    batches = list(aws.invalidations().values())
    assert len(batches) == 3
    # CloudFront treats a repeated reference as a replay of the old request.
    assert len({b["CallerReference"] for b in batches}) == 3


def test_s3_objects_carry_content_type_and_cache_control(output, aws):
    deploy_target().deploy(output.root)

    def head(key):
        found = aws.s3.head_object(Bucket=aws.bucket, Key=key)
        return found["ContentType"], found["CacheControl"]

    assert head("index.html") == ("text/html; charset=utf-8", HTML_CACHE)
    assert head(JAPANESE) == ("text/html; charset=utf-8", HTML_CACHE)
    assert head("assets/portal.0a1b2c3d4e.css") == (
        "text/css; charset=utf-8",
        IMMUTABLE,
    )
    assert head("media/3f2a1c9b8e7d6c5b4a39.webp") == ("image/webp", IMMUTABLE)
    assert head("documents/mito-guide.pdf") == (
        "application/pdf",
        "public, max-age=3600",
    )
    assert head("feed.atom") == ("application/atom+xml; charset=utf-8", HTML_CACHE)
    for key, data in output.files().items():
        assert aws.body(key) == data


def test_s3_invalidation_paths_are_percent_encoded(output, aws):
    deploy_target().deploy(output.root)

    (batch,) = aws.invalidations().values()
    encoded = "/towns/mito/akiya/" + "".join(
        f"%{b:02X}" for b in "水戸市の空き家".encode()
    )
    assert f"{encoded}/" in batch["Paths"]["Items"]
    assert f"{encoded}/index.html" in batch["Paths"]["Items"]
    assert all(p.isascii() for p in batch["Paths"]["Items"])


def test_s3_deploy_under_a_prefix_repairs_hand_changes_and_spares_other_keys(
    output, aws, settings
):
    settings.AWS_S3_PREFIX = "/site/"
    aws.s3.put_object(Bucket=aws.bucket, Key="logs/keep.txt", Body=b"not ours")
    deploy_target().deploy(output.root)
    assert aws.keys("site/") == {f"site/{p}" for p in output.files()}

    aws.s3.delete_object(Bucket=aws.bucket, Key="site/index.html")
    aws.s3.put_object(Bucket=aws.bucket, Key="site/stray.html", Body=b"by hand")
    seen = aws.invalidations()
    result = deploy_target().deploy(output.root)

    assert (result.uploaded, result.deleted) == (1, 1)
    assert aws.keys() == {f"site/{p}" for p in output.files()} | {"logs/keep.txt"}
    (batch,) = new_invalidations(aws, seen)
    assert sorted(batch["Paths"]["Items"]) == ["/", "/index.html", "/stray.html"]


def test_s3_deploy_without_a_distribution_skips_the_invalidation(output, aws, settings):
    settings.AWS_CLOUDFRONT_DISTRIBUTION_ID = ""
    result = deploy_target().deploy(output.root)
    assert result.uploaded == len(output.files())
    assert aws.invalidations() == {}
    assert "CloudFront" not in result.message


def test_s3_bucket_must_be_configured(settings):
    settings.AWS_S3_BUCKET = ""
    with pytest.raises(DeployError, match="AWS_S3_BUCKET"):
        deploy_target("s3")


def test_s3_deploy_of_a_real_build_uploads_exactly_its_files(portal, aws, tmp_path):
    options = BuildOptions(
        output_dir=tmp_path / "out",
        state_path=tmp_path / "state.sqlite3",
        cache_dir=tmp_path / "cache",
        workers=1,
    )
    summary = build_site(options)
    built = files_of(options.output_dir)
    assert summary.pages_total > 0
    assert "towns/mito/index.html" in built

    result = deploy_target().deploy(options.output_dir, summary)

    assert aws.keys() == set(built)
    assert result.uploaded == len(built)
    for key, data in built.items():
        assert aws.body(key) == data
    found = aws.s3.head_object(Bucket=aws.bucket, Key="towns/mito/index.html")
    assert found["ContentType"] == "text/html; charset=utf-8"

    # Nothing changed in the CMS: the next build deploys nothing.
    summary = build_site(options)
    again = deploy_target().deploy(options.output_dir, summary)
    assert (again.uploaded, again.deleted) == (0, 0)


def test_build_run_publishes_to_s3_and_records_what_it_sent(portal, aws):
    run = run_portal_build()

    assert run.status == BuildRun.Status.SUCCEEDED, run.errors
    assert run.deploy_target == "s3"
    built = files_of(build_paths().output)
    assert aws.keys() == set(built)
    assert run.files_uploaded == len(built)
    assert "公開（S3 + CloudFront）" in run.log


# --- rules -------------------------------------------------------------------------


def test_invalidation_paths_skip_hashed_assets_and_collapse_beyond_the_limit():
    assert invalidation_paths(
        ["index.html", "assets/portal.0a1b2c3d4e.css", "media/abc.webp"],
        ["events/old/index.html"],
    ) == ["/", "/events/old/", "/events/old/index.html", "/index.html"]
    many = [f"events/{n}/index.html" for n in range(600)]
    assert invalidation_paths(many, [], limit=1000) == ["/*"]
