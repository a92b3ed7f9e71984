"""Client SDKs: the upload service's producer and the downstream consumer."""

from .consumer import ConsumedEvent, DedupeWindow, EventConsumer
from .producer import Delivery, DeliveryFailed, UploadProducer

__all__ = [
    "ConsumedEvent",
    "DedupeWindow",
    "Delivery",
    "DeliveryFailed",
    "EventConsumer",
    "UploadProducer",
]
