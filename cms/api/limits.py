"""What one GraphQL request may cost, and what its errors may reveal.

Depth, token and alias limits come from strawberry's extensions. The cost limit is
ours: every selected field costs 1, multiplied by the page size of the lists that
contain it (``limit`` arguments; a ``$variable`` counts as the maximum page size),
so "200 listings with everything" is allowed and "thirty aliased copies of it" is
not. Errors a client can fix keep their message; anything else becomes one plain
sentence, and the details go to the log only.
"""

from graphql import GraphQLError, ValidationRule
from graphql.language import (
    FieldNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

from .errors import ApiInputError

INTERNAL_ERROR_MESSAGE = "内部エラーが発生しました。時間をおいて再度お試しください。"


def _limit_of(field: FieldNode, default_limit: int, max_limit: int) -> int:
    for argument in field.arguments or ():
        if argument.name.value == "limit":
            if isinstance(argument.value, IntValueNode):
                # Beyond the maximum the resolver refuses it with a clearer message.
                return min(max(1, int(argument.value.value)), max_limit)
            return max_limit  # a variable: assume the most it may be
    return default_limit


def selection_cost(
    selection_set: SelectionSetNode | None,
    fragments: dict,
    paged_fields: set[str],
    default_limit: int,
    max_limit: int,
    seen: frozenset = frozenset(),
) -> int:
    """Cost of a selection set. Fragments with a type condition are alternatives
    (one applies per object), so the most expensive of them counts."""
    if selection_set is None:
        return 0
    total, alternatives = 0, [0]
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            inner = selection_cost(
                selection.selection_set,
                fragments,
                paged_fields,
                default_limit,
                max_limit,
                seen,
            )
            factor = (
                _limit_of(selection, default_limit, max_limit)
                if selection.name.value in paged_fields
                else 1
            )
            total += 1 + factor * inner
        elif isinstance(selection, InlineFragmentNode):
            alternatives.append(
                selection_cost(
                    selection.selection_set,
                    fragments,
                    paged_fields,
                    default_limit,
                    max_limit,
                    seen,
                )
            )
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is None or name in seen:
                continue  # reported by graphql's own rules
            alternatives.append(
                selection_cost(
                    fragment.selection_set,
                    fragments,
                    paged_fields,
                    default_limit,
                    max_limit,
                    seen | {name},
                )
            )
    return total + max(alternatives)


def cost_rule(
    max_cost: int, paged_fields: set[str], default_limit: int, max_limit: int
):
    class QueryCostRule(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_args):
            fragments = {
                name: self.context.get_fragment(name)
                for name in _fragment_names(self.context.document)
            }
            cost = selection_cost(
                node.selection_set, fragments, paged_fields, default_limit, max_limit
            )
            if cost > max_cost:
                self.report_error(
                    GraphQLError(
                        f"クエリが大きすぎます（コスト {cost}、上限 {max_cost}）。"
                        "limit を小さくするか、取得する項目を減らしてください。",
                        node,
                    )
                )

    return QueryCostRule


def _fragment_names(document) -> list[str]:
    return [
        definition.name.value
        for definition in document.definitions
        if definition.kind == "fragment_definition"
    ]


def client_may_see(error: GraphQLError) -> bool:
    """Keep messages of errors the client caused (syntax, validation, bad input);
    mask everything raised by a bug."""
    original = error.original_error
    return original is None or isinstance(original, (ApiInputError, GraphQLError))


def should_mask_error(error: GraphQLError) -> bool:
    return not client_may_see(error)
