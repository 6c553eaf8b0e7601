"""``nexios.websockets.channels``: channels and named groups (``ChannelBox``), and the channel
layer interface a multi-process layer implements."""

from nexios_core.channels import Channel, ChannelBox, ChannelLayer, InMemoryChannelLayer, PayloadType

__all__ = ["Channel", "ChannelBox", "ChannelLayer", "InMemoryChannelLayer", "PayloadType"]
