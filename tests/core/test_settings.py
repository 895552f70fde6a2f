"""Production mode refuses insecure configuration and passes Django's deploy checks."""

import pytest

from tests.commands import portal

GOOD_PRODUCTION_ENV = {
    "PORTAL_ENV": "production",
    "SECRET_KEY": "k" * 20 + "a-long-random-value-for-tests-only-0123456789",
    "ALLOWED_HOSTS": "cms.example.jp",
    "PORTAL_SITE_URL": "https://iju.example.jp",
}


def test_production_settings_pass_the_deploy_check(tmp_path):
    result = portal(
        "check", "--deploy", env_overrides=GOOD_PRODUCTION_ENV, tmp_path=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("override", "complaint"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"DEBUG": "1"}, "DEBUG"),
        ({"ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS"),
        ({"PORTAL_SITE_URL": "http://iju.example.jp"}, "PORTAL_SITE_URL"),
    ],
)
def test_production_refuses_insecure_values(tmp_path, override, complaint):
    env = {**GOOD_PRODUCTION_ENV, **override}
    if override.get("SECRET_KEY") == "":
        env.pop("SECRET_KEY")
    result = portal("check", env_overrides=env, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "Refusing to start in production" in result.stderr
    assert complaint in result.stderr


def test_demo_loader_refuses_to_run_in_production(tmp_path):
    result = portal("load_demo", env_overrides=GOOD_PRODUCTION_ENV, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "本番環境" in result.stderr
