#!/usr/bin/env python
"""Django's manage.py; the installed ``portal`` command does the same."""

from cms.cli import main

if __name__ == "__main__":
    main()
