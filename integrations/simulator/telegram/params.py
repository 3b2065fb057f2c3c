"""Bot API parameters, read from the query string and JSON, urlencoded or multipart bodies."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from starlette.datastructures import UploadFile

from integrations.simulator.telegram.protocol import bad_request

# --- Parameter parsing ------------------------------------------------------------------------


@dataclass
class Upload:
    """A file part of a multipart request."""

    filename: str | None
    content_type: str | None
    data: bytes


class Params:
    """Bot API parameters from query string, JSON, urlencoded or multipart bodies.

    PTB (``HTTPXRequest``) always POSTs ``application/x-www-form-urlencoded`` — or
    ``multipart/form-data`` when a file is uploaded — and every non-string value arrives
    JSON-encoded as a string (``chat_id="42"``, ``reply_markup='{"inline_keyboard":...}'``).
    Other clients send JSON with native types. The getters accept both.
    """

    def __init__(self, values: dict[str, Any], uploads: dict[str, Upload]) -> None:
        self.values = values
        self.uploads = uploads

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def string(self, name: str, *, required: bool = False) -> str | None:
        value = self.values.get(name)
        if value is None:
            if required:
                raise bad_request(f"parameter {name} is required")
            return None
        if isinstance(value, bool | dict | list):
            raise bad_request(f"parameter {name} must be a string")
        return str(value)

    def _given(self, name: str, required: bool, kind: str) -> Any:
        """The parameter's value, None when absent (400 if `required`), 400 for a boolean where a `kind` is wanted."""
        value = self.values.get(name)
        if value is None or value == "":
            if required:
                raise bad_request(f"parameter {name} is required")
            return None
        if isinstance(value, bool):
            raise bad_request(f"parameter {name} must be {kind}")
        return value

    def integer(self, name: str, *, required: bool = False) -> int | None:
        value = self._given(name, required, "an integer")
        if value is None:
            return None
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
            return int(value.strip())
        raise bad_request(f"parameter {name} must be an integer")

    def number(self, name: str, *, required: bool = False) -> float | None:
        value = self._given(name, required, "a number")
        if value is None:
            return None
        if isinstance(value, int | float):
            result = float(value)
        else:
            try:
                result = float(str(value))
            except ValueError:
                raise bad_request(f"parameter {name} must be a number") from None
        if not math.isfinite(result):
            raise bad_request(f"parameter {name} must be a finite number")
        return result

    def boolean(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise bad_request(f"parameter {name} must be a boolean")

    def json_value(self, name: str) -> Any:
        """A nested object or array: native in JSON bodies, a JSON string in form bodies."""
        value = self.values.get(name)
        if isinstance(value, str):
            if value == "":
                return None
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {name} JSON object") from None
        return value


async def read_params(request: Request) -> Params:
    """Collect Bot API parameters from the query string and the body, whatever its encoding."""
    values: dict[str, Any] = dict(request.query_params)
    uploads: dict[str, Upload] = {}
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json":
        body = await request.body()
        if body.strip():
            try:
                decoded = json.loads(body)
            except ValueError:
                raise bad_request("can't parse JSON object") from None
            if not isinstance(decoded, dict):
                raise bad_request("JSON body must be an object")
            values.update(decoded)
    elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        try:
            form = await request.form(max_part_size=16 * 1024 * 1024)
        except Exception as exc:  # malformed multipart comes in many shapes; all are a 400
            raise bad_request(f"can't parse request body: {exc}") from None
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                uploads[key] = Upload(value.filename, value.content_type, await value.read())
            else:
                values[key] = value
    return Params(values, uploads)
