"""The project's shape: one package per lesson with the same named parts, tests that mirror it, short
page files, every page registered in the course, and a core that never imports Streamlit."""
import ast
import importlib
from pathlib import Path

import pytest

from core.lessons import LESSON_PACKAGES
from ui.course import COURSE, available_lessons

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "core"
LESSONS = CORE / "lessons"
PAGES = ROOT / "pages"
MAX_PAGE_LINES = 300  # a page reads like its lesson; long sections go to ui/sections/<lesson>/


def test_core_never_imports_streamlit():
    offenders = []
    for path in CORE.rglob("*.py"):  # subpackages (core/lessons/<lesson>/) included
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] in {"streamlit", "ui"}]
    assert offenders == []


def test_core_lessons_holds_only_lesson_packages_one_per_page():
    assert [p.name for p in LESSONS.glob("*.py")] == ["__init__.py"]
    packages = {p.name for p in LESSONS.iterdir() if (p / "__init__.py").is_file()}
    assert packages == set(LESSON_PACKAGES)
    # each lesson page has its package of the same name, and each package its page
    assert packages == {lesson.url_path for lesson in available_lessons()}


@pytest.mark.parametrize("lesson", LESSON_PACKAGES)
def test_every_lesson_package_has_the_same_named_parts(lesson):
    package = importlib.import_module(f"core.lessons.{lesson}")
    assert package.__doc__ and package.__doc__.startswith("Lesson: ")
    for part in ("config", "experiment", "charts"):
        importlib.import_module(f"core.lessons.{lesson}.{part}")


@pytest.mark.parametrize("lesson", LESSON_PACKAGES)
def test_unit_tests_mirror_the_lesson_packages(lesson):
    tests = ROOT / "tests" / "unit" / lesson
    assert (tests / "__init__.py").is_file() and list(tests.glob("test_*.py"))


def test_no_page_file_is_too_long():
    lengths = {p.name: len(p.read_text().splitlines()) for p in PAGES.glob("*.py")}
    assert {name: n for name, n in lengths.items() if n > MAX_PAGE_LINES} == {}


def test_every_lesson_page_is_registered_in_the_course():
    pages = {p.name for p in PAGES.glob("*.py")} - {"home.py"}
    assert pages == {lesson.file for lesson in available_lessons()}
    assert len({lesson.url_path for lesson in COURSE}) == len(COURSE)
