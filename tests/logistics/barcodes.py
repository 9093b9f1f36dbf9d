"""Read Code 128 barcodes back out of a PDF page: bars from the content stream, symbols from python-barcode's table.

The decoder shares nothing with reportlab (which draws them): widths come from the PDF's
rectangles, the pattern table from the python-barcode package.
"""

import io

from barcode.charsets import code128 as table
from pypdf import PdfReader
from pypdf.generic import ContentStream

PATTERNS = {bits: value for value, bits in enumerate(table.CODES)}
START_B, START_C, TO_B, TO_C = 104, 105, 100, 99
STOP = table.STOP + "11"  # the stop symbol and its two-module termination bar


def _bar_groups(reader: PdfReader, page) -> list[list[tuple[float, float]]]:
    """Rectangles (x, width) drawn in each saved graphics state: one group per barcode."""
    groups, current, depth = [], None, 0
    for operands, operator in ContentStream(page.get_contents(), reader).operations:
        if operator == b"q":
            depth += 1
            current = [] if depth == 1 else current
        elif operator == b"Q":
            depth -= 1
            if depth == 0 and current:
                groups.append(sorted(current))
        elif operator == b"re" and current is not None:
            x, _y, width, _height = (float(value) for value in operands)
            current.append((x, width))
    return groups


def _bits(bars: list[tuple[float, float]]) -> str:
    module = min(width for _x, width in bars)
    bits, end = "", bars[0][0]
    for x, width in bars:
        bits += "0" * round((x - end) / module) + "1" * round(width / module)
        end = x + width
    return bits


def _decode(bits: str) -> str:
    if not bits.endswith(STOP):
        raise ValueError("no stop pattern")
    body = bits[: -len(STOP)]
    values = [PATTERNS[body[i : i + 11]] for i in range(0, len(body), 11)]
    *data, check = values
    if (data[0] + sum(i * v for i, v in enumerate(data[1:], start=1))) % 103 != check:
        raise ValueError("checksum mismatch")
    code_b = {value: char for char, value in table.B.items() if len(char) == 1}
    text, mode = "", {START_B: "B", START_C: "C"}[data[0]]
    for value in data[1:]:
        if value == TO_C:
            mode = "C"
        elif value == TO_B:
            mode = "B"
        else:
            text += f"{value:02d}" if mode == "C" else code_b[value]
    return text


def barcodes_in(pdf: bytes) -> list[list[str]]:
    """Per page, the texts of the Code 128 barcodes on it."""
    reader = PdfReader(io.BytesIO(pdf))
    return [[_decode(_bits(group)) for group in _bar_groups(reader, page)] for page in reader.pages]
