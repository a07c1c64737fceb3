"""The signup steps and the only transitions the service allows.

    PERSONNUMMER -> BANKID                     submit_personnummer
    BANKID -> PERSONNUMMER                     cancel_bankid, back_to_personnummer
    BANKID -> EMAIL                            poll_bankid sees `complete` (new person)
    BANKID -> DONE                             poll_bankid sees `complete` (existing account)
    EMAIL -> EMAIL_CODE                        submit_email (code handed to the mail server)
    EMAIL_CODE -> EMAIL                        change_email
    EMAIL_CODE -> PHONE                        verify_email_code
    PHONE -> PHONE_CODE                        submit_phone (code handed to the SMS gateway)
    PHONE_CODE -> PHONE                        change_phone
    PHONE_CODE -> DONE                         verify_phone_code (creates the account)
    PHONE_CODE -> EMAIL                        verify_phone_code, if the email was taken meanwhile
"""

from __future__ import annotations

from enum import StrEnum


class Step(StrEnum):
    PERSONNUMMER = "personnummer"
    BANKID = "bankid"
    EMAIL = "email"
    EMAIL_CODE = "email_code"
    PHONE = "phone"
    PHONE_CODE = "phone_code"
    DONE = "done"

    @property
    def number(self) -> int:
        """'Steg N av 7'."""
        return _NUMBERS[self]


_NUMBERS = {
    Step.PERSONNUMMER: 1,
    Step.BANKID: 2,
    Step.EMAIL: 3,
    Step.EMAIL_CODE: 4,
    Step.PHONE: 5,
    Step.PHONE_CODE: 6,
    Step.DONE: 7,
}

TOTAL_STEPS = 7

TRANSITIONS: frozenset[tuple[Step, Step]] = frozenset(
    {
        (Step.PERSONNUMMER, Step.BANKID),
        (Step.BANKID, Step.PERSONNUMMER),
        (Step.BANKID, Step.EMAIL),
        (Step.BANKID, Step.DONE),
        (Step.EMAIL, Step.EMAIL_CODE),
        (Step.EMAIL_CODE, Step.EMAIL),
        (Step.EMAIL_CODE, Step.PHONE),
        (Step.PHONE, Step.PHONE_CODE),
        (Step.PHONE_CODE, Step.PHONE),
        (Step.PHONE_CODE, Step.DONE),
        (Step.PHONE_CODE, Step.EMAIL),
    }
)


def allowed(current: Step | str, target: Step | str) -> bool:
    return (Step(current), Step(target)) in TRANSITIONS
