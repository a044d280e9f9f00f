"""Work-order pages: reporting (QR prefill, photos, duplicates, replays, bad files), the technician's
steps by page (scan arrival, complete with photos), verifying, who sees what (404), the list with
filters and its Excel export, the dispatch board, and files served only to who may see the order."""

from __future__ import annotations

import io
import random
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook
from PIL import Image

from logistics.org.models import Building, Campus, Floor, Location, Staff, Team
from logistics.org.services import roles_sync
from workorders.models import Attachment, Category, WorkOrder, WorkOrderEvent
from workorders.services import work_order_create, work_order_dispatch

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def jpeg(size=(64, 48), color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def org(make_user):
    roles_sync()
    campus = Campus.objects.create(code="MAIN", name="本部")
    other_campus = Campus.objects.create(code="EAST", name="东院")
    building = Building.objects.create(campus=campus, code="B1", name="门诊楼")
    floor = Floor.objects.create(building=building, code="F5", name="5F")
    room = Location.objects.create(campus=campus, building=building, floor=floor, code="5B-12", name="5B-12病房")
    plant = Location.objects.create(campus=other_campus, code="PLANT", name="动力中心", kind="plant_room")
    team = Team.objects.create(code="hvac", name="空调班")
    water = Team.objects.create(code="water", name="水电班")
    lead = Staff.objects.create(employee_no="1", name="班长", team=team, user=make_user("lead", roles=("team_lead",)))
    team.lead = lead
    team.save()
    tech = Staff.objects.create(employee_no="2", name="张师傅", team=team,
                                user=make_user("tech", roles=("technician",)))  # fmt: skip
    outsider = Staff.objects.create(employee_no="3", name="王师傅", team=water,
                                    user=make_user("outsider", roles=("technician",)))  # fmt: skip
    nurse = Staff.objects.create(employee_no="9", name="护士长", user=make_user("nurse", roles=("requester",)))
    hvac = Category.objects.create(code="hvac", name="空调", team=team)
    plumbing = Category.objects.create(code="plumbing", name="管道", team=water)
    dispatcher = make_user("dispatcher", roles=("dispatcher",))
    return dict(room=room, plant=plant, team=team, water=water, lead=lead, tech=tech, outsider=outsider,
                nurse=nurse, hvac=hvac, plumbing=plumbing, dispatcher=dispatcher)  # fmt: skip


def report(client, org, **extra):
    data = {"submission_key": str(uuid.uuid4()), "category": org["hvac"].pk, "location": org["room"].pk,
            "title": "空调漏水", "description": "滴水到床上", "priority": "high", "contact": "8123"}  # fmt: skip
    data.update(extra)
    return client.post(reverse("workorders:new"), data, **EN)


def test_report_from_a_location_label_is_prefilled_and_files_the_order_with_its_photo(org, client_as):
    client = client_as(org["nurse"].user)
    landing = client.get(f"/l/{org['room'].qr_token}", **EN).content.decode()
    assert "Report a fault here" in landing
    form = client.get(reverse("workorders:new") + f"?location={org['room'].qr_token}", **EN).content.decode()
    assert "5B-12病房" in form and f'value="{org["room"].pk}" selected' in form
    photo = SimpleUploadedFile("leak.jpg", jpeg((4000, 3000)), content_type="image/jpeg")
    response = report(client, org, photos=[photo])
    wo = WorkOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("workorders:detail", args=[wo.pk])
    assert (wo.requester, wo.location, wo.department, wo.priority) == (org["nurse"], org["room"], None, "high")
    attachment = wo.attachments.get()
    assert attachment.stage == Attachment.Stage.REPORT and attachment.content_type == "image/jpeg"
    with Image.open(attachment.file.open("rb")) as stored:
        assert max(stored.size) == 2048  # scaled down from 4000 px
    page = client.get(reverse("workorders:detail", args=[wo.pk]), **EN).content.decode()
    assert (
        wo.number in page
        and "空调漏水" in page
        and reverse("workorders:attachment", args=[wo.pk, attachment.pk]) in page
    )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.jpg", b"this is not an image at all", "is not a photo"),
        ("script.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "is not a photo"),
        ("doc.pdf", b"%PDF-1.4 fake", "is not a photo"),
        ("truncated.jpg", jpeg()[:200], "is not a photo"),
    ],
)
def test_a_wrong_file_refuses_the_whole_report_and_stores_nothing(org, client_as, name, content, message):
    client = client_as(org["nurse"].user)
    files = [SimpleUploadedFile("good.jpg", jpeg(), "image/jpeg"), SimpleUploadedFile(name, content, "image/jpeg")]
    response = report(client, org, photos=files)
    assert response.status_code == 400 and message in response.content.decode()
    assert not WorkOrder.objects.exists() and not Attachment.objects.exists()


