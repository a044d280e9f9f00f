"""API of the spare-parts app: parts (with where they can be had), stock balances and ledger
movements, filtered like their pages; requisitions, asked for by the people working a work order,
and the keeper's steps on each line (approve, reject, issue) and returns, through the same services
as the pages. A step the service refuses is a 400/409 with its translated reason; a step the caller
may not take is a 403; a requisition outside the caller's scope is a 404. Writes need the
``spareparts`` scope on an API token."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from logistics.common.api_permissions import ModelViewPermissions
from logistics.org.api_auth import TokenHasScope
from workorders.selectors import orders_visible_to

from .. import requisitions as service
from ..filters import BalanceFilter, ItemFilter, MovementFilter
from ..models import Balance, Item, Movement, Requisition, RequisitionLine
from ..permissions import keeps, may_request, may_take_back, requisitions_visible_to, staff_of, works_on
from ..selectors import availability
from .serializers import (
    ApproveSerializer,
    BalanceSerializer,
    ItemDetailSerializer,
    ItemSerializer,
    MovementSerializer,
    RejectSerializer,
    RequisitionCreateSerializer,
    RequisitionLineSerializer,
    RequisitionSerializer,
    ReturnSerializer,
)

WRITE_SCOPE = "spareparts"


class _Scoped:
    permission_classes = [IsAuthenticated, TokenHasScope]

    @property
    def required_scopes(self) -> tuple[str, ...]:
        return ("read",) if self.request.method in ("GET", "HEAD", "OPTIONS") else (WRITE_SCOPE,)

    @staticmethod
    def _input(serializer_class, request: Request) -> dict:
        body = serializer_class(data=request.data)
        body.is_valid(raise_exception=True)
        return body.validated_data


class ItemViewSet(viewsets.ReadOnlyModelViewSet):
    """Spare parts, filtered like the parts pages; one part with where it can be had."""

    permission_classes = [ModelViewPermissions, TokenHasScope]
    filterset_class = ItemFilter
    queryset = Item.objects.select_related("category", "vendor").order_by("code")

    def get_serializer_class(self):
        return ItemSerializer if self.action == "list" else ItemDetailSerializer

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        item = self.get_object()
        item.availability = availability(item)
        return Response(ItemDetailSerializer(item).data)


class BalanceViewSet(viewsets.ReadOnlyModelViewSet):
    """Stock per part and warehouse: on hand, reserved, available, value, limits; filtered like the
    stock list (warehouse with everything below it, category, level, search)."""

    permission_classes = [ModelViewPermissions, TokenHasScope]
    filterset_class = BalanceFilter
    queryset = Balance.objects.select_related("item", "warehouse")
    serializer_class = BalanceSerializer


class MovementViewSet(viewsets.ReadOnlyModelViewSet):
    """The stock ledger, newest first, filtered by part, warehouse, kind, dates, document, work order."""

    permission_classes = [ModelViewPermissions, TokenHasScope]
    filterset_class = MovementFilter
    queryset = Movement.objects.select_related("item", "warehouse", "work_order").order_by("-at", "-pk")
    serializer_class = MovementSerializer


class RequisitionViewSet(_Scoped, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Requisitions the caller may see; asking for parts for a work order the caller works."""

    serializer_class = RequisitionSerializer
    queryset = Requisition.objects.none()  # for the schema; the real one is per user

    def get_queryset(self):
        return (
            requisitions_visible_to(self.request.user)
            .select_related("work_order", "requested_by")
            .prefetch_related("lines__item", "lines__warehouse")
            .order_by("-created_at", "-pk")
        )

    @extend_schema(request=RequisitionCreateSerializer, responses={201: RequisitionSerializer})
    def create(self, request: Request, *args, **kwargs) -> Response:
        """Ask for parts: each line reserves stock at once; one line short refuses the whole request."""
        data = self._input(RequisitionCreateSerializer, request)
        order = get_object_or_404(orders_visible_to(request.user), pk=data["work_order"])
        if not may_request(request.user, order):
            raise PermissionDenied(_("Only the people working this order, while it is under way, can ask for parts."))
        lines = [(line["item"], line["warehouse"], line["quantity"]) for line in data["lines"]]
        requisition = service.requisition_create(work_order=order, technician=works_on(request.user, order),
                                                 lines=lines, actor=request.user, note=data["note"])  # fmt: skip
        return Response(RequisitionSerializer(self.get_queryset().get(pk=requisition.pk)).data,
                        status=status.HTTP_201_CREATED)  # fmt: skip


class RequisitionLineViewSet(_Scoped, viewsets.ReadOnlyModelViewSet):
    """Lines of the requisitions the caller may see, and the steps on them."""

    serializer_class = RequisitionLineSerializer
    queryset = RequisitionLine.objects.none()

    def get_queryset(self):
        return RequisitionLine.objects.filter(
            requisition__in=requisitions_visible_to(self.request.user)
        ).select_related("item", "warehouse", "requisition__work_order")

    def _keeper(self, line: RequisitionLine) -> None:
        if not keeps(self.request.user, line.warehouse_id):
            raise PermissionDenied(_("Only a keeper of %(wh)s can do this.") % {"wh": line.warehouse})

    def _done(self, line: RequisitionLine) -> Response:
        return Response(RequisitionLineSerializer(self.get_queryset().get(pk=line.pk)).data)

    @extend_schema(request=ApproveSerializer, responses=RequisitionLineSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk=None) -> Response:
        """Approve a waiting line in full, or partly with a reason (the rest is released)."""
        line = self.get_object()
        self._keeper(line)
        data = self._input(ApproveSerializer, request)
        return self._done(service.line_approve(line=line, actor=request.user, quantity=data["quantity"] or None,
                                               reason=data["reason"]))  # fmt: skip

    @extend_schema(request=RejectSerializer, responses=RequisitionLineSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk=None) -> Response:
        """Refuse a waiting line, with a reason; its reservation is released."""
        line = self.get_object()
        self._keeper(line)
        data = self._input(RejectSerializer, request)
        return self._done(service.line_reject(line=line, actor=request.user, reason=data["reason"]))

    @extend_schema(request=None, responses=RequisitionLineSerializer)
    @action(detail=True, methods=["post"])
    def issue(self, request: Request, pk=None) -> Response:
        """Hand out an approved line; its cost is charged to the work order. Once only."""
        line = self.get_object()
        self._keeper(line)
        return self._done(service.line_issue(line=line, actor=request.user))

    @extend_schema(request=ReturnSerializer, responses=RequisitionLineSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def take_back(self, request: Request, pk=None) -> Response:
        """Bring back unused parts of an issued line; the work order is credited."""
        line = self.get_object()
        user = request.user
        if not may_take_back(user, line, works_on(user, line.requisition.work_order), staff_of(user)):
            raise PermissionDenied(_("Only a keeper or the people working the order can return its parts."))
        data = self._input(ReturnSerializer, request)
        service.line_return(line=line, quantity=data["quantity"], actor=user, reason=data["reason"])
        return self._done(line)
