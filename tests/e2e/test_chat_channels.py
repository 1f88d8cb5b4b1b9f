"""The chat-channel page in a browser: an admin adds a robot, the key stays masked, and
the test message reaches a fake WeCom on 127.0.0.1 (no console errors, no CSP
violations)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.planner.notify.chat_server import ChatServer

KEY = "693a91f6-7c1e-4d2a-9b1f-0a1b2c3d1f2e"


@pytest.fixture
def wecom(settings):
    settings.CHAT_WEBHOOK_ALLOW_PRIVATE = True
    fake = ChatServer().start()
    yield fake
    fake.stop()


def test_an_admin_adds_a_chat_channel_and_sends_a_test(world, page, login, shot, wecom):
    login(page, "admin")
    page.goto("/w/lumi/")
    page.get_by_role("link", name="Chat channels").click()
    page.locator("summary.chat-summary").click()
    page.get_by_label("Name").fill("Growth squad")
    page.get_by_label("Platform").select_option("wecom")
    page.get_by_label("Webhook URL").fill(wecom.url(f"/wecom/webhook/send?key={KEY}"))
    page.get_by_role("button", name="Add chat channel").click()
    row = page.locator("#chat-channels tbody tr").first
    expect(row).to_contain_text("Growth squad")
    expect(row).to_contain_text("1f2e")
    assert KEY not in page.content()

    row.get_by_role("button", name="Send test message").click()
    expect(page.locator("body")).to_contain_text("Test message queued")
    page.reload()
    expect(page.locator("#chat-channels tbody tr").first).to_contain_text("Sent")
    [posted] = wecom.posted()
    assert posted.query == {"key": [KEY]}
    assert "Test message from Almanac" in posted.body["markdown"]["content"]
    shot(page, "chat-channels")
