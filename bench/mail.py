"""``portal bench mail``: a campaign to 20,000 recipients rendered, DKIM-signed
and delivered to a local SMTP server (aiosmtpd) that the benchmark starts.

Builds a throw-away database (SQLite in a temporary folder, or ``--database-url``),
migrates it, adds ``--count`` subscribers and one campaign (Markdown body with
links, template, legal footer, tracking), then starts the SMTP server in its own
process and ``--workers`` sending processes that run the real send loop
(``cms.mailing.sending.send_campaign``: claimed batches, per-recipient state, one
SMTP connection each). Runs once with application-level DKIM and once without
(an MTA or SES may sign instead), unless ``--dkim only|off``.

Reports messages/s, messages the server received, duplicates and missing
recipients (both must be 0), and the peak RSS of each sender (memory must not grow
with the list). Target (issue 8): ≥ 300 messages/s on this machine.
"""

import json
import multiprocessing
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_RATE = 300

SEED = """
import django, json
django.setup()
from django.utils import timezone
from cms.mailing.models import Campaign, CampaignStatus, Interest, MailTemplate, Subscriber
from cms.mailing.sending import prepare_deliveries
count = COUNT
interests = [Interest.objects.get_or_create(name=n)[0] for n in ("就農", "子育て", "空き家")]
prefectures = ["東京都", "神奈川県", "埼玉県", "千葉県"]
batch = []
for n in range(count):
    batch.append(Subscriber(email=f"user{n:06d}@bench.example.jp", name=f"利用者{n:06d}",
        prefecture=prefectures[n % 4], birth_year=1960 + n % 45, status="active",
        consent_at=timezone.now(), consent_method="import"))
    if len(batch) == 2000:
        Subscriber.objects.bulk_create(batch); batch = []
Subscriber.objects.bulk_create(batch)
template = MailTemplate.objects.create(name="標準", header="**いばらき移住ポータル** だより",
    footer="ご相談はお気軽にどうぞ。", is_default=True)
body = "{{ name }}様\\n\\n" + "茨城への移住を考える方のための相談会を開きます。\\n\\n" * 8 + (
    "- 日時: 12月14日（土）10:00〜16:00\\n- 会場: 東京交通会館\\n\\n"
    "[申し込みはこちら](https://iju.example.jp/events/42/)\\n\\n"
    "[支援制度の一覧](https://iju.example.jp/support/)\\n")
ids = []
for label in ("dkim", "plain"):
    campaign = Campaign.objects.create(name=f"bench-{label}", subject="{{ name }}様 移住相談会のご案内",
        body_markdown=body, template=template, status=CampaignStatus.SENDING)
    prepare_deliveries(campaign)
    ids.append(campaign.pk)
print(json.dumps({"campaigns": ids}))
"""

