"""Read API of the equipment ledger: items, maintenance plans and the KPIs."""
