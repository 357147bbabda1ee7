"""The portal finds the apps' modules by name: an app without the module is skipped, a broken one is not."""

import sys

import pytest

from openness_portal.discovery import app_modules


@pytest.fixture
def apps_on_disk(tmp_path, monkeypatch, settings):
    def write(files: dict[str, str]) -> None:
        for name, text in files.items():
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)

    monkeypatch.syspath_prepend(str(tmp_path))
    settings.PORTAL_APPS = ["lowerapp", "upperapp"]
    yield write
    # The next test writes other apps under the same names.
    for name in [m for m in sys.modules if m.split(".")[0] in settings.PORTAL_APPS]:
        del sys.modules[name]


def test_an_app_without_the_module_is_skipped_and_the_order_is_the_houses(apps_on_disk):
    apps_on_disk(
        {
            "lowerapp/__init__.py": "",
            "lowerapp/demo/__init__.py": "",
            "lowerapp/demo/loader.py": "NAME = 'lower'\n",
            "upperapp/__init__.py": "",
            "upperapp/demo/__init__.py": "",  # a demo package without a loader
        }
    )
    assert [module.NAME for module in app_modules("demo.loader")] == ["lower"]
    assert list(app_modules("tasks")) == []


def test_a_module_that_imports_something_missing_is_an_error_not_an_absent_module(apps_on_disk):
    apps_on_disk(
        {
            "lowerapp/__init__.py": "",
            "lowerapp/tasks.py": "import portal_library_nobody_installed\n",
            "upperapp/__init__.py": "",
        }
    )
    with pytest.raises(ModuleNotFoundError) as broken:
        list(app_modules("tasks"))
    assert broken.value.name == "portal_library_nobody_installed"


def test_a_module_that_fails_while_importing_says_so(apps_on_disk):
    apps_on_disk(
        {
            "lowerapp/__init__.py": "",
            "lowerapp/urls.py": "raise RuntimeError('a typo in the urls')\n",
            "upperapp/__init__.py": "",
        }
    )
    with pytest.raises(RuntimeError, match="a typo in the urls"):
        list(app_modules("urls"))
