"""Operations and security: the admin's gate (IP allowlist, two-factor
authentication, lockout), the public side's limits, the operation log built on
Wagtail's audit log, backups, health checks and the AWS Lambda adapter."""
