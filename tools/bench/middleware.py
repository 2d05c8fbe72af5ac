"""Each response says how many SQL queries its request ran and how long the server took (benchmark only)."""

from __future__ import annotations

import time

from django.db import connection

QUERIES = "X-Bench-Queries"
SQL_MS = "X-Bench-Sql-Ms"
SERVER_MS = "X-Bench-Server-Ms"


class QueryCountMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        counted = {"queries": 0, "seconds": 0.0}

        def count(execute, sql, params, many, context):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                counted["queries"] += 1
                counted["seconds"] += time.perf_counter() - started

        started = time.perf_counter()
        with connection.execute_wrapper(count):
            response = self.get_response(request)
        response[QUERIES] = str(counted["queries"])
        response[SQL_MS] = f"{counted['seconds'] * 1000:.2f}"
        response[SERVER_MS] = f"{(time.perf_counter() - started) * 1000:.2f}"
        return response