@override_settings(WORKORDER_PHOTO_MAX_MB=1)
def test_a_huge_photo_is_refused_with_the_limit(org, client_as):
    noisy = Image.frombytes("RGB", (1200, 1200), random.Random(1).randbytes(1200 * 1200 * 3))
    out = io.BytesIO()
    noisy.save(out, "PNG")
    assert len(out.getvalue()) > 1024 * 1024
    response = report(client_as(org["nurse"].user), org, photos=[SimpleUploadedFile("big.png", out.getvalue())])
    assert response.status_code == 400 and "larger than 1 MB" in response.content.decode()
    assert not WorkOrder.objects.exists()


def test_empty_and_oversized_fields_are_refused(org, client_as):
    client = client_as(org["nurse"].user)
    assert report(client, org, title="").status_code == 400
    assert report(client, org, title="x" * 121).status_code == 400
    assert report(client, org, description="x" * 4001).status_code == 400
    assert report(client, org, location="", category=org["hvac"].pk).status_code == 400
    assert report(client, org, location=999999).status_code == 400
    assert not WorkOrder.objects.exists()


def test_a_replayed_post_files_one_order(org, client_as):
    client = client_as(org["nurse"].user)
    key = str(uuid.uuid4())
    first, second = report(client, org, submission_key=key), report(client, org, submission_key=key)
    assert WorkOrder.objects.count() == 1
    assert first["Location"] == second["Location"]
    follow = client.get(second["Location"], **EN)
    assert "already filed" in " ".join(str(m) for m in follow.context["messages"])


def test_an_open_order_at_the_same_place_warns_before_a_second_report(org, client_as):
    client = client_as(org["nurse"].user)
    report(client, org)
    warned = report(client, org, title="又漏水了")
    assert warned.status_code == 409 and "may already be reported" in warned.content.decode()
    assert WorkOrder.objects.count() == 1
    assert report(client, org, title="又漏水了", confirm_duplicate="on").status_code == 302
    assert WorkOrder.objects.count() == 2


def test_the_service_desk_files_for_a_caller_by_employee_number(org, client_as):
    client = client_as(org["dispatcher"])
    assert "Caller" in client.get(reverse("workorders:new") + "?desk=1", **EN).content.decode()
    response = report(client, org, desk="1", caller_employee_no="9", caller_name="护士长")
    assert response.status_code == 302
    wo = WorkOrder.objects.get()
    assert (
        wo.origin == WorkOrder.Origin.SERVICE_DESK
        and wo.requester == org["nurse"]
        and wo.created_by == org["dispatcher"]
    )
    unknown = report(client, org, desk="1", caller_employee_no="NOPE")
    assert unknown.status_code == 400 and "No active staff member" in unknown.content.decode()


def _order(org, **kw):
    wo = work_order_create(category=org["hvac"], title="空调不制冷", requester=org["nurse"], location=org["room"],
                           actor=org["nurse"].user, **kw)  # fmt: skip
    return work_order_dispatch(work_order=wo, assignee=org["tech"])


def post(client, wo, action, **data):
    return client.post(reverse("workorders:action", args=[wo.pk, action]), data, follow=True, **EN)


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_the_technician_works_the_order_by_page_and_the_requester_rates_it(org, client_as):
    wo = _order(org)
    tech = client_as(org["tech"].user)
    tasks = tech.get(reverse("workorders:my_tasks"), **EN).content.decode()
    assert wo.number in tasks
    assert "Accept" in tech.get(reverse("workorders:detail", args=[wo.pk]), **EN).content.decode()
    assert "You accepted" in messages_of(post(tech, wo, "accept"))
    # the replayed accept changes nothing and says why
    assert "not possible now" in messages_of(post(tech, wo, "accept"))
    # scanning the wrong place is refused with a clear message; the right one is recorded
    wrong = tech.post(reverse("workorders:arrive", args=[wo.pk]), {"code": f"L:{org['plant'].qr_token}"}, **EN)
    assert wrong.status_code == 400 and "but this order is at" in wrong.content.decode()
    landing = tech.get(f"/l/{org['room'].qr_token}", **EN).content.decode()
    assert "I have arrived for my work order" in landing
    arrived = tech.post(reverse("workorders:arrive", args=[wo.pk]), {"code": f"L:{org['room'].qr_token}"}, **EN)
    assert arrived.status_code == 302
    post(tech, wo, "start")
    done = post(tech, wo, "complete", findings="冷凝水管堵塞", actions="疏通", labour_minutes="40",
                photos=[SimpleUploadedFile("after.png", jpeg(), "image/png")])  # fmt: skip
    assert "requester will verify" in messages_of(done)
    wo.refresh_from_db()
    assert wo.status == "completed" and wo.labour_minutes == 40 and wo.attachments.count() == 1
    nurse = client_as(org["nurse"].user)
    assert wo.number in nurse.get(reverse("workorders:my_requests"), **EN).content.decode()
    assert "Rate the work" in messages_of(post(nurse, wo, "verify", accept="yes"))
    closed = post(nurse, wo, "verify", accept="yes", rating="5", comment="很快")
    assert "is closed" in messages_of(closed)
    wo.refresh_from_db()
    assert (wo.status, wo.rating) == ("closed", 5)
    kinds = list(WorkOrderEvent.objects.filter(work_order=wo).values_list("kind", flat=True))
    assert kinds == ["submitted", "dispatched", "accepted", "arrived", "started", "completed", "verified"]
    page = nurse.get(reverse("workorders:detail", args=[wo.pk]), **EN).content.decode()
    assert "★★★★★" in page and "很快" in page


