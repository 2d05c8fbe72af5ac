from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """DRF's handler; unexpected errors still become Django's plain 500."""
    return drf_exception_handler(exc, context)
