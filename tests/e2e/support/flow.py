"""Reach any signup step in one call: `signup_at("phone_code")` drives the UI through the
page objects, with BankID approved and codes read through the test-support API."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from playwright.sync_api import Page

from tests.e2e.pages.bankid import BankIdPhone, BankIdStep
from tests.e2e.pages.mailbox import MailboxPage
from tests.e2e.pages.signup import (
    CodeStep,
    DoneStep,
    EmailStep,
    PersonnummerStep,
    PhoneStep,
    SmsCodeStep,
)
from tests.e2e.pages.start import StartPage
from tests.e2e.support.factories import Person
from tests.e2e.support.test_api import TestApi

STEPS = ("personnummer", "bankid", "email", "email_code", "phone", "phone_code", "done",
         "mailbox")


@dataclass
class SignupFlow:
    page: Page
    api: TestApi
    person: Person
    lang: str = "sv"
    codes: dict[str, str] = field(default_factory=dict)  # the last code per channel

    def screen(self, step: str):  # noqa: ANN201 - the page object of `step`
        cls = {"personnummer": PersonnummerStep, "bankid": BankIdStep, "email": EmailStep,
               "email_code": CodeStep, "phone": PhoneStep, "phone_code": SmsCodeStep,
               "done": DoneStep, "mailbox": MailboxPage}[step]
        return cls(self.page, self.lang)

    def go_to(self, target: str) -> SignupFlow:
        """From the start page to `target` (one of STEPS), as a person on this device would."""
        if target not in STEPS:
            raise ValueError(f"target must be one of {STEPS}")
        StartPage(self.page, self.lang).open().begin_signup()  # type: ignore[attr-defined]
        for step in STEPS[1:STEPS.index(target) + 1]:
            self._finish(STEPS[STEPS.index(step) - 1])
            self.screen(step).wait() if step != "mailbox" else None
        return self

    def _finish(self, step: str) -> None:
        """Complete `step` (the screen on display)."""
        p = self.person
        if step == "personnummer":
            PersonnummerStep(self.page, self.lang).enter(p.personnummer)
        elif step == "bankid":
            BankIdStep(self.page, self.lang).wait_started()
            BankIdPhone(self.api).approve(personal_number=p.personnummer)
        elif step == "email":
            EmailStep(self.page, self.lang).enter(p.email)
            self.codes["email"] = self.api.latest_code(p.email, channel="email")["code"]
        elif step == "email_code":
            CodeStep(self.page, self.lang).enter(self.codes["email"])
        elif step == "phone":
            PhoneStep(self.page, self.lang).enter(p.phone.national)
            self.codes["sms"] = self.api.latest_code(p.phone.e164, channel="sms")["code"]
        elif step == "phone_code":
            SmsCodeStep(self.page, self.lang).enter(self.codes["sms"])
        elif step == "done":
            DoneStep(self.page, self.lang).ok.click()
            self.page.wait_for_url(re.compile(r".*/mailbox/?$"))
