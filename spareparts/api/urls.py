"""Routes of the spare-parts API, collected under /api/v1/ by ``logistics.api_urls``."""

from .views import BalanceViewSet, ItemViewSet, MovementViewSet, RequisitionLineViewSet, RequisitionViewSet

# (prefix, viewset, basename) for the /api/v1/ router
ROUTES = (
    ("spareparts/items", ItemViewSet, "sparepart-item"),
    ("spareparts/balances", BalanceViewSet, "sparepart-balance"),
    ("spareparts/movements", MovementViewSet, "sparepart-movement"),
    ("spareparts/requisitions", RequisitionViewSet, "sparepart-requisition"),
    ("spareparts/requisition-lines", RequisitionLineViewSet, "sparepart-requisition-line"),
)
