from __future__ import annotations

import ssl
from datetime import UTC, datetime, timedelta
from pathlib import Path

import faust
import pytest
from faust.transport.drivers.aiokafka import credentials_to_aiokafka_auth

from streams.kafka_security import confluent_config, faust_credentials
from streams.settings import Settings, SettingsError


def _scram(**changes: object) -> Settings:
    env = {
        "PHOTOSTREAM_BOOTSTRAP_SERVERS": "b-1.kafka:9096",
        "PHOTOSTREAM_KAFKA_SECURITY_PROTOCOL": "sasl_ssl",
        "PHOTOSTREAM_KAFKA_SASL_MECHANISM": "scram-sha-512",
        "PHOTOSTREAM_KAFKA_SASL_USERNAME": "photostream",
        "PHOTOSTREAM_KAFKA_SASL_PASSWORD": "s3cret",
    }
    return Settings.from_env(env).with_changes(**changes)


def test_plaintext_is_the_default_for_both_client_libraries() -> None:
    settings = Settings()
    assert confluent_config(settings) == {"bootstrap.servers": "127.0.0.1:9092"}
    assert faust_credentials(settings) is None


def test_sasl_scram_over_tls_reaches_librdkafka_and_aiokafka_alike() -> None:
    settings = _scram()
    assert confluent_config(settings) == {
        "bootstrap.servers": "b-1.kafka:9096",
        "security.protocol": "SASL_SSL",
        "sasl.mechanisms": "SCRAM-SHA-512",
        "sasl.username": "photostream",
        "sasl.password": "s3cret",
    }
    auth = credentials_to_aiokafka_auth(faust_credentials(settings))
    assert auth["security_protocol"] == "SASL_SSL"
    assert auth["sasl_mechanism"] == "SCRAM-SHA-512"
    assert (auth["sasl_plain_username"], auth["sasl_plain_password"]) == ("photostream", "s3cret")
    assert isinstance(auth["ssl_context"], ssl.SSLContext)
    # The settings survive the trip to a worker process.
    assert Settings.from_env(settings.to_env()) == settings


def test_sasl_without_tls_stays_plaintext_on_the_wire() -> None:
    auth = credentials_to_aiokafka_auth(
        faust_credentials(_scram(kafka_security_protocol="SASL_PLAINTEXT"))
    )
    assert auth["security_protocol"] == "SASL_PLAINTEXT"
    assert auth["ssl_context"] is None


def _self_signed(directory: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    private = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "photostream")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(days=1))
        .sign(private, hashes.SHA256())
    )
    key, cert = directory / "client.key", directory / "client.pem"
    key.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return key, cert


def test_mutual_tls_loads_the_client_certificate(tmp_path: Path) -> None:
    key, cert = _self_signed(tmp_path)
    settings = Settings(
        kafka_security_protocol="SSL",
        kafka_ssl_cafile=str(cert),
        kafka_ssl_certfile=str(cert),
        kafka_ssl_keyfile=str(key),
    )
    assert confluent_config(settings)["ssl.certificate.location"] == str(cert)
    credentials = faust_credentials(settings)
    assert isinstance(credentials, faust.SSLCredentials)
    assert credentials_to_aiokafka_auth(credentials)["security_protocol"] == "SSL"


def test_msk_iam_signs_tokens_through_oauthbearer() -> None:
    settings = _scram(kafka_sasl_mechanism="AWS_MSK_IAM", kafka_aws_region="eu-west-1")
    config = confluent_config(settings)
    assert config["sasl.mechanisms"] == "OAUTHBEARER"
    assert callable(config["oauth_cb"])
    auth = credentials_to_aiokafka_auth(faust_credentials(settings))
    assert auth["sasl_mechanism"] == "OAUTHBEARER"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"PHOTOSTREAM_KAFKA_SECURITY_PROTOCOL": "TLS"}, "kafka_security_protocol"),
        ({"PHOTOSTREAM_KAFKA_SASL_MECHANISM": "KERBEROS"}, "kafka_sasl_mechanism"),
        ({"PHOTOSTREAM_KAFKA_SASL_PASSWORD": ""}, "username and kafka_sasl_password"),
    ],
)
def test_incomplete_or_unknown_security_settings_are_refused(
    changes: dict[str, str], message: str
) -> None:
    env = {
        "PHOTOSTREAM_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
        "PHOTOSTREAM_KAFKA_SASL_USERNAME": "u",
        "PHOTOSTREAM_KAFKA_SASL_PASSWORD": "p",
        **changes,
    }
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(env)