WORKER = """
import django, json, resource, time
django.setup()
from cms.mailing.sending import send_campaign
started = time.monotonic()
result = send_campaign(CAMPAIGN, rate=0, batch_size=BATCH, connections=CONNECTIONS)
print(json.dumps({"sent": result.sent, "paused": result.paused, "error": result.error,
    "seconds": time.monotonic() - started,
    "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def add_arguments(parser):
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2, help="sending processes")
    parser.add_argument("--batch", type=int, default=200, help="deliveries per claim")
    parser.add_argument(
        "--connections", type=int, default=2, help="SMTP connections per sender"
    )
    parser.add_argument("--dkim", choices=["both", "only", "off"], default="both")
    parser.add_argument(
        "--database-url", default="", help="default: SQLite in a temporary folder"
    )


def _smtp_server(port, counter, ready, stop):
    """The receiving side: a real aiosmtpd server in its own process."""
    import logging

    from aiosmtpd.controller import Controller

    # aiosmtpd logs every SMTP command at INFO: that alone costs more CPU than
    # receiving the messages.
    logging.getLogger("mail.log").setLevel(logging.WARNING)

    seen: dict[str, int] = {}

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            for rcpt in envelope.rcpt_tos:
                seen[rcpt] = seen.get(rcpt, 0) + 1
            with counter.get_lock():
                counter.value += 1
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()
    duplicates = sum(n - 1 for n in seen.values() if n > 1)
    Path(os.environ["BENCH_SMTP_REPORT"]).write_text(
        json.dumps({"unique": len(seen), "duplicates": duplicates})
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _env(database_url, port, var_dir, key_file=None) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="cms.settings",
        DATABASE_URL=database_url,
        PORTAL_VAR_DIR=str(var_dir),
        DEBUG="0",
        LOG_LEVEL="WARNING",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(port),
        EMAIL_USE_TLS="0",
        MAILING_FROM_EMAIL="news@iju.example.jp",
        MAILING_PUBLIC_URL="https://iju.example.jp",
        MAILING_SENDER_NAME="茨城県 計画推進課",
        MAILING_SENDER_ADDRESS="〒310-8555 茨城県水戸市笠原町978番6",
    )
    for name in (
        "MAILING_DKIM_DOMAIN",
        "MAILING_DKIM_SELECTOR",
        "MAILING_DKIM_PRIVATE_KEY_FILE",
    ):
        env.pop(name, None)
    if key_file:
        env.update(
            MAILING_DKIM_DOMAIN="iju.example.jp",
            MAILING_DKIM_SELECTOR="bench",
            MAILING_DKIM_PRIVATE_KEY_FILE=str(key_file),
        )
    return env


def _python(code: str, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", code],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _run_campaign(label, campaign_id, args, database_url, var_dir, key_file):
    port = _free_port()
    report_file = Path(var_dir) / f"smtp-{label}.json"
    os.environ["BENCH_SMTP_REPORT"] = str(report_file)
    context = multiprocessing.get_context("fork")
    counter = context.Value("i", 0)
    ready, stop = context.Event(), context.Event()
    server = context.Process(target=_smtp_server, args=(port, counter, ready, stop))
    server.start()
    ready.wait(10)
    env = _env(database_url, port, var_dir, key_file)
    code = (
        WORKER.replace("CAMPAIGN", str(campaign_id))
        .replace("BATCH", str(args.batch))
        .replace("CONNECTIONS", str(args.connections))
    )
    started = time.monotonic()
    workers = [_python(code, env) for _ in range(args.workers)]
    outputs = []
    for worker in workers:
        out, err = worker.communicate()
        if worker.returncode != 0:
            stop.set()
            server.join(10)
            raise RuntimeError(f"sender failed: {err[-2000:]}")
        outputs.append(json.loads(out.strip().splitlines()[-1]))
    seconds = time.monotonic() - started
    stop.set()
    server.join(30)
    smtp = json.loads(report_file.read_text())
    received = counter.value
    rate = received / seconds if seconds else 0
    print(
        f"{label}: {received} messages in {seconds:.1f} s = {rate:.0f}/s "
        f"({args.workers}×{args.connections} connections; duplicates {smtp['duplicates']}, "
        f"missing {args.count - smtp['unique']}; peak RSS "
        f"{max(o['max_rss_mb'] for o in outputs):.0f} MB)",
        flush=True,
    )
    return {
        "messages": received,
        "seconds": round(seconds, 2),
        "rate_per_s": round(rate, 1),
        "duplicates": smtp["duplicates"],
        "missing": args.count - smtp["unique"],
        "sender_peak_rss_mb": round(max(o["max_rss_mb"] for o in outputs), 1),
        "paused": any(o["paused"] for o in outputs),
        "sender_seconds": round(max(o["seconds"] for o in outputs), 2),
        # Without the senders' start-up (Django set-up, imports), which the wall
        # clock rate above includes.
        "rate_while_sending_per_s": round(
            received / max(o["seconds"] for o in outputs), 1
        ),
        "load_average_after": round(os.getloadavg()[0], 2),
        "meets_target": rate >= TARGET_RATE,
    }


def run(args) -> dict:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    with tempfile.TemporaryDirectory(prefix="bench-mailing-") as var_dir:
        database_url = args.database_url or f"sqlite:///{var_dir}/bench.sqlite3"
        key_file = Path(var_dir) / "dkim.pem"
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.TraditionalOpenSSL,
                serialization.NoEncryption(),
            )
        )
        env = _env(database_url, 25, var_dir)
        print("migrating a throw-away database…", flush=True)
        subprocess.run(
            [sys.executable, "-m", "cms.cli", "migrate", "--noinput", "-v", "0"],
            env=env,
            cwd=ROOT,
            check=True,
        )
        print(f"adding {args.count} subscribers and the campaigns…", flush=True)
        seed = _python(SEED.replace("COUNT", str(args.count)), env)
        out, err = seed.communicate()
        if seed.returncode != 0:
            raise RuntimeError(err[-2000:])
        dkim_campaign, plain_campaign = json.loads(out.strip().splitlines()[-1])[
            "campaigns"
        ]
        summary = {
            "recipients": args.count,
            "workers": args.workers,
            "connections_per_worker": args.connections,
            "load_average_before": round(os.getloadavg()[0], 2),
            "target_per_s": TARGET_RATE,
            "database": "sqlite" if not args.database_url else "custom",
        }
        if args.dkim in {"both", "only"}:
            summary["with_dkim"] = _run_campaign(
                "with DKIM", dkim_campaign, args, database_url, var_dir, key_file
            )
        if args.dkim in {"both", "off"}:
            summary["without_dkim"] = _run_campaign(
                "without DKIM", plain_campaign, args, database_url, var_dir, None
            )
    return summary