def test_steps_out_of_order_and_other_peoples_orders(org, client_as):
    wo = _order(org)
    tech = client_as(org["tech"].user)
    assert "not possible now" in messages_of(post(tech, wo, "complete", findings="x", labour_minutes="1"))
    outsider = client_as(org["outsider"].user)
    assert outsider.get(reverse("workorders:detail", args=[wo.pk])).status_code == 404
    assert outsider.post(reverse("workorders:action", args=[wo.pk, "accept"])).status_code == 404
    assert outsider.post(reverse("workorders:arrive", args=[wo.pk]), {"code": "L:x"}).status_code == 404
    # the nurse may see her order but not work it
    nurse = client_as(org["nurse"].user)
    assert "not possible now" in messages_of(post(nurse, wo, "accept"))
    wo.refresh_from_db()
    assert wo.status == "dispatched"


def test_attachments_are_served_only_to_who_may_see_the_order(org, client_as):
    client = client_as(org["nurse"].user)
    report(client, org, photos=[SimpleUploadedFile("a.jpg", jpeg(), "image/jpeg")])
    attachment = Attachment.objects.get()
    url = reverse("workorders:attachment", args=[attachment.work_order_id, attachment.pk])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    assert client_as(org["outsider"].user).get(url).status_code == 404
    assert not url.startswith("/media/")


def test_the_list_filters_and_exports_what_it_shows(org, client_as):
    hvac = _order(org, priority="urgent")
    plumbing = work_order_create(category=org["plumbing"], title="下水道堵", location=org["plant"], priority="low")
    client = client_as(org["dispatcher"])
    everything = client.get(reverse("workorders:list"), **EN).content.decode()
    assert hvac.number in everything and plumbing.number in everything
    urgent = client.get(reverse("workorders:list") + "?priority=urgent", **EN).content.decode()
    assert hvac.number in urgent and plumbing.number not in urgent
    east = client.get(reverse("workorders:list") + f"?campus={org['plant'].campus_id}", **EN).content.decode()
    assert plumbing.number in east and hvac.number not in east
    response = client.get(reverse("workorders:export") + "?priority=urgent", **EN)
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Number" and [r[0] for r in rows[1:]] == [hvac.number]
    # a technician of another team does not see the order in the list either
    outsider = client_as(org["outsider"].user).get(reverse("workorders:list"), **EN).content.decode()
    assert hvac.number not in outsider and plumbing.number in outsider


def test_the_board_shows_waiting_orders_and_assigns_inline(org, client_as):
    waiting = work_order_create(category=org["hvac"], title="风口异响", location=org["room"])
    client = client_as(org["dispatcher"])
    board = client.get(reverse("workorders:board") + f"?team={org['team'].pk}", **EN).content.decode()
    assert waiting.number in board and "张师傅" in board
    response = client.post(reverse("workorders:action", args=[waiting.pk, "dispatch"]),
                           {"assignee": org["tech"].pk, "next": reverse("workorders:board")})  # fmt: skip
    assert response.status_code == 302 and response["Location"] == reverse("workorders:board")
    waiting.refresh_from_db()
    assert waiting.status == "dispatched" and waiting.assignee == org["tech"] and not waiting.auto_dispatched
    assert client_as(org["tech"].user).get(reverse("workorders:board")).status_code == 403


def test_a_scanned_order_number_opens_the_order_for_who_may_see_it(org, client_as):
    wo = _order(org)
    response = client_as(org["tech"].user).get(reverse("scan") + f"?code={wo.number.lower()}")
    assert response.status_code == 302 and response["Location"] == reverse("workorders:detail", args=[wo.pk])
    assert client_as(org["outsider"].user).get(reverse("scan") + f"?code={wo.number}").status_code == 404
    assert Staff.objects.count() == 4


def test_helpers_join_an_order_and_can_work_it(org, client_as, make_user):
    from logistics.notifications.models import Notification

    wo = _order(org)
    helper = Staff.objects.create(employee_no="4", name="赵师傅", team=org["water"],
                                  user=make_user("helper", roles=("technician",)))  # fmt: skip
    tech = client_as(org["tech"].user)
    done = post(tech, wo, "helpers", helpers=[helper.pk])
    assert "updated" in messages_of(done)
    assert list(wo.helpers.all()) == [helper]
    assert Notification.objects.filter(recipient=helper.user, verb="workorders.helper").exists()
    helper_client = client_as(helper.user)
    assert wo.number in helper_client.get(reverse("workorders:my_tasks"), **EN).content.decode()
    assert helper_client.get(reverse("workorders:detail", args=[wo.pk])).status_code == 200
    # the requester cannot change who helps
    assert "not possible now" in messages_of(post(client_as(org["nurse"].user), wo, "helpers", helpers=[]))
    assert wo.events.filter(kind="helpers", comment="赵师傅").exists()
