"""The Windows installer's recipe (scripts/build_windows_installer.py and
resources/windows/villagehelper.nsi): the uninstaller removes exactly what was installed,
and the install folder and the app's data folder on Windows never overlap.

The installer itself is compiled and run under wine by scripts/check_windows.sh (.ci/run),
and on Windows by .github/workflows/windows-installer.yml."""

from __future__ import annotations

import re
import sys
from pathlib import Path, PureWindowsPath

import pytest
from platformdirs.windows import Windows

from villagehelper import paths

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import build_windows_installer as installer  # noqa: E402

LOCAL_APPDATA = r"C:\Users\Bà Hoa\AppData\Local"


def _bundle(tmp_path: Path) -> Path:
    bundle = tmp_path / "VillageHelper"
    (bundle / "_internal" / "PySide6" / "plugins").mkdir(parents=True)
    (bundle / "_internal" / "PySide6" / "plugins" / "qoffscreen.dll").write_bytes(b"")
    for name in ("villagehelper.exe", "villagehelper-app.exe", "base$lib.zip"):
        (bundle / name).write_bytes(b"")
    (bundle / "Thư mục có dấu cách").mkdir()
    return bundle


def _named(lines: list[str], pattern: str) -> set[str]:
    return {match.group(1) for line in lines if (match := re.match(pattern, line))}


def test_the_uninstaller_removes_exactly_what_the_installer_put_there(tmp_path: Path) -> None:
    bundle = _bundle(tmp_path)
    installs = installer.install_lines(bundle)
    removes = installer.remove_lines(bundle)
    installed_files = {
        Path(path.replace("$$", "$")).name for path in _named(installs, r'File "(.*)"')
    }
    installed_dirs = _named(installs, r'SetOutPath "\$INSTDIR\\(.+)"')
    assert installed_files == {"villagehelper.exe", "villagehelper-app.exe", "base$lib.zip"}
    assert installed_dirs == {"_internal", "Thư mục có dấu cách"}
    assert _named(removes, r'Delete "\$INSTDIR\\(.+)"') == {
        name.replace("$", "$$") for name in installed_files
    }
    assert _named(removes, r'RMDir /r "\$INSTDIR\\(.+)"') == installed_dirs
    # Never the install folder as a whole: it may be a folder the person chose.
    assert not [line for line in removes if re.fullmatch(r'RMDir /r "\$INSTDIR\\?"', line)]


def test_a_dollar_in_a_name_is_not_taken_for_an_nsis_variable(tmp_path: Path) -> None:
    lines = installer.install_lines(_bundle(tmp_path)) + installer.remove_lines(
        _bundle(tmp_path / "again")
    )
    named = [line for line in lines if "lib.zip" in line]
    assert named and all("base$$lib.zip" in line for line in named)


def test_an_empty_folder_is_made_without_copying_from_it(tmp_path: Path) -> None:
    bundle = _bundle(tmp_path)
    (bundle / "plugins-none").mkdir()
    lines = installer.install_lines(bundle)
    assert 'SetOutPath "$INSTDIR\\plugins-none"' in lines
    assert not [line for line in lines if "plugins-none" in line and line.startswith("File")]


def test_a_folder_without_the_two_programs_is_refused_by_name(tmp_path: Path) -> None:
    bundle = _bundle(tmp_path)
    (bundle / "villagehelper-app.exe").unlink()
    with pytest.raises(SystemExit, match=r"villagehelper-app\.exe missing"):
        installer.check_bundle(bundle)


@pytest.mark.parametrize(
    ("version", "quad"),
    [("0.1.0", "0.1.0.0"), ("1.2.3rc1", "1.2.3.0"), ("2", "2.0.0.0"), ("1.2.3.4.5", "1.2.3.4")],
)
def test_the_windows_file_version_has_four_numbers(version: str, quad: str) -> None:
    assert installer.version_quad(version) == quad


def _recipe_define(name: str) -> str:
    text = installer.RECIPE.read_text(encoding="utf-8")
    found = re.search(rf'^!define {name} "(.+)"$', text, re.MULTILINE)
    assert found, f"{name} is not defined in {installer.RECIPE.name}"
    return found.group(1)


def _install_dir() -> str:
    text = installer.RECIPE.read_text(encoding="utf-8")
    found = re.search(r'^InstallDir "(.+)"$', text, re.MULTILINE)
    assert found
    return found.group(1)


def test_the_recipe_keeps_the_data_folder_the_app_uses_on_windows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The app's data folder on Windows, as villagehelper/paths.py asks platformdirs for
    it, is the one the installer refuses to install into and the uninstaller keeps."""
    known = {"CSIDL_LOCAL_APPDATA": LOCAL_APPDATA, "CSIDL_APPDATA": r"C:\Users\Bà Hoa\Roaming"}
    monkeypatch.setattr("platformdirs.windows.get_win_folder", known.__getitem__)
    monkeypatch.setattr(paths, "user_data_dir", lambda *a, **kw: Windows(*a, **kw).user_data_dir)
    monkeypatch.delenv(paths.DATA_DIR_ENV, raising=False)
    app_data = PureWindowsPath(str(paths.resolve_data_dir()).replace("/", "\\"))
    recipe_data = PureWindowsPath(
        _recipe_define("DATA_DIR").replace("$LOCALAPPDATA", LOCAL_APPDATA)
    )
    assert app_data == recipe_data

    install_dir = PureWindowsPath(_install_dir().replace("$LOCALAPPDATA", LOCAL_APPDATA))
    assert not install_dir.is_relative_to(app_data)
    assert not app_data.is_relative_to(install_dir)
