"""Models of the equipment app: the ledger (``ledger.py``) and the maintenance and inspection plans
with their checklist templates (``plans.py``)."""

from .ledger import Category, Certificate, Document, Equipment, Parameter, Status, StatusChange, _document_path
from .plans import Anchor, ChecklistItem, ChecklistTemplate, IntervalUnit, MaintenancePlan, PlanKind, ScheduleKind

__all__ = [  # _document_path: the upload path named by migration 0001
    "Anchor",
    "Category",
    "Certificate",
    "ChecklistItem",
    "ChecklistTemplate",
    "Document",
    "Equipment",
    "IntervalUnit",
    "MaintenancePlan",
    "Parameter",
    "PlanKind",
    "ScheduleKind",
    "Status",
    "StatusChange",
    "_document_path",
]
