"""API plumbing shared by every app's ``api/`` package."""

from __future__ import annotations

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError


def exception_handler(exc, context):
    """DRF's handler, plus: a ``DomainError`` from a service becomes 400 (or 409 for conflicts
    and invalid transitions) with its translated message."""
    if isinstance(exc, DomainError):
        code = status.HTTP_409_CONFLICT if exc.status_code == 409 else status.HTTP_400_BAD_REQUEST
        if exc.code == "forbidden":
            code = status.HTTP_403_FORBIDDEN
        return Response({"detail": str(exc.message), "code": exc.code}, status=code)
    return drf_exception_handler(exc, context)
