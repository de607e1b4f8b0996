"""``X-Bench-Queries``: how many SQL queries the request ran (bench settings only)."""

from django.db import connection

QUERIES_HEADER = "X-Bench-Queries"


class QueryCountMiddleware:
    """Count the queries run on the default connection while the request is handled, and put the
    number in the ``X-Bench-Queries`` response header. First in ``MIDDLEWARE``, so it counts
    everything (sessions, authentication, the view, the access log)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        response[QUERIES_HEADER] = str(count)
        return response
