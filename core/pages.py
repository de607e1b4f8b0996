"""Small helpers shared by the browser views of every app."""


def query_string_without(request, *names: str) -> str:
    """The request's query string without the given parameters (for pager and cursor links)."""
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()
