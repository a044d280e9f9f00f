"""The ADMS ("PUSH SDK") endpoints under ``/iclock/`` that attendance terminals call over plain HTTP.

No login and no CSRF (devices can do neither): identity is the registered serial alone, checked by
``devices.push``. Every answer is ``text/plain`` with a ``Date`` header (terminals set their clock
from it). Bad input never makes a 500: the services store what is good and report the rest.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.decorators import method_decorator
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from . import push, push_commands


def text_response(text: str, status: int = 200) -> HttpResponse:
    """A plain-text answer carrying the server's time in ``Date``."""
    response = HttpResponse(text, content_type="text/plain", status=status)
    response["Date"] = http_date()
    return response


def _query(request: HttpRequest, name: str) -> str | None:
    """A query parameter by name, whatever its case (firmware writes ``SN``, ``sn``, ``Stamp``...)."""
    if name in request.GET:
        return request.GET[name]
    lowered = name.lower()
    return next((value for key, value in request.GET.items() if key.lower() == lowered), None)


class _BodyRefused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def _read_body(request: HttpRequest) -> bytes:
    """The request body within the push size cap. The declared length is checked before anything
    is read; the body is read from the stream with our own cap, not through ``request.body``,
    whose DATA_UPLOAD_MAX_MEMORY_SIZE limit (meant for form parsing, 2.5 MB by default) would turn
    a legitimate large upload into a 400 the device retries for ever."""
    cap = push.max_body_bytes()
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        declared = -1
    if declared < 0:
        # No length (chunked) would read as an empty body, and "OK: 0" would make the device drop
        # data we never saw: ask for a length instead.
        raise _BodyRefused(411, _("A Content-Length header is required."))
    if declared > cap:
        raise _BodyRefused(413, _("The upload is too large."))
    body = request.read(cap + 1)
    if len(body) > cap:
        raise _BodyRefused(413, _("The upload is too large."))
    return body


@method_decorator(csrf_exempt, name="dispatch")
class IclockView(View):
    """Common part: the serial is required (400 without it), refusals map to their status."""

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        self.serial = (_query(request, "SN") or "").strip()
        self.remote_addr = request.META.get("REMOTE_ADDR")
        if not self.serial:
            return text_response(_("The SN parameter is missing."), status=400)
        try:
            return super().dispatch(request, *args, **kwargs)
        except push.PushRefused as exc:
            return text_response(exc.message, status=exc.status_code)

    def http_method_not_allowed(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = text_response(_("Method not allowed."), status=405)
        response["Allow"] = ", ".join(m.upper() for m in self._allowed_methods())
        return response


class CdataView(IclockView):
    """``GET /iclock/cdata``: handshake (the options). ``POST /iclock/cdata?table=..&Stamp=..``:
    an upload, answered ``OK: <n>``."""

    http_method_names = ["get", "post"]

    def get(self, request: HttpRequest) -> HttpResponse:
        options = push.push_handshake(serial=self.serial, remote_addr=self.remote_addr)
        if options is None:
            return text_response(_("Unknown terminal: register and approve this serial number first."), status=403)
        return text_response(options)

    def post(self, request: HttpRequest) -> HttpResponse:
        table, stamp = _query(request, "table"), _query(request, "Stamp")
        try:
            body = _read_body(request)
        except _BodyRefused as exc:
            if exc.status == 413:  # noted as a failed run (raises UnknownTerminal for a stranger: 403)
                size = int(request.META.get("CONTENT_LENGTH") or 0)
                push.push_upload_too_large(serial=self.serial, table=table, size=size, remote_addr=self.remote_addr)
            return text_response(exc.message, status=exc.status)
        reply, _result = push.push_upload(
            serial=self.serial, table=table, stamp=stamp, body=body, remote_addr=self.remote_addr
        )
        return text_response(reply)


class GetRequestView(IclockView):
    """``GET /iclock/getrequest``: the queued commands (``C:<id>:<command>`` lines) or ``OK``."""

    http_method_names = ["get"]

    def get(self, request: HttpRequest) -> HttpResponse:
        return text_response(push_commands.push_poll_commands(serial=self.serial, remote_addr=self.remote_addr))


class DeviceCmdView(IclockView):
    """``POST /iclock/devicecmd``: the results of commands (``ID=..&Return=..&CMD=..`` lines)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            body = _read_body(request)
        except _BodyRefused as exc:
            return text_response(exc.message, status=exc.status)
        return text_response(
            push_commands.push_command_result(serial=self.serial, body=body, remote_addr=self.remote_addr)
        )


class PingView(IclockView):
    """``GET /iclock/ping``: a keep-alive some firmware sends during long uploads."""

    http_method_names = ["get"]

    def get(self, request: HttpRequest) -> HttpResponse:
        push.push_ping(serial=self.serial, remote_addr=self.remote_addr)
        return text_response("OK")
