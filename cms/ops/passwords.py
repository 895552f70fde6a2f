"""Password policy for production: besides Django's length, similarity, common and
numeric checks, a password mixes at least three kinds of characters."""

import string

from django.core.exceptions import ValidationError

CLASSES = (
    string.ascii_lowercase,
    string.ascii_uppercase,
    string.digits,
)


def character_classes(password: str) -> int:
    kinds = sum(any(c in chars for c in password) for chars in CLASSES)
    # Anything else (symbols, kana, kanji, full-width letters) counts as one more kind.
    if any(not any(c in chars for chars in CLASSES) for c in password):
        kinds += 1
    return kinds


class CharacterClassValidator:
    minimum = 3

    def validate(self, password, user=None):
        if character_classes(password) < self.minimum:
            raise ValidationError(
                "パスワードには英小文字・英大文字・数字・記号のうち3種類以上を含めてください。",
                code="password_too_simple",
            )

    def get_help_text(self):
        return "英小文字・英大文字・数字・記号のうち3種類以上を含めてください。"
