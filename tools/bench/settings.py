"""The production settings, served for the benchmark only.

Two differences: ``tools.bench.urls`` adds the bare views to compare with
(production's URLconf never routes them), and ``QueryCountMiddleware`` tells
the benchmark how many SQL queries each request ran and how long the server
took. Static files are not collected for a benchmark: templates name them
without the hashed manifest. The API's rate limit would refuse a benchmark's
thousands of calls an hour: it is lifted.
"""

from config.settings.production import *  # noqa: F403
from config.settings.production import MIDDLEWARE, REST_FRAMEWORK, STORAGES

ROOT_URLCONF = "tools.bench.urls"
MIDDLEWARE = ["tools.bench.middleware.QueryCountMiddleware", *MIDDLEWARE]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": "1000000/hour"}}
