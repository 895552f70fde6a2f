"""Deploy targets: where a build's output goes (``PORTAL_DEPLOY_TARGET``).

* ``folder`` (default): copied into ``PORTAL_DEPLOY_FOLDER``, which the CMS itself
  serves at ``/`` in the demo. Only files whose bytes changed are copied.
* ``netlify``: Netlify's digest deploy. The full map of paths to SHA-1 is sent;
  Netlify answers with the digests it does not have yet and only those files are
  uploaded. Files left out of the map are gone from the new deploy.
* ``netlify-hook``: asks Netlify (its build hook) to build the site itself from
  the CMS URL (``netlify.toml``).
* ``s3``: S3 objects with the right Content-Type and Cache-Control; only changed
  objects are uploaded, removed ones deleted, and the changed paths invalidated on
  CloudFront when a distribution is set.

Every target compares with what it last deployed (``deployed-<name>.json`` in the
build folder) and with what is really there, so it uploads the minimum and still
repairs a target changed by hand.
"""

import hashlib
import json
import logging
import mimetypes
import shutil
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from .settings import build_paths

logger = logging.getLogger(__name__)

HASHED_PREFIXES = ("assets/", "media/")
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".ics": "text/calendar; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
    ".jpg": "image/jpeg",
    ".png": "image/png",
    ".pdf": "application/pdf",
    ".json": "application/json",
}


def content_type(path: str) -> str:
    suffix = Path(path).suffix.lower()
    return (
        CONTENT_TYPES.get(suffix)
        or mimetypes.guess_type(path)[0]
        or "application/octet-stream"
    )


def cache_control(path: str) -> str:
    """Content-hashed files never change: a year. Everything else: revalidate."""
    if path.startswith(HASHED_PREFIXES):
        return "public, max-age=31536000, immutable"
    if path.startswith("documents/"):
        return "public, max-age=3600"
    return "public, max-age=0, must-revalidate"


class DeployError(RuntimeError):
    pass


@dataclass
class DeployResult:
    uploaded: int = 0
    deleted: int = 0
    message: str = ""


def _sha1(path: Path) -> str:
    return hashlib.sha1(path.read_bytes()).hexdigest()


def manifest_of(output_dir: Path) -> dict[str, str]:
    """Relative path → SHA-1 of every file of a build's output."""
    from builders.state import BuildState

    paths = build_paths()
    state_path = paths.state
    if Path(output_dir) == paths.output and state_path.exists():
        state = BuildState(state_path)
        try:
            return {path: entry.sha1 for path, entry in state.outputs().items()}
        finally:
            state.close()
    return {
        str(p.relative_to(output_dir)): _sha1(p)
        for p in sorted(Path(output_dir).rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }


class Target:
    name = ""
    label = ""

    def _record_path(self) -> Path:
        return build_paths().root / f"deployed-{self.name}.json"

    def deployed(self) -> dict[str, str]:
        try:
            return json.loads(self._record_path().read_text())
        except (FileNotFoundError, ValueError):
            return {}

    def remember(self, manifest: dict[str, str]) -> None:
        path = self._record_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(manifest, sort_keys=True))
        temporary.replace(path)

    def deploy(self, output_dir: Path, summary=None) -> DeployResult:
        raise NotImplementedError


class FolderTarget(Target):
    name = "folder"
    label = "フォルダ"

    def __init__(self, folder: Path | None = None):
        self.folder = Path(folder or settings.PORTAL_DEPLOY_FOLDER)

    def deploy(self, output_dir, summary=None) -> DeployResult:
        output_dir = Path(output_dir)
        manifest = manifest_of(output_dir)
        if self.folder.resolve() == output_dir.resolve():
            return DeployResult(0, 0, f"{self.folder} は出力フォルダそのものです。")
        before = self.deployed()
        result = DeployResult()
        for path, digest in sorted(manifest.items()):
            target = self.folder / path
            if before.get(path) == digest and target.exists():
                continue
            # Without a record (first deploy, build folder wiped) a file that is
            # already there with the same bytes keeps its mtime, so rsync-style
            # mirrors and web caches see no change.
            if target.is_file() and _sha1(target) == digest:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.with_name(f".{target.name}.tmp")
            shutil.copyfile(output_dir / path, temporary)
            temporary.replace(target)
            result.uploaded += 1
        for path in sorted(set(before) - set(manifest)):
            target = self.folder / path
            if target.exists():
                target.unlink()
                result.deleted += 1
                _prune_empty(target.parent, self.folder)
        self.remember(manifest)
        result.message = (
            f"{self.folder} に {result.uploaded} 件をコピー、{result.deleted} 件を削除"
        )
        return result


