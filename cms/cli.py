"""The ``portal`` command: Django's manage.py with the portal's settings, so
``portal migrate``, ``portal load_demo`` and the portal's own commands work from any
directory once the package is installed."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["portal", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
