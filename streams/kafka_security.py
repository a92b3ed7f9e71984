"""How every Kafka client of a process connects: one set of settings for Faust and confluent-kafka.

Workers use aiokafka (through Faust); the tools, the SDKs and the start-up
probe use confluent-kafka. Both get their TLS and SASL configuration from
here, so a cluster that needs SASL/SCRAM, mutual TLS or MSK IAM is configured
once, through ``PHOTOSTREAM_KAFKA_*``.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from aiokafka.abc import AbstractTokenProvider

from .settings import Settings

if TYPE_CHECKING:
    from faust.types.auth import CredentialsT

__all__ = ["client_config", "confluent_config", "faust_credentials"]

#: The SASL mechanism name that selects MSK IAM (OAUTHBEARER with a signed token).
MSK_IAM = "AWS_MSK_IAM"


def confluent_config(settings: Settings) -> dict[str, Any]:
    """librdkafka settings that reach the cluster: bootstrap servers, TLS and SASL."""
    config: dict[str, Any] = {"bootstrap.servers": settings.bootstrap_servers}
    protocol = settings.kafka_security_protocol
    if protocol == "PLAINTEXT":
        return config
    config["security.protocol"] = protocol
    if protocol in ("SSL", "SASL_SSL"):
        for key, path in (
            ("ssl.ca.location", settings.kafka_ssl_cafile),
            ("ssl.certificate.location", settings.kafka_ssl_certfile),
            ("ssl.key.location", settings.kafka_ssl_keyfile),
        ):
            if path:
                config[key] = path
    if protocol.startswith("SASL"):
        if settings.kafka_sasl_mechanism == MSK_IAM:
            config["sasl.mechanisms"] = "OAUTHBEARER"
            config["oauth_cb"] = _msk_oauth_cb(_msk_region(settings))
        else:
            config["sasl.mechanisms"] = settings.kafka_sasl_mechanism
            config["sasl.username"] = settings.kafka_sasl_username
            config["sasl.password"] = settings.kafka_sasl_password
    return config


def client_config(kafka: str | Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``kafka``: a full client config, or bare bootstrap servers (plaintext)."""
    if isinstance(kafka, str):
        return {"bootstrap.servers": kafka}
    return dict(kafka)


def faust_credentials(settings: Settings) -> CredentialsT | None:
    """Faust's ``broker_credentials`` for the same settings (None: plaintext)."""
    import faust

    protocol = settings.kafka_security_protocol
    if protocol == "PLAINTEXT":
        return None
    context = _ssl_context(settings) if protocol in ("SSL", "SASL_SSL") else None
    if protocol == "SSL":
        assert context is not None
        return faust.SSLCredentials(context)
    if settings.kafka_sasl_mechanism == MSK_IAM:
        return faust.OAuthCredentials(
            oauth_cb=_MskTokenProvider(_msk_region(settings)), ssl_context=context
        )
    credentials = faust.SASLCredentials(
        username=settings.kafka_sasl_username,
        password=settings.kafka_sasl_password,
        mechanism=settings.kafka_sasl_mechanism,
        ssl_context=context,
    )
    if context is None:
        # SASL_PLAINTEXT: Faust infers SASL_SSL only from a context.
        from faust.types.auth import AuthProtocol

        credentials.protocol = AuthProtocol.SASL_PLAINTEXT
    return credentials


def _ssl_context(settings: Settings) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=settings.kafka_ssl_cafile or None)
    if settings.kafka_ssl_certfile:
        context.load_cert_chain(settings.kafka_ssl_certfile, settings.kafka_ssl_keyfile or None)
    return context


def _msk_region(settings: Settings) -> str:
    return settings.kafka_aws_region or settings.s3_region


def _msk_token(region: str) -> tuple[str, float]:
    """A signed MSK IAM token and its expiry in seconds since the epoch."""
    try:
        from aws_msk_iam_sasl_signer import MSKAuthTokenProvider
    except ImportError as exc:  # pragma: no cover - depends on the installed extra
        raise RuntimeError("MSK IAM needs the 'msk' extra: pip install 'photostream[msk]'") from exc
    token, expiry_ms = MSKAuthTokenProvider.generate_auth_token(region)
    return str(token), int(expiry_ms) / 1000


def _msk_oauth_cb(region: str) -> Callable[[str], tuple[str, float]]:
    def oauth_cb(_config: str) -> tuple[str, float]:
        return _msk_token(region)

    return oauth_cb


class _MskTokenProvider(AbstractTokenProvider):  # type: ignore[misc]
    """aiokafka's token provider, answered with MSK IAM tokens."""

    def __init__(self, region: str) -> None:
        self._region = region
        self._token = ""
        self._expires_at = 0.0

    async def token(self) -> str:
        # Tokens live 15 minutes; renew a minute early.
        if time.time() > self._expires_at - 60:
            self._token, self._expires_at = _msk_token(self._region)
        return self._token

    def extensions(self) -> dict[str, str]:
        return {}
