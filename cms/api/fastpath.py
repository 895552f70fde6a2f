"""Direct resolvers for the schema's simple fields, so a full snapshot costs
graphql-core's own per-field work and little more.

Strawberry wraps every field that has a resolver in several layers (argument
conversion, an ``Info`` object, field extensions, exception handlers) and every
strawberry-django ``auto`` field in a model-attribute lookup that also handles
relations, files and async. Measured on 200 akiya pages (about 14,000 fields),
those layers were most of the request's CPU time. Most of our fields need none of
it: they take no arguments, have no extensions or permission classes, are sync,
and read an attribute or call a method of ours that uses only ``info.context``.

``install`` swaps the graphql-core resolver of exactly those fields for a direct
call; everything else keeps strawberry's resolver. The answers are the same
(``tests/api/test_fastpath.py`` compares every field of every page type with and
without it).
"""

from operator import attrgetter

from django.db.models.query_utils import DeferredAttribute
from graphql import GraphQLInterfaceType, GraphQLObjectType
from strawberry.types.fields.resolver import (
    INFO_PARAMSPEC,
    PARENT_PARAMSPEC,
    ROOT_PARAMSPEC,
    SELF_PARAMSPEC,
)

DEFINITION = "strawberry-definition"
OUR_MODULES = ("cms.api.",)


def _simple(field) -> bool:
    return not (
        field.arguments
        or field.extensions
        or field.permission_classes
        or field.is_async
        or field.is_subscription
    )


def _attribute_resolver(field, model):
    """A field without a resolver: the attribute of the same name, when it is a
    plain value (a concrete model column, or any attribute of a plain object)."""
    name = getattr(field, "django_name", None) or field.python_name
    if model is not None:
        descriptor = getattr(model, name, None)
        if not isinstance(descriptor, DeferredAttribute):
            return None  # relations, files, properties: strawberry-django's way
        if descriptor.field.get_internal_type() in {"FileField", "ImageField"}:
            return None
    get = attrgetter(name)
    return lambda source, info: get(source)


def _method_resolver(field):
    """A field whose resolver is one of our functions taking at most the object
    and ``info`` (of which our resolvers use only ``info.context``, which
    graphql-core's own info object has too)."""
    resolver = field.base_resolver
    function = resolver._unbound_wrapped_func
    if not function.__module__.startswith(OUR_MODULES):
        return None
    reserved = resolver.reserved_parameters
    if reserved.get(PARENT_PARAMSPEC) is not None:
        return None
    names = {p.name for p in resolver.signature.parameters.values()}
    source_name = None
    for spec in (SELF_PARAMSPEC, ROOT_PARAMSPEC):
        parameter = reserved.get(spec)
        if parameter is not None:
            source_name = parameter.name
    info_parameter = reserved.get(INFO_PARAMSPEC)
    info_name = info_parameter.name if info_parameter is not None else None
    if names - {source_name, info_name}:
        return None  # parameters we do not know how to fill
    if source_name and info_name:
        return lambda source, info: function(**{source_name: source, info_name: info})
    if source_name:
        return lambda source, info: function(**{source_name: source})
    if info_name:
        return lambda source, info: function(**{info_name: info})
    return lambda source, info: function()


def install(schema) -> int:
    """Give the simple fields of ``schema`` direct resolvers; returns how many."""
    installed = 0
    for graphql_type in schema._schema.type_map.values():
        if not isinstance(graphql_type, (GraphQLObjectType, GraphQLInterfaceType)):
            continue
        if graphql_type.name.startswith("__"):
            continue
        definition = getattr(graphql_type, "extensions", {}).get(DEFINITION)
        model = getattr(
            getattr(definition, "origin", None),
            "__strawberry_django_definition__",
            None,
        )
        model = getattr(model, "model", None)
        for graphql_field in graphql_type.fields.values():
            field = (graphql_field.extensions or {}).get(DEFINITION)
            if field is None or not _simple(field):
                continue
            if field.base_resolver is None:
                fast = _attribute_resolver(field, model)
            else:
                fast = _method_resolver(field)
            if fast is not None:
                graphql_field.resolve = fast
                installed += 1
    return installed
