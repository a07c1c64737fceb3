"""The signup steps and the only transitions the service allows (`check_transition`).

    PERSONNUMMER -> BANKID                     submit_personnummer
    BANKID -> PERSONNUMMER                     cancel_bankid
    BANKID -> EMAIL                            poll_bankid sees `complete` (new person)
    BANKID -> DONE                             poll_bankid sees `complete` (existing account)
    EMAIL -> EMAIL_CODE                        submit_email (code handed to the mail server)
    EMAIL_CODE -> EMAIL                        change_email
    EMAIL_CODE -> EMAIL_CODE                   resend_email_code
    EMAIL_CODE -> PHONE                        verify_email_code
    PHONE -> PHONE_CODE                        submit_phone (code handed to the SMS gateway)
    PHONE_CODE -> PHONE                        change_phone
    PHONE_CODE -> PHONE_CODE                   resend_phone_code
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

# The transition table. Every step change goes through SignupCore.change_step (core.py), which
# refuses a move not listed here (IllegalStepChange: a bug in the caller, never user input).
# A code step to itself is a resend (a new code, the step stays).
_ALLOWED: dict[Step, frozenset[Step]] = {
    Step.PERSONNUMMER: frozenset({Step.BANKID}),
    Step.BANKID: frozenset({Step.PERSONNUMMER, Step.EMAIL, Step.DONE}),
    Step.EMAIL: frozenset({Step.EMAIL_CODE}),
    Step.EMAIL_CODE: frozenset({Step.EMAIL, Step.EMAIL_CODE, Step.PHONE}),
    Step.PHONE: frozenset({Step.PHONE_CODE}),
    Step.PHONE_CODE: frozenset({Step.PHONE, Step.PHONE_CODE, Step.DONE, Step.EMAIL}),
    Step.DONE: frozenset(),
}


class IllegalStepChange(RuntimeError):
    """A step change the table does not allow was attempted (a programming error)."""


def check_transition(source: Step | str, target: Step | str) -> tuple[Step, Step]:
    """(source, target) as Steps if the table allows the move, else IllegalStepChange."""
    source, target = Step(source), Step(target)
    if target not in _ALLOWED[source]:
        raise IllegalStepChange(f"{source.value} -> {target.value}")
    return source, target
