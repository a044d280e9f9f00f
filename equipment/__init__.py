"""Equipment ledger, maintenance and inspection plans, checklists, labels."""
