"""The start page (``frontdoor:home``) and the demo data of ``make run``
(``manage.py load_demo_data``, ``manage.py demo_totp``)."""
