"""The course registry: ten lessons in reading order and in groups, stable URL paths, and only the
lessons whose page exists are offered."""
from ui.course import COURSE, GROUPS, PAGES_DIR, available_lessons, course_groups

READING_ORDER = [  # (url path, group): teachers bookmark the paths
    ("basics", "Foundations"), ("activations", "Foundations"), ("losses", "Foundations"),
    ("initialization", "Training deep networks"), ("momentum", "Training deep networks"),
    ("batchnorm", "Training deep networks"), ("residual", "Training deep networks"),
    ("regularization", "Generalization"), ("cnn", "Convolutional networks"), ("transfer", "Convolutional networks"),
]


def test_the_course_is_in_reading_order_and_in_groups():
    assert [(lesson.url_path, lesson.group) for lesson in COURSE] == READING_ORDER
    assert [group for group in dict.fromkeys(lesson.group for lesson in COURSE)] == list(GROUPS)
    for lesson in COURSE:
        assert lesson.file == f"{lesson.url_path}.py" and lesson.icon.startswith(":material/")
        assert lesson.title and lesson.teaches.endswith(".") and len(lesson.teaches) < 250


def test_only_lessons_whose_page_exists_are_available():
    pages = {p.name for p in PAGES_DIR.glob("*.py")}
    assert [lesson.file for lesson in available_lessons()] == [l.file for l in COURSE if l.file in pages]
    assert {"activations.py", "initialization.py", "momentum.py", "batchnorm.py", "cnn.py"} <= {
        lesson.file for lesson in available_lessons()}
    groups = course_groups()
    assert list(groups) == [g for g in GROUPS if g in groups]  # in order, empty groups left out
    assert [lesson for members in groups.values() for lesson in members] == available_lessons()
