"""The error tree: what streams/ relies on to route a failure."""

from __future__ import annotations

import pickle

import pytest

from processors import errors
from processors.errors import (
    BadInput,
    NeedMoreBytes,
    PhotostreamError,
    Reason,
    Skip,
    TransientError,
    UnreadablePhoto,
)


def test_tree_shape() -> None:
    assert issubclass(UnreadablePhoto, BadInput)
    for branch in (BadInput, TransientError, Skip, NeedMoreBytes):
        assert issubclass(branch, PhotostreamError)
    # Retrying bad input, or dead-lettering a retryable fault, would be a routing bug.
    assert not issubclass(TransientError, BadInput)
    assert not issubclass(NeedMoreBytes, BadInput | TransientError)
    assert not issubclass(Skip, BadInput | TransientError)


def test_every_exception_has_a_docstring_and_a_reason_code() -> None:
    for name in errors.__all__:
        obj = getattr(errors, name)
        if isinstance(obj, type) and issubclass(obj, PhotostreamError):
            assert obj.__doc__ and "\n" not in obj.__doc__.strip()
            assert obj.reason and obj.reason.isidentifier() and obj.reason.islower()


def test_unreadable_photo_carries_reason_and_message() -> None:
    error = UnreadablePhoto(Reason.TRUNCATED, "cut after 100 bytes")
    assert error.reason == "truncated"
    assert str(error) == error.message == "cut after 100 bytes"
    assert UnreadablePhoto("missing_object").reason == "missing_object"


def test_transient_error_takes_a_message() -> None:
    error = TransientError("S3 GET timed out")
    assert (str(error), error.reason) == ("S3 GET timed out", "transient")


@pytest.mark.parametrize(
    "error",
    [
        UnreadablePhoto(Reason.DECOMPRESSION_BOMB, "too many pixels"),
        NeedMoreBytes(70_000),
        TransientError("slow down"),
        Skip("nothing to do"),
    ],
)
def test_errors_survive_a_process_pool(error: PhotostreamError) -> None:
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert (copy.reason, str(copy)) == (error.reason, str(error))
    assert vars(copy) == vars(error)


def test_reason_codes_are_stable_strings() -> None:
    assert {r.value for r in Reason} >= {
        "empty_file",
        "truncated",
        "not_an_image",
        "decompression_bomb",
        "unsupported_format",
    }
