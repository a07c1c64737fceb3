"""Step 1: the typed personnummer (validated, kept to compare with what BankID says)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from kivra_app.db import session_scope
from kivra_app.signup.audit import security_event
from kivra_app.signup.core import SignupCore
from kivra_app.signup.errors import SignupError
from kivra_app.signup.steps import Step
from kivra_app.signup.validation import parse_personnummer, validate_personnummer
from kivra_app.signup.views import SignupView

SWEDEN = ZoneInfo("Europe/Stockholm")


def submit_personnummer(core: SignupCore, secret: str, raw: str) -> SignupView:
    with session_scope(core.engine) as session:
        signup = core.load(session, secret)
        if signup.step == Step.BANKID:
            # A double click: the same number again is a no-op.
            try:
                if parse_personnummer(raw).number == signup.personnummer_typed:
                    return core.build_view(session, signup)
            except SignupError:
                pass
        core.require(signup, Step.PERSONNUMMER, action="submit_personnummer")
        try:
            parsed = validate_personnummer(
                raw,
                today=core.now().astimezone(SWEDEN).date(),
                minimum_age=core.settings.minimum_age,
                allow_test_numbers=core.settings.test_personnummer_allowed,
            )
        except SignupError as exc:
            security_event("input_validation_fail", signup=signup.id, field="personnummer",
                           reason=exc.key)
            raise
        row = core.change_step(session, signup.id, Step.PERSONNUMMER, Step.BANKID,  # type: ignore[arg-type]
                               personnummer_typed=parsed.number)
        return core.build_view(session, row)
