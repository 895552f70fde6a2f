"""cms.ops keeps no tables of its own: the operation log is Wagtail's audit log
(``ModelLogEntry``/``PageLogEntry``), devices are django-otp's, lockouts
django-axes'. (The module exists so Django sends this app post_migrate.)"""
