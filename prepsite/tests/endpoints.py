"""Every route of the URLconf, found by walking it, for the project-wide security and fuzz tests.

New routes are picked up without editing the tests; a route whose arguments the tests cannot
fill in makes them fail with a message naming the argument, so nobody adds one unchecked.
"""

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, reverse


@dataclass(frozen=True)
class Endpoint:
    name: str  # for reverse(), with its namespace ("admin:index")
    route: str  # the pattern as written, e.g. "practice/<uuid:session_id>/"
    kwargs: tuple[str, ...]
    namespace: str | None

    @property
    def takes_arguments(self) -> bool:
        return bool(self.kwargs)

    def url(self, values: dict) -> str:
        missing = [kwarg for kwarg in self.kwargs if kwarg not in values]
        if missing:
            raise LookupError(
                f"{self.route} takes {missing}: give the security and fuzz tests a value for it "
                "in prepsite/tests (arguments() in security/routes.py, World.arguments in "
                "fuzz/world.py)."
            )
        return reverse(self.name, kwargs={kwarg: values[kwarg] for kwarg in self.kwargs})

    def __str__(self) -> str:
        return self.name


def _walk(resolver, prefix: str, namespace: str | None, kwargs: tuple[str, ...]):
    for pattern in resolver.url_patterns:
        converters = tuple(getattr(pattern.pattern, "converters", {}))
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or namespace
            if pattern.namespace and namespace:
                inner = f"{namespace}:{pattern.namespace}"
            yield from _walk(pattern, prefix + str(pattern.pattern), inner, kwargs + converters)
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield Endpoint(
                name=name,
                route=prefix + str(pattern.pattern),
                kwargs=kwargs + converters,
                namespace=namespace,
            )


def all_endpoints(*, include_admin: bool = False) -> list[Endpoint]:
    """Named routes in URLconf order; the admin's (Django's own, tested there) left out."""
    found = {}
    for endpoint in _walk(get_resolver(), "", None, ()):
        if endpoint.namespace == "admin" and not include_admin:
            continue
        found.setdefault(endpoint.name, endpoint)
    return list(found.values())
