"""The payment provider the app pays through. Only the simulated bank exists here: a real
payment-initiation partner needs a contract (and a PSD2 licence or an agent agreement); it
would be one more class behind kivra_app/payments/provider.py. In production the simulated bank
is a development part and is refused unless KIVRA_ALLOW_DEV_PARTS_IN_PRODUCTION is set."""

from __future__ import annotations

from functools import lru_cache

from kivra_app.payments.provider import PaymentProvider


@lru_cache
def payment_provider() -> PaymentProvider:
    from kivra_app.db import get_engine
    from kivra_app.payments.simulated import SimulatedBank
    from kivra_app.settings import get_settings

    settings = get_settings()
    if not settings.dev_parts_enabled:
        raise RuntimeError("no payment provider configured (the simulated bank is a development part)")
    return SimulatedBank(get_engine())
