#!/usr/bin/env python3
"""Draws the app's PNG icons (web/icons/icon-192.png, icon-512.png and the
full-bleed icon-maskable-512.png) with the geometry of web/icons/icon.svg,
with nothing but the standard library. Run it after changing the SVG:
python3 .ci/icons.py"""

import struct
import zlib
from pathlib import Path

GREEN = (0x1F, 0x7A, 0x4D)
WHITE = (0xFF, 0xFF, 0xFF)
MINT = (0x9F, 0xE0, 0xB8)


def in_rounded(x, y, x0, y0, x1, y1, r):
    if not (x0 <= x <= x1 and y0 <= y <= y1):
        return False
    cx = min(max(x, x0 + r), x1 - r)
    cy = min(max(y, y0 + r), y1 - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def colour_at(x, y, corner):
    """The icon's colour at (x, y) of its 512 x 512 box, or None (transparent)."""
    if not in_rounded(x, y, 0, 0, 512, 512, corner):
        return None
    if 227 <= x <= 285 and 227 <= y <= 285:
        return MINT
    # The grid's frame: a 256 px square with rounded corners, stroked 28 px wide.
    if in_rounded(x, y, 114, 114, 398, 398, 26) and not (142 < x < 370 and 142 < y < 370):
        return WHITE
    for a, b in ((x, y), (y, x)):
        if (199 <= a <= 227 or 285 <= a <= 313) and 128 <= b <= 384:
            return WHITE
    return GREEN


def draw(size, corner, samples=4):
    scale = 512 / size
    rows = []
    for py in range(size):
        row = bytearray([0])  # PNG filter: none
        for px in range(size):
            acc = [0, 0, 0, 0]
            for sy in range(samples):
                for sx in range(samples):
                    c = colour_at((px + (sx + 0.5) / samples) * scale, (py + (sy + 0.5) / samples) * scale, corner)
                    if c:
                        acc[0] += c[0]
                        acc[1] += c[1]
                        acc[2] += c[2]
                        acc[3] += 1
            n = acc[3]
            if n:
                row += bytes((round(acc[0] / n), round(acc[1] / n), round(acc[2] / n), round(255 * n / samples**2)))
            else:
                row += bytes(4)
        rows.append(bytes(row))
    return png(size, b"".join(rows))


def png(size, raw):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


if __name__ == "__main__":
    out = Path(__file__).resolve().parent.parent / "web" / "icons"
    for name, size, corner in (("icon-192.png", 192, 96), ("icon-512.png", 512, 96), ("icon-maskable-512.png", 512, 0)):
        (out / name).write_bytes(draw(size, corner))
        print(out / name)
