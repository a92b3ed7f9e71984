"""The package's public surface and its boundaries."""

from __future__ import annotations

import ast
import pickle
import re
from pathlib import Path

import pytest

import schemas
from schemas import errors
from schemas.deadletter import DEADLETTER_HEADERS

PACKAGE = Path(schemas.__file__).parent
MODULES = sorted(PACKAGE.rglob("*.py"))
FORBIDDEN = {"processors", "streams", "faust", "confluent_kafka", "aiokafka", "aiobotocore"}


def test_all_is_exactly_the_public_names() -> None:
    public = {name for name in vars(schemas) if not name.startswith("_")}
    submodules = {p.stem for p in PACKAGE.iterdir() if p.suffix == ".py" or p.is_dir()}
    assert set(schemas.__all__) == public - submodules - {"annotations"}
    assert len(schemas.__all__) == len(set(schemas.__all__))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_imports_outside_the_contract_layer(path: Path) -> None:
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            assert name.split(".")[0] not in FORBIDDEN, f"{path.name} imports {name}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_stay_small_and_declare_all(path: Path) -> None:
    text = path.read_text()
    assert len(text.splitlines()) < 300
    if path.name != "__main__.py":
        assert "__all__" in text


def test_every_error_has_a_distinct_reason_under_one_root() -> None:
    classes = [getattr(errors, name) for name in errors.__all__]
    assert all(issubclass(cls, errors.SchemaError) for cls in classes)
    reasons = [cls.reason for cls in classes]
    assert len(set(reasons)) == len(reasons)


@pytest.mark.parametrize(
    "error",
    [
        errors.InvalidEvent("size", "must be >= 0"),
        errors.UnknownSchemaId(42),
        errors.CorruptBody("truncated"),
    ],
    ids=repr,
)
def test_errors_survive_pickling(error: errors.SchemaError) -> None:
    # Errors cross process pools on their way to the dead-letter topic.
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert str(copy) == str(error)
    assert vars(copy) == vars(error)


def test_deadletter_headers_are_documented() -> None:
    doc = (PACKAGE / "DEADLETTER.md").read_text()
    documented = re.findall(r"^\| `(ps\.[a-z_.]+)` \|", doc, flags=re.MULTILINE)
    assert documented == list(DEADLETTER_HEADERS)
