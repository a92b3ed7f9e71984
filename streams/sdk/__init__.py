"""Client SDKs: the upload service's producer and the downstream consumer."""

from .consumer import ConsumedEvent, DedupeWindow, EventConsumer
from .producer import Delivery, UploadProducer

__all__ = ["ConsumedEvent", "DedupeWindow", "Delivery", "EventConsumer", "UploadProducer"]
