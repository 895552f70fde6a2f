"""The static site builder: a client of the CMS GraphQL API (see issue: static build)."""
