"""Photos and vendor reports on work orders.

A file is accepted only for what it is, not for what its name or the browser says: images are
opened with Pillow (JPEG, PNG, WebP; anything else, a truncated file or a decompression bomb is
refused), a vendor's report may also be a PDF (checked by its signature). Large photos are scaled
down to ``MAX_SIDE`` pixels and re-encoded, which also drops their EXIF data (GPS position, device).
Every refusal is a translated ``DomainError`` and stores nothing."""

from __future__ import annotations

import io

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from logistics.common.errors import DomainError

from .models import Attachment, WorkOrder

MAX_SIDE = 2048
MAX_PIXELS = 60_000_000  # a 60-megapixel photo is the largest a phone takes; beyond is a bomb
IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
ACCEPT_IMAGES = "image/jpeg,image/png,image/webp"
ACCEPT_REPORTS = ACCEPT_IMAGES + ",application/pdf"


def max_bytes() -> int:
    return settings.WORKORDER_PHOTO_MAX_MB * 1024 * 1024


def _read(upload) -> bytes:
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes():
        raise DomainError(
            _("%(name)s is larger than %(limit)d MB.") % {"name": upload.name, "limit": settings.WORKORDER_PHOTO_MAX_MB}
        )
    data = upload.read(max_bytes() + 1)
    if len(data) > max_bytes():
        raise DomainError(
            _("%(name)s is larger than %(limit)d MB.") % {"name": upload.name, "limit": settings.WORKORDER_PHOTO_MAX_MB}
        )
    if not data:
        raise DomainError(_("%(name)s is empty.") % {"name": upload.name})
    return data


def _image(data: bytes, name: str) -> tuple[bytes, str]:
    """The image's bytes as stored (scaled down when large) and its content type."""
    refused = DomainError(_("%(name)s is not a photo (JPEG, PNG or WebP).") % {"name": name})
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            if fmt not in IMAGE_FORMATS:
                raise refused
            if probe.width * probe.height > MAX_PIXELS:
                raise DomainError(_("%(name)s has too many pixels.") % {"name": name})
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            if max(image.size) <= MAX_SIDE and fmt != "JPEG":
                return data, IMAGE_FORMATS[fmt]
            image = ImageOps.exif_transpose(image)
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            out = io.BytesIO()
            if fmt == "JPEG" or image.mode not in ("RGBA", "LA", "P"):
                image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
                return out.getvalue(), "image/jpeg"
            image.save(out, "PNG", optimize=True)
            return out.getvalue(), "image/png"
    except DomainError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise refused from exc


def _checked(upload, *, allow_pdf: bool) -> tuple[bytes, str]:
    data = _read(upload)
    name = str(upload.name)[:200]
    if allow_pdf and data.startswith(b"%PDF-"):
        return data, "application/pdf"
    if allow_pdf:
        try:
            return _image(data, name)
        except DomainError as exc:
            if "pixels" in str(exc):
                raise
            raise DomainError(_("%(name)s is neither a photo nor a PDF.") % {"name": name}) from exc
    return _image(data, name)


@transaction.atomic
def attachments_add(*, work_order: WorkOrder, files, stage: str, actor=None) -> list[Attachment]:
    """Check every file first, then store them all, or none: one bad file refuses the whole upload."""
    files = [f for f in files if f]
    if not files:
        return []
    if stage not in Attachment.Stage.values:
        raise DomainError(_("Unknown attachment stage."))
    wo = WorkOrder.objects.select_for_update(of=("self",)).get(pk=work_order.pk)
    present = wo.attachments.count()
    if present + len(files) > settings.WORKORDER_PHOTOS_PER_ORDER:
        raise DomainError(
            _("An order takes at most %(limit)d photos and files.") % {"limit": settings.WORKORDER_PHOTOS_PER_ORDER}
        )
    allow_pdf = stage == Attachment.Stage.VENDOR_REPORT
    checked = [(f, *_checked(f, allow_pdf=allow_pdf)) for f in files]
    created = []
    for upload, data, content_type in checked:
        attachment = Attachment(
            work_order=wo, stage=stage, original_name=str(upload.name)[:200], content_type=content_type,
            size=len(data), uploaded_by=actor,
        )  # fmt: skip
        attachment.file.save("upload", ContentFile(data), save=False)
        attachment.save()
        created.append(attachment)
    return created
