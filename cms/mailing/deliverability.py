"""The deliverability check: do the SPF, DKIM and DMARC records that Gmail and
Yahoo require of bulk senders exist for the sending domain, does the DKIM record
match our key, and is From aligned with DKIM (DMARC). DNS is asked through
``resolve_txt`` (dnspython), which tests replace."""

from dataclasses import dataclass

from . import conf
from .dkim_signing import configured_signer


@dataclass
class Check:
    name: str
    ok: bool
    level: str  # ok | warning | error
    message: str
    record: str = ""
    advice: str = ""


def resolve_txt(name: str) -> list[str]:
    import dns.exception
    import dns.resolver

    try:
        answers = dns.resolver.resolve(name, "TXT", lifetime=5)
    except (dns.exception.DNSException, OSError):
        return []
    return [b"".join(r.strings).decode("utf-8", "replace") for r in answers]


def _org_domain(domain: str) -> str:
    # Good enough for alignment advice (example.lg.jp, pref.ibaraki.jp …).
    parts = domain.split(".")
    return (
        ".".join(parts[-3:])
        if parts[-1] == "jp" and len(parts) > 2
        else ".".join(parts[-2:])
    )


def check_domain(domain: str | None = None, resolver=None) -> list[Check]:
    resolver = resolver or resolve_txt
    domain = (domain or conf.from_domain()).lower()
    checks: list[Check] = []

    spf = [r for r in resolver(domain) if r.lower().startswith("v=spf1")]
    if len(spf) == 1:
        strict = spf[0].rstrip().endswith(("-all", "~all"))
        checks.append(
            Check(
                "SPF",
                True,
                "ok" if strict else "warning",
                "SPFレコードがあります。"
                if strict
                else "SPFレコードの末尾が -all か ~all ではありません。",
                spf[0],
                ""
                if strict
                else "送信に使うサーバーを include: で列挙し、最後を ~all（または -all）にしてください。",
            )
        )
    else:
        checks.append(
            Check(
                "SPF",
                False,
                "error",
                "SPFレコードがありません。"
                if not spf
                else "SPFレコードが複数あります（1つにまとめてください）。",
                " / ".join(spf),
                f"{domain} のTXTに例: v=spf1 include:（送信サーバーのドメイン） ~all",
            )
        )

    signer = configured_signer()
    if signer is None:
        checks.append(
            Check(
                "DKIM",
                False,
                "warning",
                "このシステムはDKIM署名をしていません（鍵が設定されていません）。",
                "",
                "送信サーバー（SES等）が署名するなら問題ありません。そうでなければ MAILING_DKIM_* を設定してください。",
            )
        )
    else:
        name = f"{conf.get('DKIM_SELECTOR')}._domainkey.{conf.get('DKIM_DOMAIN')}"
        records = resolver(name)
        expected = signer.public_key_record.split("p=", 1)[1]
        published = [r for r in records if "p=" in r]
        matches = any(
            r.replace(" ", "").split("p=", 1)[1].rstrip(";") == expected
            for r in published
        )
        checks.append(
            Check(
                "DKIM",
                matches,
                "ok" if matches else "error",
                "DKIMの公開鍵が設定の鍵と一致しています。"
                if matches
                else (
                    "DKIMレコードの公開鍵が設定の鍵と一致しません。"
                    if published
                    else f"{name} にDKIMレコードがありません。"
                ),
                " / ".join(published),
                ""
                if matches
                else f"{name} のTXTに次を登録してください: {signer.public_key_record}",
            )
        )
        aligned = _org_domain(conf.get("DKIM_DOMAIN").lower()) == _org_domain(domain)
        checks.append(
            Check(
                "From の整合",
                aligned,
                "ok" if aligned else "error",
                "差出人のドメインとDKIMのドメインが揃っています。"
                if aligned
                else "差出人のドメインとDKIMのドメインが違います（DMARCに通りません）。",
                f"From: {domain} / DKIM d={conf.get('DKIM_DOMAIN')}",
            )
        )

    dmarc = [
        r for r in resolver(f"_dmarc.{domain}") if r.lower().startswith("v=dmarc1")
    ]
    if dmarc:
        policy = ""
        for tag in dmarc[0].split(";"):
            key, _, value = tag.strip().partition("=")
            if key.lower() == "p":
                policy = value.strip().lower()
        checks.append(
            Check(
                "DMARC",
                True,
                "ok" if policy in {"quarantine", "reject", "none"} else "warning",
                f"DMARCレコードがあります（p={policy or '不明'}）。",
                dmarc[0],
                "p=none で始め、レポート（rua=）を確認してから quarantine / reject に進めます。"
                if policy == "none"
                else "",
            )
        )
    else:
        checks.append(
            Check(
                "DMARC",
                False,
                "error",
                "DMARCレコードがありません。",
                "",
                f"_dmarc.{domain} のTXTに例: v=DMARC1; p=none; rua=mailto:dmarc@{domain}",
            )
        )
    unsubscribe = conf.get("PUBLIC_URL").startswith("https://")
    checks.append(
        Check(
            "ワンクリック配信停止",
            unsubscribe,
            "ok" if unsubscribe else "warning",
            "配信停止URLは HTTPS です。"
            if unsubscribe
            else "配信停止URLが HTTPS ではありません（Gmail・Yahooは HTTPS を求めます）。",
            conf.get("PUBLIC_URL"),
            ""
            if unsubscribe
            else "MAILING_PUBLIC_URL（または PORTAL_SITE_URL）を https:// にしてください。",
        )
    )
    return checks


def sending_warnings() -> list[str]:
    """Shown before a campaign is sent."""
    warnings = []
    if configured_signer() is None:
        warnings.append(
            "DKIM署名の鍵が設定されていません。送信サーバーが署名しない場合、Gmail・Yahooに届かないおそれがあります。"
        )
    if not conf.get("PUBLIC_URL").startswith("https://"):
        warnings.append("配信停止URLが HTTPS ではありません。")
    return warnings
