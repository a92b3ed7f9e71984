"""An embedded, Confluent-compatible Schema Registry over :class:`schemas.LocalSchemaRegistry`.

No Confluent-compatible registry installs on the dev machines, so the dev
stack serves the checked-in schemas itself, with the REST calls standard
clients make (``confluent_kafka.schema_registry``, Kafka tools)::

    POST /subjects/{subject}/versions                       register -> {"id"}
    POST /subjects/{subject}                                look up a schema's version
    GET  /schemas/ids/{id}[/schema]                         a schema by id
    GET  /subjects[/{subject}/versions[/{version|latest}]]  subjects and versions
    POST /compatibility/subjects/{subject}/versions[/{v}]   {"is_compatible", "messages"}
    GET|PUT /config[/{subject}], DELETE /config/{subject}    compatibility levels

Errors carry Confluent's codes: 40401 subject, 40402 version, 40403 schema
not found, 40408 no subject-level config, 409 incompatible, 42201 invalid
schema, 42202 invalid version, 42203 invalid compatibility level.
``python -m streams.registry_server --port N`` runs one.
"""

from ._api import ApiError, RegistryApi, Reply
from ._http import CONTENT_TYPE, RegistryServer
from ._preload import multi_record_subjects, preloaded_registry

__all__ = [
    "CONTENT_TYPE",
    "ApiError",
    "RegistryApi",
    "RegistryServer",
    "Reply",
    "multi_record_subjects",
    "preloaded_registry",
]
