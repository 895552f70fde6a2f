"""The Lambda deployment archive (``portal ops package-lambda``): the portal's
code, the handler and its dependencies installed for Lambda's platform, zipped.
Dependencies are fetched by pip for the target platform at packaging time (never
when the function runs)."""

import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CODE_FOLDERS = ("cms", "builders")
SKIPPED = {"__pycache__", "tests", ".pytest_cache"}
# Lambda's limit for a function's unzipped code and layers.
UNZIPPED_LIMIT = 250 * 1024 * 1024


def project_dependencies(exclude: set[str] = frozenset()) -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    deps = []
    for requirement in project["dependencies"]:
        name = requirement.split(";")[0]
        for mark in "<>=!~[ ":
            name = name.split(mark)[0]
        if name.lower() not in exclude:
            deps.append(requirement)
    return deps


def _copy_code(build: Path) -> None:
    def ignore(folder, names):
        return [n for n in names if n in SKIPPED or n.endswith((".pyc", ".sqlite3"))]

    for folder in CODE_FOLDERS:
        if (ROOT / folder).exists():
            shutil.copytree(ROOT / folder, build / folder, ignore=ignore)


def install_dependencies(build: Path, requirements, platform: str, python: str):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--target",
            str(build),
            "--platform",
            platform,
            "--python-version",
            python,
            "--implementation",
            "cp",
            "--only-binary=:all:",
            *requirements,
        ],
        check=True,
    )


def build_archive(
    output: Path,
    *,
    with_dependencies: bool = True,
    platform: str = "manylinux2014_x86_64",
    python: str = "3.11",
    exclude: set[str] = frozenset(),
) -> dict:
    """Write the zip; returns its size, the unzipped size and the file count."""
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="portal-lambda-") as tmp:
        build = Path(tmp)
        if with_dependencies:
            requirements = project_dependencies(exclude)
            install_dependencies(build, requirements, platform, python)
        _copy_code(build)
        files = sorted(p for p in build.rglob("*") if p.is_file())
        unzipped = sum(p.stat().st_size for p in files)
        with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in files:
                archive.write(path, path.relative_to(build).as_posix())
    return {
        "path": str(output),
        "bytes": output.stat().st_size,
        "unzipped_bytes": unzipped,
        "files": len(files),
        "too_big_for_zip": unzipped > UNZIPPED_LIMIT,
    }
