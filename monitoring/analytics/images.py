"""What an uploaded image really is, read from its bytes, without decoding it.

The type comes from the content signature (never from the file name or the browser's
content type) and the size in pixels from the format's header, so a "decompression
bomb" (a small file that declares a huge canvas) is refused before anything draws it.

Formats: PNG (IHDR), JPEG (the first SOFn frame header), WebP (VP8, VP8L or VP8X).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# JPEG start-of-frame markers that carry the frame size (not DHT C4, JPG C8, DAC CC).
_SOF_MARKERS = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD})


@dataclass(frozen=True)
class ImageInfo:
    content_type: str  # image/png, image/jpeg or image/webp
    extension: str  # .png, .jpg or .webp
    width: int
    height: int

    @property
    def pixels(self) -> int:
        return self.width * self.height


class NotAnImage(ValueError):
    """The bytes are not a PNG, JPEG or WebP image whose size can be read."""


def sniff(head: bytes) -> ImageInfo:
    """The type and size of an image from its first bytes (64 KiB are plenty).

    Raises ``NotAnImage`` for anything else, a truncated header or a 0 × 0 image.
    """
    if head.startswith(PNG_SIGNATURE):
        info = _png(head)
    elif head.startswith(b"\xff\xd8\xff"):
        info = _jpeg(head)
    elif head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        info = _webp(head)
    else:
        raise NotAnImage("unknown signature")
    if info.width <= 0 or info.height <= 0:
        raise NotAnImage("empty image")
    return info


def _png(head: bytes) -> ImageInfo:
    # signature (8), chunk length (4), "IHDR" (4), width (4), height (4)
    if len(head) < 24 or head[12:16] != b"IHDR":
        raise NotAnImage("PNG without IHDR")
    width, height = struct.unpack(">II", head[16:24])
    return ImageInfo("image/png", ".png", width, height)


def _jpeg(head: bytes) -> ImageInfo:
    i = 2
    while i + 4 <= len(head):
        if head[i] != 0xFF:
            raise NotAnImage("JPEG marker expected")
        marker = head[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # no length
            i += 2
            continue
        (length,) = struct.unpack(">H", head[i + 2 : i + 4])
        if length < 2:
            raise NotAnImage("bad JPEG segment")
        if marker in _SOF_MARKERS:
            if i + 9 > len(head):
                break
            height, width = struct.unpack(">HH", head[i + 5 : i + 9])
            return ImageInfo("image/jpeg", ".jpg", width, height)
        if marker in (0xD9, 0xDA):  # end of image, start of scan: no frame header before
            break
        i += 2 + length
    raise NotAnImage("JPEG without a frame header")


def _webp(head: bytes) -> ImageInfo:
    chunk = head[12:16]
    if chunk == b"VP8X" and len(head) >= 30:
        width = 1 + int.from_bytes(head[24:27], "little")
        height = 1 + int.from_bytes(head[27:30], "little")
    elif chunk == b"VP8 " and len(head) >= 30:
        if head[23:26] != b"\x9d\x01\x2a":
            raise NotAnImage("VP8 without its start code")
        width, height = (v & 0x3FFF for v in struct.unpack("<HH", head[26:30]))
    elif chunk == b"VP8L" and len(head) >= 25:
        if head[20] != 0x2F:
            raise NotAnImage("VP8L without its signature")
        bits = int.from_bytes(head[21:25], "little")
        width, height = (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    else:
        raise NotAnImage("WebP without a known chunk")
    return ImageInfo("image/webp", ".webp", width, height)
