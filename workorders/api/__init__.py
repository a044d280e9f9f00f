"""Open API of work orders: report, read, move along the workflow, and the KPIs."""
