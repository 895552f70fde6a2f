"""Pelican settings of the public portal, read by ``portal build``.

The CMS content enters through the plugin ``builders.pelican_plugin`` (a
generator fed by the content API); Pelican itself reads only the hand-written
Markdown pages of ``content/pages/`` (privacy, accessibility). Pelican's
blog machinery (article lists, tags, categories, its own feeds) is switched off:
the portal's lists and its Atom feed come from the plugin. Relative paths here
are relative to this file.
"""

from builders import render

SITENAME = "移住ポータル"  # replaced by the portal name from the CMS
SITEURL = ""  # links are root-relative; absolute URLs use the CMS's site URL
PATH = "../content"
THEME = "../themes/portal"
OUTPUT_PATH = "../var/build/output"  # replaced by the build's output folder
TIMEZONE = "Asia/Tokyo"
DEFAULT_LANG = "ja"

PLUGINS = ["builders.pelican_plugin"]

# Only pages, written as /<slug>/.
ARTICLE_PATHS = []
PAGE_PATHS = ["pages"]
STATIC_PATHS = []
THEME_STATIC_PATHS = []  # assets are copied with hashed names by the plugin
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
DIRECT_TEMPLATES = []
ARTICLE_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
CATEGORY_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
TAG_SAVE_AS = ""
TAGS_SAVE_AS = ""
ARCHIVES_SAVE_AS = ""
DRAFT_PAGE_SAVE_AS = ""  # a Markdown page with "Status: draft" is never output
DRAFT_SAVE_AS = ""
FEED_ALL_ATOM = None
FEED_ALL_RSS = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
DELETE_OUTPUT_DIRECTORY = False  # the builder deletes exactly what it no longer makes
SLUGIFY_SOURCE = "basename"
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False

MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.extra": {},
        "markdown.extensions.toc": {"permalink": False},
    },
    "output_format": "html5",
}

# Autoescape: CMS text is text; HTML from the CMS goes through `rich` explicitly.
JINJA_ENVIRONMENT = {"trim_blocks": True, "lstrip_blocks": True, "autoescape": True}
JINJA_FILTERS = {
    "date_ja": render.date_ja,
    "time_ja": render.time_ja,
    "period_ja": render.period_ja,
    "iso_date": render.iso_date,
    "yen": render.yen,
    "area": render.area,
    "filesize": render.filesize,
    "faq_jsonld": render.faq_jsonld,
}

# The portal's own settings.
PORTAL_LIST_PAGE_SIZE = 20
