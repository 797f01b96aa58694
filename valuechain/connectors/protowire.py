"""A small reader of the protobuf wire format: enough to take the few fields we need out of a
binary message without its .proto files or the library that wrote it. Pure, bounded.

https://protobuf.dev/programming-guides/encoding/ : a message is a run of (field number,
wire type) keys each followed by a varint, a fixed 32/64-bit value or a length-delimited
bytes value (strings and nested messages alike).
"""

from __future__ import annotations

from collections import defaultdict

VARINT, FIXED64, LENGTH, FIXED32 = 0, 1, 2, 5
MAX_DEPTH = 32


class WireError(ValueError):
    """The bytes are not a protobuf message."""


Fields = dict[int, list[int | bytes]]


def _varint(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if at >= len(data):
            raise WireError("A number runs past the end of the message.")
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, at
        shift += 7
        if shift > 63:
            raise WireError("A number is longer than 64 bits.")


def fields(data: bytes) -> Fields:
    """Every field of one message: number -> its values in order (ints, or bytes to decode)."""
    found: Fields = defaultdict(list)
    at = 0
    while at < len(data):
        key, at = _varint(data, at)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise WireError("Field number 0 does not exist.")
        if wire == VARINT:
            value, at = _varint(data, at)
            found[number].append(value)
        elif wire == LENGTH:
            size, at = _varint(data, at)
            if at + size > len(data):
                raise WireError("A value runs past the end of the message.")
            found[number].append(data[at : at + size])
            at += size
        elif wire in (FIXED64, FIXED32):
            size = 8 if wire == FIXED64 else 4
            if at + size > len(data):
                raise WireError("A value runs past the end of the message.")
            found[number].append(int.from_bytes(data[at : at + size], "little"))
            at += size
        else:
            raise WireError(f"Wire type {wire} is not read here.")
    return found


def messages(found: Fields, number: int) -> list[Fields]:
    return [fields(value) for value in found.get(number, []) if isinstance(value, bytes)]


def message(found: Fields, number: int) -> Fields:
    values = messages(found, number)
    return values[-1] if values else defaultdict(list)


def string(found: Fields, number: int) -> str:
    values = [value for value in found.get(number, []) if isinstance(value, bytes)]
    if not values:
        return ""
    try:
        return values[-1].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WireError(f"Field {number} is not text.") from exc


def strings(found: Fields, number: int) -> list[str]:
    return [
        value.decode("utf-8", "replace")
        for value in found.get(number, [])
        if isinstance(value, bytes)
    ]


def boolean(found: Fields, number: int) -> bool:
    values = [value for value in found.get(number, []) if isinstance(value, int)]
    return bool(values[-1]) if values else False
