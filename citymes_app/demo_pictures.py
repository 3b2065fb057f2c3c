"""The demo's photos: what citizens of the demo town photograph (a street light out, rubbish left by a container, a
pothole), drawn as small PNG files with the standard library.

Pillow is not one of the project's dependencies, and a demo is no reason to add one: a PNG is a zlib-compressed list
of pixel rows in a few checksummed chunks, which `png` writes. The drawings are deterministic (a seed for the grain),
so every demo database has the same pictures.
"""

from __future__ import annotations

import random
import struct
import zlib
from collections.abc import Callable

Colour = tuple[int, int, int]
WIDTH, HEIGHT = 480, 360


def png(width: int, height: int, rgb: bytes | bytearray) -> bytes:
    """A PNG image of `width` × `height` pixels from their RGB bytes, row by row (8 bits a channel, no alpha)."""
    if len(rgb) != width * height * 3:
        raise ValueError(f"{width}×{height} pixels need {width * height * 3} bytes, not {len(rgb)}")
    stride = width * 3
    # Each row starts with its filter type: 0, none.
    raw = b"".join(b"\x00" + bytes(rgb[y * stride : (y + 1) * stride]) for y in range(height))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit truecolour, no interlace
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


class Canvas:
    """RGB pixels to paint on with a few shapes, then `png()`."""

    def __init__(self, width: int = WIDTH, height: int = HEIGHT, background: Colour = (0, 0, 0)) -> None:
        self.width, self.height = width, height
        self.pixels = bytearray(bytes(background) * (width * height))

    def rows(self, top: int, bottom: int, colour_of: Callable[[int], Colour]) -> None:
        """Fill whole rows from `top` to `bottom` (excluded), each in the colour `colour_of(y)` gives (a gradient)."""
        for y in range(max(0, top), min(self.height, bottom)):
            self.rect(0, y, self.width, y + 1, colour_of(y))

    def rect(self, left: int, top: int, right: int, bottom: int, colour: Colour) -> None:
        """Fill a rectangle (right and bottom excluded), clipped to the canvas."""
        left, right = max(0, left), min(self.width, right)
        if right <= left:
            return
        line = bytes(colour) * (right - left)
        for y in range(max(0, top), min(self.height, bottom)):
            start = (y * self.width + left) * 3
            self.pixels[start : start + len(line)] = line

    def ellipse(self, cx: float, cy: float, rx: float, ry: float, colour: Colour) -> None:
        """Fill an ellipse centred on (`cx`, `cy`) with radii `rx` and `ry`."""
        for y in range(int(cy - ry), int(cy + ry) + 1):
            share = 1 - ((y - cy) / ry) ** 2
            if share >= 0:
                half = rx * share**0.5
                self.rect(round(cx - half), y, round(cx + half) + 1, y + 1, colour)

    def grain(self, top: int, bottom: int, seed: int, amount: int = 14) -> None:
        """Lighten or darken some pixels of rows `top`–`bottom` a little at random (asphalt, pavement)."""
        rng = random.Random(seed)
        for y in range(max(0, top), min(self.height, bottom)):
            for x in rng.sample(range(self.width), self.width // 4):
                shift = rng.randint(-amount, amount)
                start = (y * self.width + x) * 3
                pixel = self.pixels[start : start + 3]
                self.pixels[start : start + 3] = bytes(max(0, min(255, value + shift)) for value in pixel)

    def png(self) -> bytes:
        """The picture as a PNG file."""
        return png(self.width, self.height, self.pixels)


def _blend(top: Colour, bottom: Colour, share: float) -> Colour:
    r, g, b = (round(a + (z - a) * share) for a, z in zip(top, bottom, strict=True))
    return r, g, b


def street_light_out() -> bytes:
    """A street at night: lit windows in the blocks, one street light shining far off, the near one dark."""
    canvas = Canvas()
    canvas.rows(0, 230, lambda y: _blend((12, 18, 48), (48, 58, 96), y / 230))
    for left, top, right in ((0, 60, 150), (150, 100, 300), (300, 40, 480)):  # the blocks of flats
        canvas.rect(left, top, right, 250, (30, 30, 38))
        for x in range(left + 14, right - 20, 34):
            for y in range(top + 16, 230, 40):
                lit = (x * 7 + y * 3) % 5 < 2
                canvas.rect(x, y, x + 16, y + 22, (236, 196, 110) if lit else (44, 46, 58))
    canvas.rows(250, 360, lambda y: _blend((52, 52, 58), (78, 78, 84), (y - 250) / 110))
    canvas.grain(250, 360, seed=1, amount=8)
    canvas.rect(0, 244, 480, 252, (96, 96, 100))  # the kerb
    # The far light, still working, and its pool of light on the road.
    canvas.ellipse(410, 300, 70, 18, (112, 104, 80))
    canvas.rect(406, 120, 412, 250, (70, 70, 74))
    canvas.ellipse(398, 122, 20, 7, (255, 236, 160))
    # The near one, out: a dark lamp on its pole.
    canvas.rect(150, 40, 160, 340, (84, 88, 92))
    canvas.rect(150, 40, 214, 48, (84, 88, 92))
    canvas.ellipse(210, 52, 26, 10, (58, 60, 64))
    canvas.ellipse(210, 56, 18, 4, (36, 38, 42))
    return canvas.png()


def rubbish_by_container() -> bytes:
    """Bags, a box and an old chair left beside a full green container on the pavement, by daylight."""
    canvas = Canvas()
    canvas.rows(0, 150, lambda y: _blend((150, 196, 236), (206, 226, 242), y / 150))
    canvas.rect(0, 60, 480, 170, (214, 196, 170))  # a house front
    for x in (40, 180, 320):
        canvas.rect(x, 84, x + 70, 150, (120, 86, 60))  # shuttered windows
    canvas.rows(170, 360, lambda y: _blend((170, 166, 158), (196, 192, 184), (y - 170) / 190))
    canvas.grain(170, 360, seed=2, amount=10)
    canvas.rect(60, 150, 250, 290, (34, 120, 64))  # the container, its lid and wheels
    canvas.rect(54, 142, 256, 158, (26, 96, 50))
    canvas.rect(70, 190, 240, 196, (28, 104, 56))
    canvas.ellipse(84, 292, 10, 10, (30, 30, 30))
    canvas.ellipse(226, 292, 10, 10, (30, 30, 30))
    for cx, cy, rx, ry, colour in (
        (290, 292, 40, 34, (36, 36, 40)),
        (338, 304, 34, 28, (58, 58, 64)),
        (270, 318, 30, 22, (46, 46, 52)),
        (120, 318, 36, 24, (40, 40, 46)),
    ):
        canvas.ellipse(cx, cy, rx, ry, colour)  # rubbish bags
        canvas.ellipse(cx - rx / 3, cy - ry / 2, rx / 4, ry / 5, (90, 90, 98))  # a shine on the plastic
    canvas.rect(372, 250, 452, 322, (176, 134, 84))  # a cardboard box
    canvas.rect(372, 250, 452, 258, (150, 112, 70))
    canvas.rect(404, 250, 412, 322, (196, 170, 120))  # its tape
    canvas.rect(180, 236, 230, 300, (110, 70, 40))  # an old chair against the container
    canvas.rect(180, 296, 186, 336, (90, 56, 30))
    canvas.rect(224, 296, 230, 336, (90, 56, 30))
    return canvas.png()


def pothole() -> bytes:
    """A deep pothole in a road's asphalt, next to its dashed centre line, with a drain by the kerb."""
    canvas = Canvas()
    canvas.rows(0, 360, lambda y: _blend((84, 84, 88), (112, 110, 112), y / 360))
    canvas.grain(0, 360, seed=3, amount=16)
    for y in range(-20, 360, 90):
        canvas.rect(226, y, 246, y + 54, (232, 230, 220))  # the centre line
    canvas.rect(0, 0, 34, 360, (180, 176, 168))  # the kerb
    canvas.rect(40, 250, 92, 296, (44, 44, 46))  # the drain
    for y in range(256, 292, 8):
        canvas.rect(44, y, 88, y + 3, (20, 20, 22))
    canvas.ellipse(346, 214, 104, 58, (124, 118, 108))  # broken edge, dust
    canvas.ellipse(346, 216, 90, 48, (58, 52, 46))
    canvas.ellipse(350, 222, 70, 34, (34, 30, 28))
    canvas.ellipse(364, 236, 34, 12, (70, 88, 104))  # rain water at the bottom
    for cx, cy in ((262, 196), (438, 236), (330, 286), (400, 166)):
        canvas.ellipse(cx, cy, 9, 6, (70, 68, 66))  # loose gravel
    return canvas.png()
