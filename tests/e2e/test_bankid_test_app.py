"""A person completes a BankID identification with the "BankID test app" page (issue #3)."""

from playwright.sync_api import Page, expect

from kivra_app.bankid.client import BankIdClient
from kivra_app.bankid.models import AuthRequest, Requirement
from tests.e2e.helpers import run_async

ANNA = "198107249289"


async def _start(base: str) -> str:
    async with BankIdClient(base) as client:
        order = await client.auth(
            AuthRequest(end_user_ip="127.0.0.1", requirement=Requirement(personal_number=ANNA))
        )
    return order.order_ref


async def _collect(base: str, order_ref: str):
    async with BankIdClient(base) as client:
        return await client.collect(order_ref)


def test_identify_with_the_test_app_page(desktop_page: Page, app_url: str) -> None:
    rp_base = f"{app_url}/bankid-sim/rp/v6.0/"
    order_ref = run_async(_start(rp_base))

    page = desktop_page
    page.goto("/bankid-sim/app")
    expect(page.get_by_role("heading", name="BankID test app")).to_be_visible()
    page.get_by_label("Testperson / Test person").select_option("anna")
    pending = page.get_by_role("listitem").filter(has_text="19810724-****").last
    pending.get_by_role("button", name="Öppna order").click()
    expect(page.get_by_role("status")).to_contain_text("pending")
    page.get_by_role("button", name="Godkänn / Approve").click()
    expect(page.get_by_role("status")).to_contain_text("complete")

    result = run_async(_collect(rp_base, order_ref))
    assert result.status == "complete"
    assert result.completion_data.user.personal_number == ANNA
