"""Spare parts: items, warehouses, stock ledger, requisitions, stocktakes."""
