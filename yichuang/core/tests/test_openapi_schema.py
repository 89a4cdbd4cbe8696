"""The published OpenAPI schema names every schema class it uses once.

ninja (and pydantic under it) keys ``components/schemas`` by the class name alone and merges the
definitions of all operations into one dict, so two classes called ``FiguresOut`` in two apps silently
replace each other and some operations are documented with the other class's fields. These tests walk
every class reachable from the operations of ``config.api.api`` and refuse a shared name.
"""

from __future__ import annotations

import enum
import typing
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from ninja.constants import NOT_SET
from ninja.openapi.schema import REF_TEMPLATE
from ninja.schema import NinjaGenerateJsonSchema
from pydantic import BaseModel

from config.api import api


def _classes_in(annotation: Any) -> Iterator[type]:
    """The models and enums an annotation mentions (``list[X]``, ``X | None``, ``Annotated[X, …]``…)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel | enum.Enum):
        yield annotation
        return
    for argument in typing.get_args(annotation):
        yield from _classes_in(argument)


def _reachable_classes() -> dict[type, str]:
    """Every class whose schema ends up in ``components/schemas``, with the operation that uses it."""
    found: dict[type, str] = {}

    def visit(cls: type, where: str) -> None:
        if cls in found:
            return
        found[cls] = where
        if issubclass(cls, BaseModel):
            for field in cls.model_fields.values():
                for inner in _classes_in(field.annotation):
                    visit(inner, where)

    # ninja's own OpenAPI generator walks the same bound routers (nested routers included).
    for bound_router in api._get_bound_routers():
        for path, path_view in bound_router.path_operations.items():
            for operation in path_view.operations:
                if not operation.include_in_schema:
                    continue
                route = "/".join(part.strip("/") for part in (bound_router.prefix, path) if part.strip("/"))
                where = f"{'/'.join(operation.methods)} /{route}"
                # ninja wraps the declared classes (response, body, query, path) in generated models
                # whose own schema is inlined; the classes in their fields become components.
                wrappers = [*operation.models, *operation.response_models.values()]
                for wrapper in wrappers:
                    if (
                        isinstance(wrapper, type)
                        and issubclass(wrapper, BaseModel)
                        and wrapper is not NOT_SET
                    ):
                        for field in wrapper.model_fields.values():
                            for cls in _classes_in(field.annotation):
                                visit(cls, where)
    return found


def _published_components() -> dict[str, Any]:
    schema: dict[str, Any] = api.get_openapi_schema(path_prefix="/api/v1/")
    return dict(schema["components"]["schemas"])


def test_no_two_schema_classes_share_a_component_name() -> None:
    by_name: dict[str, set[str]] = defaultdict(set)
    for cls in _reachable_classes():
        by_name[cls.__name__].add(f"{cls.__module__}.{cls.__qualname__}")
    clashes = {name: sorted(paths) for name, paths in by_name.items() if len(paths) > 1}
    assert not clashes, (
        "schema classes sharing a name overwrite each other in /api/v1/openapi.json; "
        f"give them app-prefixed names: {clashes}"
    )


def test_every_published_component_comes_from_a_checked_class() -> None:
    # Guards the walk above: a component it did not reach would escape the uniqueness check.
    walked = {cls.__name__ for cls in _reachable_classes()}
    assert set(_published_components()) - walked == set()


def _inlined(schema: Any, definitions: dict[str, Any], expanding: frozenset[str] = frozenset()) -> Any:
    """``schema`` with every ``$ref`` replaced by its definition (a recursive one is left as a ``$ref``).

    ninja inlines the enums of a query class into the published component (it resolves ``allOf``
    references in place), so a component and its class's own schema are compared with references resolved.
    """
    if isinstance(schema, list):
        return [_inlined(item, definitions, expanding) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name not in expanding and name in definitions:
            rest = {key: value for key, value in schema.items() if key != "$ref"}
            return {
                **_inlined(definitions[name], definitions, expanding | {name}),
                **_inlined(rest, definitions, expanding),
            }
    return {key: _inlined(value, definitions, expanding) for key, value in schema.items() if key != "$defs"}


def test_every_component_is_the_schema_of_its_own_class() -> None:
    # The symptom itself: an operation documented with the fields of another class of the same name.
    components = _published_components()
    wrong = []
    for cls, where in _reachable_classes().items():
        if not issubclass(cls, BaseModel):
            continue
        own = []
        for mode in (
            "serialization",
            "validation",
        ):  # ninja uses the first for responses, the second for input
            schema = cls.model_json_schema(
                ref_template=REF_TEMPLATE, schema_generator=NinjaGenerateJsonSchema, mode=mode
            )
            own.append(_inlined(schema, schema.get("$defs", {})))
        if _inlined(components.get(cls.__name__), components) not in own:
            wrong.append(f"{cls.__module__}.{cls.__qualname__} (used by {where})")
    assert not wrong, f"components/schemas shows another class's schema for: {wrong}"
