"""volition bazaar: the recursive information-market platform (THEORY.md §5).

``domain`` holds the rules over an abstract store; ``storage`` the SQL store; ``api`` the HTTP
API. See ``volition.bazaar.domain.Bazaar`` for every operation.
"""
