"""Container health probe: GET a health path of the local gunicorn; exit 0 on HTTP 200, else 1.

Usage: ``python docker/healthcheck.py [/healthz|/readyz]``. Standard library only. The request
carries a Host from ``ALLOWED_HOSTS`` (Django rejects any other) and ``X-Forwarded-Proto: https``
so that the SSL redirect never answers instead of the application.
"""

import http.client
import os
import sys


def probe_host(allowed_hosts: str) -> str:
    """A host name Django will accept: the first entry of ALLOWED_HOSTS, made concrete."""
    first = next((host.strip() for host in allowed_hosts.split(",") if host.strip()), "localhost")
    if first == "*":
        return "localhost"
    return first.lstrip(".").removeprefix("*.") or "localhost"


def main() -> int:
    path = sys.argv[1] if len(sys.argv) > 1 else "/healthz"
    port = int(os.environ.get("PORT", "8000"))
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=4)
    try:
        connection.request(
            "GET",
            path,
            headers={"Host": probe_host(os.environ.get("ALLOWED_HOSTS", "")), "X-Forwarded-Proto": "https"},
        )
        status = connection.getresponse().status
    except OSError as exc:
        print(f"healthcheck {path}: {exc}", file=sys.stderr)
        return 1
    finally:
        connection.close()
    if status != 200:
        print(f"healthcheck {path}: HTTP {status}", file=sys.stderr)
    return 0 if status == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
