"""Errors a client of the content API can fix; their message is the GraphQL error."""


class ApiInputError(ValueError):
    """A request the client can fix; its message is shown as the GraphQL error."""