def _prune_empty(folder: Path, root: Path) -> None:
    """Remove folders a deletion left empty, up to (not including) ``root``, so
    a removed page's URL is gone rather than an empty directory."""
    while folder != root and root in folder.parents:
        try:
            folder.rmdir()
        except OSError:  # not empty (or already gone)
            return
        folder = folder.parent


NETLIFY_HINTS = {
    401: "NETLIFY_AUTH_TOKEN が正しいか確認してください。",
    403: "NETLIFY_AUTH_TOKEN にこのサイトへの権限があるか確認してください。",
    404: "NETLIFY_SITE_ID が正しいか確認してください。",
    429: "Netlify の利用制限に達しました。しばらくしてから再構築してください。",
    **dict.fromkeys(
        (500, 502, 503, 504),
        "Netlify 側の障害です。しばらくしてから再構築してください。",
    ),
}


class NetlifyTarget(Target):
    """Netlify's digest deploy API (``POST /sites/:id/deploys`` with the SHA-1
    map, then ``PUT /deploys/:id/files/:path`` for each digest it asks for)."""

    name = "netlify"
    label = "Netlify"

    def __init__(self, api_url=None, site_id=None, token=None):
        self.api_url = (api_url or settings.NETLIFY_API_URL).rstrip("/")
        self.site_id = site_id or settings.NETLIFY_SITE_ID
        self.token = token or settings.NETLIFY_AUTH_TOKEN
        if not (self.site_id and self.token):
            raise DeployError(
                "Netlify に公開するには NETLIFY_SITE_ID と NETLIFY_AUTH_TOKEN を設定してください。"
            )

    def _call(self, method: str, path: str, body: bytes, content: str) -> dict:
        request = urllib.request.Request(
            f"{self.api_url}{path}",
            data=body,
            method=method,
            headers={
                "Authorization": f"Bearer {self.token}",
                "Content-Type": content,
                "User-Agent": "portal-deploy/1",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                text = response.read()
        except urllib.error.HTTPError as error:
            detail = error.read()[:300].decode("utf-8", "replace")
            hint = NETLIFY_HINTS.get(error.code, "")
            raise DeployError(
                f"Netlify の API がエラーを返しました（{method} {path} → HTTP "
                f"{error.code}）。{hint}応答: {detail}"
            ) from error
        except urllib.error.URLError as error:
            raise DeployError(f"Netlify に接続できません: {error}") from error
        return json.loads(text) if text else {}

    def deploy(self, output_dir, summary=None) -> DeployResult:
        output_dir = Path(output_dir)
        manifest = manifest_of(output_dir)
        removed = set(self.deployed()) - set(manifest)
        files = {f"/{path}": digest for path, digest in manifest.items()}
        created = self._call(
            "POST",
            f"/sites/{self.site_id}/deploys",
            json.dumps({"files": files}).encode(),
            "application/json",
        )
        required = set(created.get("required") or [])
        uploaded = 0
        for path, digest in sorted(manifest.items()):
            if digest not in required:
                continue
            required.discard(digest)  # one upload per digest is enough
            quoted = urllib.parse.quote(path)
            self._call(
                "PUT",
                f"/deploys/{created['id']}/files/{quoted}",
                (output_dir / path).read_bytes(),
                "application/octet-stream",
            )
            uploaded += 1
        if required:
            raise DeployError(
                f"Netlify が求めたファイルが出力にありません: {sorted(required)[:5]}"
            )
        self.remember(manifest)
        return DeployResult(
            uploaded,
            len(removed),
            f"デプロイ {created['id']}: {len(files)} 件中 {uploaded} 件を送信、"
            f"{len(removed)} 件を削除",
        )


class NetlifyHookTarget(Target):
    name = "netlify-hook"
    label = "Netlify（ビルドフック）"

    def __init__(self, hook_url=None):
        self.hook_url = hook_url or settings.NETLIFY_BUILD_HOOK
        if not self.hook_url:
            raise DeployError("NETLIFY_BUILD_HOOK を設定してください。")

    def deploy(self, output_dir, summary=None) -> DeployResult:
        request = urllib.request.Request(self.hook_url, data=b"{}", method="POST")
        try:
            with urllib.request.urlopen(request, timeout=30):
                pass
        except urllib.error.URLError as error:
            raise DeployError(f"Netlify のビルドフックを呼べません: {error}") from error
        return DeployResult(0, 0, "Netlify にビルドを依頼しました（Netlify 側で構築）")


class S3Target(Target):
    name = "s3"
    label = "S3 + CloudFront"

    def __init__(self, bucket=None, prefix=None, client=None, cloudfront=None):
        self.bucket = bucket or settings.AWS_S3_BUCKET
        if not self.bucket:
            raise DeployError("S3 に公開するには AWS_S3_BUCKET を設定してください。")
        self.prefix = (prefix if prefix is not None else settings.AWS_S3_PREFIX).strip(
            "/"
        )
        self._client = client
        self._cloudfront = cloudfront
        self.distribution = settings.AWS_CLOUDFRONT_DISTRIBUTION_ID

    @property
    def client(self):
        if self._client is None:
            import boto3

            self._client = boto3.client(
                "s3",
                region_name=settings.AWS_S3_REGION,
                endpoint_url=settings.AWS_S3_ENDPOINT_URL,
            )
        return self._client

    @property
    def cloudfront(self):
        if self._cloudfront is None:
            import boto3

            self._cloudfront = boto3.client(
                "cloudfront",
                region_name="us-east-1",
                endpoint_url=settings.AWS_CLOUDFRONT_ENDPOINT_URL,
            )
        return self._cloudfront

    def _key(self, path: str) -> str:
        return f"{self.prefix}/{path}" if self.prefix else path

    def _remote_keys(self) -> set[str]:
        keys = set()
        paginator = self.client.get_paginator("list_objects_v2")
        kwargs = {"Bucket": self.bucket}
        if self.prefix:
            kwargs["Prefix"] = self.prefix + "/"
        for page in paginator.paginate(**kwargs):
            keys.update(item["Key"] for item in page.get("Contents", []))
        return keys

    def deploy(self, output_dir, summary=None) -> DeployResult:
        output_dir = Path(output_dir)
        manifest = manifest_of(output_dir)
        before = self.deployed()
        remote = self._remote_keys()
        changed = [
            path
            for path, digest in sorted(manifest.items())
            if before.get(path) != digest or self._key(path) not in remote
        ]
        for path in changed:
            self.client.put_object(
                Bucket=self.bucket,
                Key=self._key(path),
                Body=(output_dir / path).read_bytes(),
                ContentType=content_type(path),
                CacheControl=cache_control(path),
                Metadata={"sha1": manifest[path]},
            )
        wanted = {self._key(path) for path in manifest}
        stale = sorted(remote - wanted)
        for start in range(0, len(stale), 1000):
            response = self.client.delete_objects(
                Bucket=self.bucket,
                Delete={"Objects": [{"Key": k} for k in stale[start : start + 1000]]},
            )
            if errors := response.get("Errors"):
                raise DeployError(
                    f"s3://{self.bucket}: {len(errors)} 件を削除できませんでした: "
                    + ", ".join(f"{e['Key']} ({e['Code']})" for e in errors[:5])
                )
        self.remember(manifest)
        message = f"s3://{self.bucket}: {len(changed)} 件を送信、{len(stale)} 件を削除"
        paths = invalidation_paths(changed, [self._unkey(k) for k in stale])
        if self.distribution and paths:
            self.cloudfront.create_invalidation(
                DistributionId=self.distribution,
                InvalidationBatch={
                    "Paths": {"Quantity": len(paths), "Items": paths},
                    # Unique per deploy: CloudFront treats a reused reference
                    # as a replay, so content that returns to an earlier
                    # version would not be invalidated again.
                    "CallerReference": f"portal-{uuid.uuid4().hex}",
                },
            )
            message += f"、CloudFront で {len(paths)} パスを無効化"
        return DeployResult(len(changed), len(stale), message)

    def _unkey(self, key: str) -> str:
        return key[len(self.prefix) + 1 :] if self.prefix else key


def _url_path(path: str) -> str:
    """``towns/mito/akiya/空き家/`` → ``/towns/mito/akiya/%E7%A9%BA...``: CloudFront
    matches invalidations against the URL as browsers send it, percent-encoded
    UTF-8; characters browsers leave as they are must stay unencoded. ``*`` is
    encoded: unencoded it would be a wildcard."""
    return "/" + urllib.parse.quote(path, safe="/!$&'()+,;=:@")


def invalidation_paths(changed: list[str], deleted: list[str], limit=1000) -> list[str]:
    """CloudFront paths for changed files: ``/towns/mito/index.html`` also as
    ``/towns/mito/``, percent-encoded. Hashed assets never change, so they are
    left out; more than ``limit`` paths become ``/*``."""
    paths = set()
    for path in [*changed, *deleted]:
        if path.startswith(HASHED_PREFIXES):
            continue
        paths.add(_url_path(path))
        if path.endswith("index.html"):
            paths.add(_url_path(path[: -len("index.html")]))
    if len(paths) > limit:
        return ["/*"]
    return sorted(paths)


TARGETS = {
    "folder": FolderTarget,
    "netlify": NetlifyTarget,
    "netlify-hook": NetlifyHookTarget,
    "s3": S3Target,
}


def deploy_target(name: str | None = None) -> Target:
    name = name or settings.PORTAL_DEPLOY_TARGET
    try:
        return TARGETS[name]()
    except KeyError:
        raise DeployError(
            f"PORTAL_DEPLOY_TARGET={name!r} は使えません: {', '.join(TARGETS)}"
        ) from None
