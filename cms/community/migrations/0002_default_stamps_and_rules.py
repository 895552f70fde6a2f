"""A starting set of stamps and a first version of the community rules, so a new
portal's community works at once; staff change both in the admin."""

from django.db import migrations

STAMPS = [
    ("👍", "いいね"),
    ("🙌", "行ってみたい"),
    ("💡", "参考になった"),
    ("😊", "ほっこり"),
    ("🤝", "応援します"),
]

RULES = """1. このコミュニティは、茨城県に興味のある方、移住した方、地域で活動する方、県・市町村の職員が情報を交換し、交流するための場です。
2. ほかの人を傷つける書き込み、差別的な書き込み、個人を特定できる情報（住所・電話番号など）の書き込み、営業・勧誘を目的とした書き込みは禁止です。
3. 運営（コミュニティマネージャー・県）は、この規約に反する投稿やコメントを、理由を示したうえで非表示または削除することがあります。くり返し反する場合は、投稿を停止することがあります。
4. 投稿した文章と写真の著作権は投稿者にあります。運営は、コミュニティの紹介と県の移住施策の報告のために、個人が分からない形で引用することがあります。
5. 登録いただいた年代・お住まい・地域との関わりは、個人が分からない形での集計と、アンケートの対象選びにだけ使います。
6. この規約を改定したときは、次に投稿するときに改めて同意をお願いします。"""


def create(apps, schema_editor):
    Stamp = apps.get_model("community", "Stamp")
    RulesVersion = apps.get_model("community", "RulesVersion")
    if not Stamp.objects.exists():
        Stamp.objects.bulk_create(
            Stamp(symbol=symbol, label=label, sort_order=n)
            for n, (symbol, label) in enumerate(STAMPS)
        )
    if not RulesVersion.objects.exists():
        RulesVersion.objects.create(title="コミュニティ利用規約", body=RULES)


class Migration(migrations.Migration):
    dependencies = [("community", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
