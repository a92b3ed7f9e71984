"""The registry the dev stack serves: every shipped schema, registered under its topic.

Subjects follow Confluent's TopicNameStrategy, ``<topic>-value``, which is
what stock serializers and deserializers look up. ``photos.timeline`` carries
two record types (``TimelineItemUpserted`` and ``TimelineItemRemoved``) under
its one subject; a Confluent registry would judge the second a breaking change
of the first, so multi-record subjects get compatibility ``NONE``, as they must
on a production registry too. Each record type's evolution is still checked,
version by version, by the contract tests.
"""

from __future__ import annotations

from schemas import TOPIC_RECORDS, CompatibilityLevel, LocalSchemaRegistry, topic_subject

__all__ = ["multi_record_subjects", "preloaded_registry"]


def multi_record_subjects(topic_prefix: str = "") -> list[str]:
    """Subjects that hold more than one record type and so need compatibility NONE."""
    return [
        topic_subject(f"{topic_prefix}{topic}", types[0])
        for topic, types in TOPIC_RECORDS.items()
        if len(types) > 1
    ]


def preloaded_registry(
    topic_prefix: str = "", level: CompatibilityLevel = CompatibilityLevel.FULL
) -> LocalSchemaRegistry:
    """A registry with every version of every topic's records, oldest first.

    Ids are the checked-in manifest's, the same any in-process
    :class:`~schemas.LocalSchemaRegistry` uses.
    """
    registry = LocalSchemaRegistry(level)
    for subject in multi_record_subjects(topic_prefix):
        registry.set_config(CompatibilityLevel.NONE, subject)
    registry.register_topics(prefix=topic_prefix)
    return registry
