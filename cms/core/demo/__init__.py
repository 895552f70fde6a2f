"""Demo data for ``portal load_demo``: Ibaraki's 44 municipalities with made-up but
plausible listings, support measures, articles and drawn photos.

``places`` holds facts about each town and ``images`` draws the photos; ``content``,
``akiya`` and ``prefecture`` write the text and field values as pure functions of a
seeded random and today's date; ``loader`` saves them idempotently."""
