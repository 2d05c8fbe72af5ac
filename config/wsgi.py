"""The WSGI application gunicorn serves (Dockerfile).

Production settings unless DJANGO_SETTINGS_MODULE says otherwise: a server
started without it must refuse to run without its secrets, never come up with
the public development keys. `make run` serves through manage.py runserver
with the development settings.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()
