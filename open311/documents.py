"""GeoReport v2's two formats: XML as the specification draws it, and JSON by its Spark
convention (a container of repeated elements is always an array), from one document."""

from __future__ import annotations

import json
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

from flask import Response

MIMETYPES = {"xml": "text/xml", "json": "application/json"}
"""The content types the specification names for each format (UTF-8 always)."""
CHILDREN = {
    "services": "service", "service_requests": "request", "errors": "error",
    "attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format",
}
"""Each container element and the one kind of element it repeats."""


class ApiError(Exception):
    """A refusal in the specification's shape: an HTTP status, a code and a description."""

    def __init__(self, status: int, description: str, code: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.code = code or status
        self.description = description


def answer(fmt: str, root: str, body: Any, status: int = 200) -> Response:
    """`body` as the document `root` ("services" holding a list, or "discovery" a dict)."""
    if fmt == "json":
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    else:
        text = '<?xml version="1.0" encoding="utf-8"?>' + tostring(_element(root, body), encoding="unicode")
    return Response(text, status, content_type=f"{MIMETYPES[fmt]}; charset=utf-8")


def error(fmt: str, failure: ApiError) -> Response:
    """An `errors` document for `failure`, with its HTTP status."""
    return answer(fmt, "errors", [{"code": failure.code, "description": failure.description}],
                  failure.status)


def _element(name: str, value: Any) -> Element:
    node = Element(name)
    _fill(node, value)
    return node


def _fill(node: Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(SubElement(node, key), item)
    elif isinstance(value, list):
        for item in value:
            _fill(SubElement(node, CHILDREN[node.tag]), item)
    elif isinstance(value, bool):
        node.text = "true" if value else "false"
    elif value is not None:  # None is an empty element, as <account_id/> in the examples
        node.text = str(value)
