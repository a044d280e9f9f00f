from .documents import (
    RESERVING,
    LineState,
    Receipt,
    ReceiptLine,
    Requisition,
    RequisitionLine,
    Stocktake,
    StocktakeLine,
    Transfer,
    TransferLine,
)
from .stock import Balance, Item, ItemCategory, Movement, MovementKind, Warehouse

__all__ = [
    "RESERVING",
    "Balance",
    "Item",
    "ItemCategory",
    "LineState",
    "Movement",
    "MovementKind",
    "Receipt",
    "ReceiptLine",
    "Requisition",
    "RequisitionLine",
    "Stocktake",
    "StocktakeLine",
    "Transfer",
    "TransferLine",
    "Warehouse",
]
