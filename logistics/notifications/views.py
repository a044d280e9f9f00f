"""The inbox: list, mark one read, open one (mark read and follow its link), mark all read, and
the unread count polled by the navbar badge. A user only ever reaches their own notifications:
everything is fetched through ``selectors.notifications_for(request.user)`` (another id → 404).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from logistics.common.http import safe_next

from . import selectors, services

CHANGED_EVENT = "notifications-changed"
FILTERS = ("all", "unread")
PAGE_SIZE = 20
LIST_PARTIAL = "notifications/partials/_notification_list.html"


def _filter_of(value: str | None) -> str:
    return value if value in FILTERS else "all"


def _inbox_context(request: HttpRequest, filter_: str, page_number: str | None) -> dict:
    queryset = selectors.notifications_for(request.user, unread_only=filter_ == "unread")
    page = Paginator(queryset, PAGE_SIZE).get_page(page_number)
    return {
        "notifications": page.object_list,
        "page_obj": page,
        "filter": filter_,
        "unread_count": selectors.unread_count(request.user),
    }


class NotificationListView(LoginRequiredMixin, View):
    """The user's inbox, newest first, 20 a page; ``?filter=unread`` shows only unread ones.
    With htmx (filter tabs, pages) only the list partial is returned."""

    http_method_names = ["get"]

    def get(self, request: HttpRequest) -> HttpResponse:
        context = _inbox_context(request, _filter_of(request.GET.get("filter")), request.GET.get("page"))
        partial = request.htmx and not request.htmx.boosted and not request.htmx.history_restore_request
        response = render(request, LIST_PARTIAL if partial else "notifications/notification_list.html", context)
        patch_vary_headers(response, ("HX-Request",))  # same URL, two bodies: caches must tell them apart
        return response


class NotificationReadView(LoginRequiredMixin, View):
    """POST: mark one notification read. htmx gets the updated row (and the inbox's unread total,
    out of band) and ``HX-Trigger: notifications-changed`` (the navbar badge refreshes); a plain
    form is redirected back."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        notification = get_object_or_404(selectors.notifications_for(request.user), pk=pk)
        services.notification_mark_read(notification=notification, user=request.user)
        if request.htmx:
            # The row, plus the unread total of the filter tab (out of band).
            response = render(
                request,
                "notifications/partials/_notification_read_response.html",
                {"notification": notification, "unread_count": selectors.unread_count(request.user)},
            )
            response["HX-Trigger"] = CHANGED_EVENT
            return response
        return HttpResponseRedirect(
            safe_next(request, reverse("notifications:notification_list"), request.POST.get("next"))
        )


class NotificationOpenView(LoginRequiredMixin, View):
    """POST: mark one notification read and go to the page it links to (the inbox when it has no
    link, or a link that leads off this site)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        notification = get_object_or_404(selectors.notifications_for(request.user), pk=pk)
        services.notification_mark_read(notification=notification, user=request.user)
        target = safe_next(request, reverse("notifications:notification_list"), notification.url)
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return HttpResponseRedirect(target)


class NotificationReadAllView(LoginRequiredMixin, View):
    """POST: mark all of the user's notifications read. htmx gets the refreshed list."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        count = services.notifications_mark_all_read(user=request.user)
        filter_ = _filter_of(request.POST.get("filter"))
        if request.htmx:
            response = render(request, LIST_PARTIAL, _inbox_context(request, filter_, None))
            response["HX-Trigger"] = CHANGED_EVENT
            return response
        if count:
            messages.success(request, _("All notifications are marked as read."))
        url = reverse("notifications:notification_list")
        return HttpResponseRedirect(f"{url}?filter={filter_}" if filter_ != "all" else url)


@method_decorator(never_cache, name="dispatch")
class UnreadCountView(LoginRequiredMixin, View):
    """GET: the unread count for the navbar badge (polled every 30 s with ``X-Background-Poll: 1``,
    which the idle-session timeout ignores). An htmx poll from a session that has ended answers 286,
    which stops the polling, instead of swapping the login page into the navbar."""

    http_method_names = ["get"]

    def handle_no_permission(self):
        if self.request.htmx:
            return HttpResponse(status=286)
        return super().handle_no_permission()

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request,
            "notifications/partials/_unread_count.html",
            {"unread_count": selectors.unread_count(request.user)},
        )
