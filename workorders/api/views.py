"""API of work orders: list and read the orders one may see (filtered like the list page), report
a new one, move it along the workflow through the same services as the pages, and the KPIs.

An order outside the caller's scope is a 404; a step the order's status does not allow is a 409
with the translated reason; a step the caller may not take is a 403."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from logistics.org.api_auth import TokenHasScope

from .. import services
from ..filters import WorkOrderFilter
from ..kpis import work_order_kpis
from ..models import WorkOrder
from ..selectors import LIST_RELATED, is_dispatcher, orders_visible_to
from .serializers import (
    ArriveSerializer,
    CompleteSerializer,
    DispatchSerializer,
    HoldSerializer,
    KpisSerializer,
    ReasonSerializer,
    VerifySerializer,
    WorkOrderCreateSerializer,
    WorkOrderDetailSerializer,
    WorkOrderSerializer,
)

WRITE_SCOPE = "workorders"


def _with_timeline(orders):
    return orders.select_related(*LIST_RELATED).prefetch_related("events__actor", "attachments", "helpers")


class WorkOrderViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Work orders: repair requests and planned work, from report to rated close."""

    permission_classes = [IsAuthenticated, TokenHasScope]
    filterset_class = WorkOrderFilter
    queryset = WorkOrder.objects.none()  # for the schema; the real queryset is scoped per user

    @property
    def required_scopes(self) -> tuple[str, ...]:
        return ("read",) if self.request.method in ("GET", "HEAD", "OPTIONS") else (WRITE_SCOPE,)

    def get_queryset(self):
        orders = orders_visible_to(self.request.user)
        # the steps read the order back after the change (``_done``), with its timeline
        return _with_timeline(orders) if self.action == "retrieve" else orders.select_related(*LIST_RELATED)

    def get_serializer_class(self):
        return WorkOrderSerializer if self.action == "list" else WorkOrderDetailSerializer

    def _done(self, order: WorkOrder, code: int = status.HTTP_200_OK) -> Response:
        # Read back unscoped: a step may move the order out of the caller's scope (a reassignment to
        # another team), and the caller still sees the result of what they just did.
        order = _with_timeline(WorkOrder.objects.all()).get(pk=order.pk)
        return Response(WorkOrderDetailSerializer(order).data, status=code)

    def _technician(self, request: Request):
        staff = getattr(request.user, "staff", None)
        if staff is None:
            raise PermissionDenied(_("This account has no staff record."))
        return staff

    @staticmethod
    def _input(serializer_class, request: Request) -> dict:
        body = serializer_class(data=request.data)
        body.is_valid(raise_exception=True)
        return body.validated_data

    @extend_schema(request=WorkOrderCreateSerializer, responses={201: WorkOrderDetailSerializer})
    def create(self, request: Request, *args, **kwargs) -> Response:
        """Report a problem; the order is numbered, given its SLA targets and dispatched by the rules."""
        data = self._input(WorkOrderCreateSerializer, request)
        order = services.work_order_create(
            **data, origin=WorkOrder.Origin.API, requester=getattr(request.user, "staff", None), actor=request.user
        )
        return self._done(order, status.HTTP_201_CREATED)

    @extend_schema(request=DispatchSerializer, responses=WorkOrderDetailSerializer)
    @action(detail=True, methods=["post"], url_path="dispatch", url_name="dispatch")
    def assign(self, request: Request, pk=None) -> Response:
        """Give the order to a technician or a vendor (dispatchers and team leads)."""
        order = self.get_object()
        if not is_dispatcher(request.user):
            raise PermissionDenied(_("Only dispatchers and team leads can assign work orders."))
        data = self._input(DispatchSerializer, request)
        return self._done(services.work_order_dispatch(work_order=order, **data, actor=request.user))

    @extend_schema(request=None, responses=WorkOrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk=None) -> Response:
        """The assigned technician takes the order."""
        order = self.get_object()
        technician = self._technician(request)
        return self._done(services.work_order_accept(work_order=order, technician=technician, actor=request.user))

    @extend_schema(request=ReasonSerializer, responses=WorkOrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk=None) -> Response:
        """The assigned technician hands the order back to dispatch, with a reason."""
        order = self.get_object()
        technician = self._technician(request)
        data = self._input(ReasonSerializer, request)
        return self._done(
            services.work_order_reject(
                work_order=order, technician=technician, reason=data["reason"], actor=request.user
            )
        )

    @extend_schema(request=ArriveSerializer, responses=WorkOrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def arrive(self, request: Request, pk=None) -> Response:
        """The technician is on site: the place scanned must be the order's place or inside it."""
        order = self.get_object()
        technician = self._technician(request)
        data = self._input(ArriveSerializer, request)
        return self._done(
            services.work_order_arrive(
                work_order=order, technician=technician, scanned_location=data["location"], actor=request.user
            )
        )

    @extend_schema(request=None, responses=WorkOrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk=None) -> Response:
        """Start the work on site, or resume it after a hold."""
        order = self.get_object()
        technician = self._technician(request)
        return self._done(services.work_order_start(work_order=order, technician=technician, actor=request.user))

    @extend_schema(request=HoldSerializer, responses=WorkOrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def hold(self, request: Request, pk=None) -> Response:
        """Pause the work (waiting for parts, the vendor, access …)."""
        order = self.get_object()
        technician = self._technician(request)
        data = self._input(HoldSerializer, request)
        return self._done(services.work_order_hold(work_order=order, technician=technician, **data,
                                                   actor=request.user))  # fmt: skip

    @extend_schema(request=CompleteSerializer, responses=WorkOrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk=None) -> Response:
        """Report the work done; the requester verifies next."""
        order = self.get_object()
        technician = self._technician(request)
        data = self._input(CompleteSerializer, request)
        return self._done(services.work_order_complete(work_order=order, technician=technician, **data,
                                                       actor=request.user))  # fmt: skip

    @extend_schema(request=VerifySerializer, responses=WorkOrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, pk=None) -> Response:
        """The requester accepts the work with a rating (closed), or sends it back (reopened)."""
        order = self.get_object()
        data = self._input(VerifySerializer, request)
        return self._done(services.work_order_verify(work_order=order, actor=request.user, **data))

    @extend_schema(request=ReasonSerializer, responses=WorkOrderDetailSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk=None) -> Response:
        """Cancel an open order, with a reason: its requester, whoever entered it, or a dispatcher."""
        order = self.get_object()
        own = order.created_by_id == request.user.pk or (
            order.requester_id is not None and order.requester.user_id == request.user.pk
        )
        if not (own or is_dispatcher(request.user)):
            raise PermissionDenied(_("Only the requester or a dispatcher can cancel this order."))
        data = self._input(ReasonSerializer, request)
        return self._done(services.work_order_cancel(work_order=order, reason=data["reason"], actor=request.user))


class WorkOrderKpisView(generics.GenericAPIView):
    """The KPIs of the orders one may see, filtered like the order list (period, team, category,
    campus, department …): repair orders, planned orders and all."""

    permission_classes = [IsAuthenticated, TokenHasScope]
    filterset_class = WorkOrderFilter
    queryset = WorkOrder.objects.none()  # for the schema; the real queryset is scoped per user

    def get_queryset(self):
        return orders_visible_to(self.request.user)

    @extend_schema(filters=True, responses=KpisSerializer)
    def get(self, request: Request) -> Response:
        return Response(KpisSerializer(work_order_kpis(self.filter_queryset(self.get_queryset()))).data)
