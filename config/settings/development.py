"""Development: embedded defaults so that `make run` works with nothing configured.

The defaults here are public and for a laptop only; production.py has none.
While `make run` runs, a manage.py command in another terminal uses the
servers it recorded (devstack/addresses.py) for what is not set.
"""

import os

from devstack import addresses

for _name, _url in addresses.recorded().items():
    os.environ.setdefault(_name, _url)

os.environ.setdefault("SECRET_KEY", "dev-only-not-secret-6f1c0c7a3f0b4f0e9d0d")
os.environ.setdefault("DEBUG", "true")
# A public development key. Never use it for real records.
os.environ.setdefault("FIELD_ENCRYPTION_KEYS", "ZGV2LW9ubHkta2V5LWRvLW5vdC11c2UtMzItYnl0ZXM=")
os.environ.setdefault("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/casework")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")

from .base import *  # noqa: E402,F403

INTERNAL_IPS = ["127.0.0.1"]
