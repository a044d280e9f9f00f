"""Organization: where things are (campus → building → floor → location), who works where
(departments, teams, vendors, staff) and who logs in (users)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from logistics.common.models import TimeStampedModel

code_validator = RegexValidator(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", _("Use letters, digits, '-', '_' and '.' only."))
# Employee numbers are also the PIN enrolled on attendance terminals (ZKTeco user_id: up to 9
# characters on most firmware, digits on many): letters and digits only.
employee_no_validator = RegexValidator(r"^[A-Za-z0-9]{1,24}$", _("Employee numbers are 1–24 letters or digits."))


def new_qr_token() -> str:
    """A stable random token printed in a location's QR code (not guessable, not sequential)."""
    return secrets.token_urlsafe(12)


class User(AbstractUser):
    """A login account. The person behind it (department, team, employee number) is the linked
    ``Staff`` row; not every worker needs a login, and an account without staff is allowed
    (e.g. an integration or an outside auditor)."""

    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)
    must_change_password = models.BooleanField(_("must change password"), default=False)

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username


class PasswordHistory(models.Model):
    """One earlier password hash of a user, kept so that recent passwords cannot be reused."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(_("password hash"), max_length=128)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("password history entry")
        verbose_name_plural = _("password history")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"], name="org_pwhistory_user_idx")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.created_at:%Y-%m-%d}"


class Campus(TimeStampedModel):
    """A hospital site (院区) with its own buildings, e.g. main campus, second campus."""

    code = models.CharField(_("code"), max_length=20, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100, unique=True)
    short_name = models.CharField(_("short name"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("campus")
        verbose_name_plural = _("campuses")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Building(TimeStampedModel):
    """A building on a campus."""

    campus = models.ForeignKey(Campus, on_delete=models.PROTECT, related_name="buildings", verbose_name=_("campus"))
    code = models.CharField(_("code"), max_length=20, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["campus__sort_order", "sort_order", "code"]
        constraints = [models.UniqueConstraint(fields=["campus", "code"], name="org_building_unique_code")]

    def __str__(self) -> str:
        return f"{self.campus.short_name or self.campus.name} {self.name}"


class Floor(TimeStampedModel):
    """A floor of a building; ``level`` orders floors (negative for basements)."""

    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="floors", verbose_name=_("building"))
    code = models.CharField(_("code"), max_length=20, validators=[code_validator])
    name = models.CharField(_("name"), max_length=50)
    level = models.SmallIntegerField(_("level"), default=1)

    class Meta:
        verbose_name = _("floor")
        verbose_name_plural = _("floors")
        ordering = ["building", "level"]
        constraints = [models.UniqueConstraint(fields=["building", "code"], name="org_floor_unique_code")]

    def __str__(self) -> str:
        return f"{self.building} {self.name}"


class DepartmentKind(models.TextChoices):
    WARD = "ward", _("Ward")
    CLINIC = "clinic", _("Outpatient clinic")
    SURGERY = "surgery", _("Surgery / ICU")
    LAB = "lab", _("Laboratory")
    IMAGING = "imaging", _("Imaging")
    PHARMACY = "pharmacy", _("Pharmacy")
    EMERGENCY = "emergency", _("Emergency")
    LOGISTICS = "logistics", _("Logistics")
    ADMINISTRATION = "administration", _("Administration")
    OTHER = "other", _("Other")


class Department(TimeStampedModel):
    """A hospital department (科室): a ward, clinic, lab, imaging, logistics or admin unit."""

    Kind = DepartmentKind

    code = models.CharField(_("code"), max_length=30, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    campus = models.ForeignKey(Campus, on_delete=models.PROTECT, related_name="departments", verbose_name=_("campus"))
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["campus__sort_order", "sort_order", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=DepartmentKind.values), name="org_department_kind_valid"),
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="org_department_not_own_parent"),
        ]
        indexes = [models.Index(fields=["campus", "kind"], name="org_dept_campus_kind_idx")]

    def __str__(self) -> str:
        return self.name


class LocationKind(models.TextChoices):
    ROOM = "room", _("Room")
    NURSE_STATION = "nurse_station", _("Nurse station")
    WARD_AREA = "ward_area", _("Ward area")
    PLANT_ROOM = "plant_room", _("Plant room")
    CORRIDOR = "corridor", _("Corridor / public area")
    RECEPTION = "reception", _("Reception / counter")
    OUTDOOR = "outdoor", _("Outdoor")
    POINT = "point", _("Point")


class Location(TimeStampedModel):
    """A room, area or point where work happens or things are picked up (a ward's nurse station,
    a plant room, a lab reception). Printed QR labels carry its ``qr_token``."""

    Kind = LocationKind

    campus = models.ForeignKey(Campus, on_delete=models.PROTECT, related_name="locations", verbose_name=_("campus"))
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, null=True, blank=True, related_name="locations", verbose_name=_("building")
    )
    floor = models.ForeignKey(
        Floor, on_delete=models.PROTECT, null=True, blank=True, related_name="locations", verbose_name=_("floor")
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="locations",
        verbose_name=_("department"),
    )
    code = models.CharField(_("code"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ROOM)
    qr_token = models.CharField(_("QR token"), max_length=32, unique=True, default=new_qr_token, editable=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["campus__sort_order", "building__sort_order", "floor__level", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=LocationKind.values), name="org_location_kind_valid"),
            models.CheckConstraint(
                condition=Q(floor__isnull=True) | Q(building__isnull=False), name="org_location_floor_needs_building"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """The floor must be in the building, and the building on the campus."""
        errors = {}
        if self.floor_id and self.building_id and self.floor.building_id != self.building_id:
            errors["floor"] = _("This floor is not in the chosen building.")
        if self.building_id and self.campus_id and self.building.campus_id != self.campus_id:
            errors["building"] = _("This building is not on the chosen campus.")
        if errors:
            raise ValidationError(errors)

    @property
    def place(self) -> str:
        """Campus / building / floor, as printed on labels."""
        parts = [self.campus.short_name or self.campus.name]
        if self.building_id:
            parts.append(self.building.name)
        if self.floor_id:
            parts.append(self.floor.name)
        return " / ".join(parts)


class Vendor(TimeStampedModel):
    """An outside service company: maintenance contractors, outsourced cleaning or porters."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    services = models.CharField(_("services"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    contract_end = models.DateField(_("contract ends"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("vendor")
        verbose_name_plural = _("vendors")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class VendorContact(models.Model):
    """A contact person at a vendor."""

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("vendor"))
    name = models.CharField(_("name"), max_length=50)
    role = models.CharField(_("role"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)

    class Meta:
        verbose_name = _("vendor contact")
        verbose_name_plural = _("vendor contacts")
        ordering = ["vendor", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.vendor})"


