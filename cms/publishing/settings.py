"""Where builds keep their files, and which deploy target publishes them, read
from the Django settings (``cms/settings.py``, block "Static site build")."""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings


@dataclass(frozen=True)
class BuildPaths:
    root: Path
    output: Path  # what the last build made (deploy targets publish from here)
    state: Path  # manifest and content snapshot (builders/state.py)
    cache: Path  # resized images, downloaded documents


def build_paths() -> BuildPaths:
    root = Path(settings.PORTAL_BUILD_DIR)
    return BuildPaths(
        root=root,
        output=root / "output",
        state=root / "state.sqlite3",
        cache=root / "cache",
    )


def deploy_target_name() -> str:
    return settings.PORTAL_DEPLOY_TARGET
