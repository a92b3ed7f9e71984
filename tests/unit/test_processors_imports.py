"""processors/ stays pure: no Kafka, S3 or Faust client, and never streams/."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

FORBIDDEN = frozenset(
    {"faust", "confluent_kafka", "aiokafka", "aiobotocore", "botocore", "boto3", "streams"}
)
_PROCESSORS = Path(__file__).resolve().parents[2] / "processors"


def forbidden_imports(source: str, filename: str = "<source>") -> list[str]:
    """Top-level module names from FORBIDDEN that ``source`` imports."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name | ast.Attribute)
            and getattr(node.func, "id", getattr(node.func, "attr", ""))
            in {"import_module", "__import__"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names = [node.args[0].value]
        found += [name for name in names if name.split(".")[0] in FORBIDDEN]
    return found


def _modules() -> list[Path]:
    return sorted(_PROCESSORS.rglob("*.py"))


def test_there_are_modules_to_check() -> None:
    assert len(_modules()) >= 5


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(_PROCESSORS)))
def test_module_imports_nothing_forbidden(path: Path) -> None:
    assert forbidden_imports(path.read_text(), str(path)) == []


@pytest.mark.parametrize(
    "source",
    [
        "import faust",
        "import confluent_kafka.admin as admin",
        "from aiokafka import AIOKafkaConsumer",
        "from aiobotocore.session import get_session",
        "from streams.settings import Settings",
        "def f():\n    import streams.s3",
        "import importlib\nimportlib.import_module('faust')",
    ],
)
def test_checker_catches_forbidden_imports(source: str) -> None:
    assert forbidden_imports(source) != []


def test_checker_allows_ordinary_imports() -> None:
    assert forbidden_imports("import io\nfrom PIL import Image\nfrom ..errors import Skip") == []