class TeamKind(models.TextChoices):
    WATER_ELECTRIC = "water_electric", _("Water & electricity")
    HVAC = "hvac", _("HVAC")
    ELEVATOR = "elevator", _("Elevator")
    CARPENTRY = "carpentry", _("Carpentry")
    MEDICAL_GAS = "medical_gas", _("Medical gas")
    TRANSPORT = "transport", _("Central transport")
    CLEANING = "cleaning", _("Cleaning")
    SECURITY = "security", _("Security")
    WAREHOUSE = "warehouse", _("Warehouse")
    OTHER = "other", _("Other")


class Team(TimeStampedModel):
    """A work team (班组) of the logistics department, e.g. the HVAC team of the main campus."""

    Kind = TeamKind

    code = models.CharField(_("code"), max_length=30, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    campus = models.ForeignKey(
        Campus, on_delete=models.PROTECT, null=True, blank=True, related_name="teams", verbose_name=_("campus")
    )
    lead = models.ForeignKey(
        "Staff", on_delete=models.SET_NULL, null=True, blank=True, related_name="led_teams", verbose_name=_("team lead")
    )
    vendor = models.ForeignKey(
        Vendor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="teams",
        verbose_name=_("vendor"),
        help_text=_("For a team run by an outside company."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["campus__sort_order", "code"]
        constraints = [models.CheckConstraint(condition=Q(kind__in=TeamKind.values), name="org_team_kind_valid")]

    def __str__(self) -> str:
        return self.name


class Staff(TimeStampedModel):
    """A person working in the hospital who uses the system or whose attendance is tracked:
    logistics workers, outsourced staff, and the nurses and doctors who file requests."""

    class Gender(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")
        UNKNOWN = "U", _("Not stated")

    class EmploymentType(models.TextChoices):
        IN_HOUSE = "in_house", _("In-house")
        OUTSOURCED = "outsourced", _("Outsourced")

    employee_no = models.CharField(
        _("employee number"),
        max_length=24,
        unique=True,
        validators=[employee_no_validator],
        help_text=_("Also the PIN enrolled on attendance terminals."),
    )
    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, default=Gender.UNKNOWN)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="staff", verbose_name=_("department")
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="members", verbose_name=_("team")
    )
    position = models.CharField(_("position"), max_length=50, blank=True)
    employment_type = models.CharField(
        _("employment type"), max_length=20, choices=EmploymentType.choices, default=EmploymentType.IN_HOUSE
    )
    vendor = models.ForeignKey(
        Vendor, on_delete=models.PROTECT, null=True, blank=True, related_name="staff", verbose_name=_("vendor")
    )
    hire_date = models.DateField(_("hire date"), null=True, blank=True)
    leave_date = models.DateField(_("leave date"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    attendance_tracked = models.BooleanField(
        _("attendance tracked"),
        default=False,
        help_text=_("Attendance rules and results apply (logistics teams and outsourced workers)."),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("login"),
    )

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["employee_no"]
        constraints = [
            models.CheckConstraint(
                condition=Q(employment_type__in=["in_house", "outsourced"]), name="org_staff_employment_type_valid"
            ),
            models.CheckConstraint(
                condition=~Q(employment_type="outsourced") | Q(vendor__isnull=False),
                name="org_staff_outsourced_has_vendor",
            ),
            models.CheckConstraint(
                condition=Q(leave_date__isnull=True) | Q(hire_date__isnull=True) | Q(leave_date__gte=F("hire_date")),
                name="org_staff_leave_after_hire",
            ),
            models.CheckConstraint(condition=Q(gender__in=["M", "F", "U"]), name="org_staff_gender_valid"),
        ]
        indexes = [
            models.Index(fields=["team", "is_active"], name="org_staff_team_active_idx"),
            models.Index(fields=["department", "is_active"], name="org_staff_dept_active_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.employee_no})"


class ApiToken(models.Model):
    """A key issued by an administrator to an integration (HIS, LIS, ...), acting as ``user``
    with only the listed scopes. Only a hash is stored; the key is shown once when issued.
    Revoked or expired tokens stop working at once."""

    name = models.CharField(_("name"), max_length=100)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("acts as")
    )
    prefix = models.CharField(_("key prefix"), max_length=12, unique=True, editable=False)
    key_hash = models.CharField(_("key hash"), max_length=64, editable=False)
    scopes = models.JSONField(_("scopes"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    created_at = models.DateTimeField(_("issued at"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
