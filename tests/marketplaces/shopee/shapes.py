"""A small structural schema check for sandbox answers (also used by the AliExpress tests).

A schema is a type or tuple of types (``isinstance``), a dict of required keys (``Optional(schema)``
for keys that may be absent), a one-element list (every element matches), or a set of allowed values.
"""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Optional:
    schema: Any


def shape_errors(value, schema, path="$") -> list[str]:
    if isinstance(schema, Optional):
        return shape_errors(value, schema.schema, path)
    if isinstance(schema, dict):
        if not isinstance(value, dict):
            return [f"{path}: expected an object, got {type(value).__name__}"]
        errors = []
        for key, sub in schema.items():
            if key not in value:
                if not isinstance(sub, Optional):
                    errors.append(f"{path}.{key}: missing")
                continue
            errors += shape_errors(value[key], sub, f"{path}.{key}")
        return errors
    if isinstance(schema, list):
        if not isinstance(value, list):
            return [f"{path}: expected a list, got {type(value).__name__}"]
        return [
            error for index, item in enumerate(value) for error in shape_errors(item, schema[0], f"{path}[{index}]")
        ]
    if isinstance(schema, set | frozenset):
        return [] if value in schema else [f"{path}: {value!r} not one of {sorted(schema)}"]
    if schema is int and isinstance(value, bool):
        return [f"{path}: expected int, got bool"]
    return [] if isinstance(value, schema) else [f"{path}: expected {schema}, got {type(value).__name__}"]
