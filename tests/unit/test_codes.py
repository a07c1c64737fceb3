"""Verification codes: storage, lifetime, attempts, failure cap, send limits, single use."""

from __future__ import annotations

import hmac
import threading
from collections import Counter

import pytest
from sqlmodel import SQLModel, select

from kivra_app.db import make_engine
from kivra_app.models import CodeFailureCounter, Signup, VerificationCode
from kivra_app.signup import codes as codes_module
from kivra_app.signup.codes import (
    CHANNEL_EMAIL,
    CHANNEL_SMS,
    CodeStore,
    code_hash,
    generate_code,
    normalise_code_input,
)
from kivra_app.signup.errors import SignupError
from tests.unit.fakes import Clock

KEY = b"k" * 32
IDENTITY = "i" * 64
DEST = "karin@example.se"


@pytest.fixture
def store(engine, settings, clock) -> CodeStore:
    return CodeStore(engine, KEY, settings, clock)


@pytest.fixture
def signup_id(engine, clock) -> int:
    from kivra_app.db import session_scope

    with session_scope(engine) as session:
        row = Signup(secret_hash="x" * 64, expires_at=clock.now)
        session.add(row)
        session.flush()
        return row.id


def issue(store: CodeStore, signup_id: int, channel=CHANNEL_EMAIL, destination=DEST,
          identity=IDENTITY, ip="192.0.2.1") -> str:
    store.check_can_send(signup_id=signup_id, channel=channel, destination=destination,
                         identity=identity, client_ip=ip)
    code_id, code = store.prepare(signup_id=signup_id, channel=channel, destination=destination,
                                  identity=identity, client_ip=ip)
    store.mark_sent(code_id)
    return code


def verify(store, signup_id, code, channel=CHANNEL_EMAIL, destination=DEST, identity=IDENTITY):
    store.verify(signup_id=signup_id, channel=channel, destination=destination,
                 identity=identity, code=code)


def refused(fn, *args, **kwargs) -> SignupError:
    with pytest.raises(SignupError) as info:
        fn(*args, **kwargs)
    return info.value


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


# ------------------------------------------------------------------ generation and storage

def test_codes_come_from_secrets_over_the_whole_range(monkeypatch):
    """R-01 without chance: each code is one draw of `secrets.randbelow(10**6)` (the CSPRNG,
    uniform over 000000-999999), written with its leading zeros. (A chi-square test of real
    draws fails once in a thousand runs by design; this one cannot fail by chance.)"""
    draws = iter([0, 7, 42, 99_999, 100_000, 999_999, 123_456])
    asked: list[int] = []

    def randbelow(n: int) -> int:
        asked.append(n)
        return next(draws)

    monkeypatch.setattr(codes_module.secrets, "randbelow", randbelow)
    codes = [generate_code() for _ in range(7)]
    assert codes == ["000000", "000007", "000042", "099999", "100000", "999999", "123456"]
    assert asked == [10**6] * 7  # one draw over the whole range each, nothing else


def test_a_real_code_is_six_ascii_digits():
    assert all(len(c) == 6 and c.isascii() and c.isdigit()
               for c in (generate_code() for _ in range(1000)))


def test_codes_are_compared_in_constant_time(store, signup_id, monkeypatch):
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a, b):  # noqa: ANN001, ANN202
        calls.append((a, b))
        return real(a, b)

    code = issue(store, signup_id)
    monkeypatch.setattr(codes_module.hmac, "compare_digest", spy)
    verify(store, signup_id, code)
    assert calls and all(len(a) == len(b) == 64 for a, b in calls)  # HMAC hex, not the code


def test_only_a_bound_hmac_is_stored(store, signup_id, engine):
    code = issue(store, signup_id)
    from sqlmodel import Session

    with Session(engine) as session:
        row = session.exec(select(VerificationCode)).one()
    assert code not in repr(row.model_dump())
    assert row.code_hash == hmac.new(
        KEY, "\x1f".join((code, str(row.id), CHANNEL_EMAIL, DEST)).encode(), "sha256"
    ).hexdigest()
    assert row.code_hash != code_hash(KEY, code, row.id, CHANNEL_SMS, DEST)
    assert row.code_hash != code_hash(KEY, code, row.id, CHANNEL_EMAIL, "other@example.se")


@pytest.mark.parametrize(
    ("raw", "key"),
    [("", "code.required"), ("   ", "code.required"), (123456, "code.format"),
     (["123456"], "code.format"), ({"a": 1}, "code.format"), (None, "code.format"),
     ("12345", "code.format"), ("1234567", "code.format"), ("12345a", "code.format"),
     ("１２３４５６", "code.format")],
)
def test_code_input_is_strictly_typed(raw, key):
    assert refused(normalise_code_input, raw).key == key


@pytest.mark.parametrize("raw", ["123456", "123456\n", " 123 456 "])
def test_code_input_keeps_what_a_person_pastes(raw):
    assert normalise_code_input(raw) == "123456"


# ------------------------------------------------------------------ lifetime

def test_valid_at_29_59_refused_at_30_00(store, signup_id, clock, settings):
    assert settings.email_code_ttl == 1800
    code = issue(store, signup_id)
    clock.advance(1799)
    verify(store, signup_id, code)  # accepted at +29:59

    clock.advance(61)  # a new code for the next boundary
    code = issue(store, signup_id)
    clock.advance(1800)
    assert refused(verify, store, signup_id, code).key == "code.expired"
    clock.advance(1)
    assert refused(verify, store, signup_id, code).key == "code.expired"


def test_sms_lifetime_is_its_own_setting(engine, settings, clock, signup_id):
    short = settings.model_copy(update={"sms_code_ttl": 600})
    store = CodeStore(engine, KEY, short, clock)
    code = issue(store, signup_id, channel=CHANNEL_SMS, destination="+46701740605")
    clock.advance(600)
    assert refused(verify, store, signup_id, code, channel=CHANNEL_SMS,
                   destination="+46701740605").key == "code.expired"
    email_code = issue(store, signup_id)
    clock.advance(1799)
    verify(store, signup_id, email_code)


def test_expiry_survives_a_restart(store, signup_id, clock, engine, settings):
    code = issue(store, signup_id)
    clock.advance(1799)
    restarted = CodeStore(make_engine(settings.effective_database_url), KEY, settings, clock)
    verify(restarted, signup_id, code)


def test_resend_gives_a_fresh_lifetime_and_kills_the_old_code(store, signup_id, clock):
    old = issue(store, signup_id)
    clock.advance(20 * 60)
    new = issue(store, signup_id)
    if new == old:  # 1 in a million
        pytest.skip("same code drawn twice")
    assert refused(verify, store, signup_id, old).key in ("code.wrong",)
    clock.advance(29 * 60 + 59)  # resend + 29:59, i.e. 49:59 after the first code
    verify(store, signup_id, new)


# ------------------------------------------------------------------ binding and single use

def test_code_works_once(store, signup_id):
    code = issue(store, signup_id)
    verify(store, signup_id, code)
    assert refused(verify, store, signup_id, code).key == "code.expired"


def test_code_is_bound_to_channel_destination_and_signup(store, signup_id, engine, clock):
    code = issue(store, signup_id)
    assert refused(verify, store, signup_id, code, channel=CHANNEL_SMS).key == "code.expired"
    assert refused(verify, store, signup_id, code, destination="b@x.se").key == "code.expired"
    from kivra_app.db import session_scope

    with session_scope(engine) as session:
        other = Signup(secret_hash="y" * 64, expires_at=clock.now)
        session.add(other)
        session.flush()
        other_id = other.id
    assert refused(verify, store, other_id, code).key == "code.expired"
    verify(store, signup_id, code)


def test_unsent_code_cannot_be_used(store, signup_id):
    code_id, code = store.prepare(signup_id=signup_id, channel=CHANNEL_EMAIL, destination=DEST,
                                  identity=IDENTITY, client_ip=None)
    assert refused(verify, store, signup_id, code).key == "code.expired"
    store.mark_failed(code_id)
    assert refused(verify, store, signup_id, code).key == "code.expired"


# ------------------------------------------------------------------ attempts

def test_five_wrong_attempts_lock_the_code(store, signup_id, settings):
    assert settings.code_max_attempts == 5
    code = issue(store, signup_id)
    lefts = []
    for _ in range(4):
        lefts.append(refused(verify, store, signup_id, wrong(code)).params["attempts_left"])
    assert lefts == [4, 3, 2, 1]
    assert refused(verify, store, signup_id, wrong(code)).key == "code.locked"
    assert refused(verify, store, signup_id, code).key == "code.locked"  # even the right one


def test_a_new_code_after_lock_works(store, signup_id, clock):
    code = issue(store, signup_id)
    for _ in range(5):
        refused(verify, store, signup_id, wrong(code))
    clock.advance(60)
    verify(store, signup_id, issue(store, signup_id))


def test_failure_cap_across_resends(store, signup_id, clock, settings, engine):
    """20 cycles of (resend + 5 wrong) = 100 failures: then verify and send are refused."""
    assert settings.code_max_consecutive_failures == 100
    big = settings.model_copy(update={"code_max_sends_per_window": 1000,
                                      "code_max_sends_per_destination": 1000,
                                      "code_max_sends_per_signup": 1000,
                                      "code_resend_cooldown": 1})
    store = CodeStore(engine, KEY, big, clock)
    keys = Counter()
    for _ in range(20):
        clock.advance(2)
        code = issue(store, signup_id)
        for _ in range(5):
            keys[refused(verify, store, signup_id, wrong(code)).key] += 1
    assert keys["code.blocked"] == 1  # the 100th failure
    clock.advance(2)
    assert refused(issue, store, signup_id).key == "code.blocked"
    assert refused(verify, store, signup_id, code).key == "code.blocked"
    # another destination has its own counter (the cap is per identity + destination)
    issue(store, signup_id, destination="other@example.se")


def test_success_resets_the_consecutive_failures(store, signup_id, engine):
    code = issue(store, signup_id)
    refused(verify, store, signup_id, wrong(code))
    verify(store, signup_id, code)
    from sqlmodel import Session

    with Session(engine) as session:
        assert session.exec(select(CodeFailureCounter.failures)).one() == 0


# ------------------------------------------------------------------ send limits

def test_resend_cooldown(store, signup_id, clock, settings):
    assert settings.code_resend_cooldown == 60
    issue(store, signup_id)
    clock.advance(59)
    error = refused(issue, store, signup_id)
    assert error.key == "code.resend_wait" and error.params == {"seconds": 1}
    clock.advance(1)
    issue(store, signup_id)


def _new_signup(engine, clock, tag: str) -> int:
    from kivra_app.db import session_scope

    with session_scope(engine) as session:
        row = Signup(secret_hash=tag * 64, expires_at=clock.now)
        session.add(row)
        session.flush()
        return row.id


def test_cooldown_is_per_destination_and_identity_across_signups(store, signup_id, engine,
                                                                 clock):
    issue(store, signup_id)
    same_person = _new_signup(engine, clock, "z")  # the same identity, another signup
    assert refused(issue, store, same_person).key == "code.resend_wait"
    someone_else = _new_signup(engine, clock, "y")
    issue(store, someone_else, identity="j" * 64)  # not held up by the first person's send


def test_send_cap_per_destination_and_window(store, signup_id, clock, settings):
    assert (settings.code_max_sends_per_window, settings.code_send_window) == (5, 1800)
    for _ in range(5):
        issue(store, signup_id)
        clock.advance(60)
    assert refused(issue, store, signup_id).key == "code.send_limit"
    clock.advance(1800 - 5 * 60 + 60)  # the first send leaves the window
    issue(store, signup_id)


def test_one_person_cannot_use_up_anothers_address(store, signup_id, engine, clock):
    """Issue #12 finding 6: a verified attacker who sends 5 codes to the victim's address in a
    window no longer blocks the victim, who gets their own codes."""
    for _ in range(5):
        issue(store, signup_id, identity="a" * 64)  # the attacker
        clock.advance(60)
    assert refused(issue, store, signup_id, identity="a" * 64).key == "code.send_limit"
    victim = _new_signup(engine, clock, "v")
    issue(store, victim, identity="v" * 64)


def test_everyones_sends_to_one_address_have_a_ceiling(engine, clock, settings):
    store = CodeStore(engine, KEY, settings.model_copy(
        update={"code_max_sends_per_destination": 8}), clock)
    for n in range(8):  # eight people, one code each
        issue(store, _new_signup(engine, clock, f"{n}"), identity=f"{n}" * 64)
    late = _new_signup(engine, clock, "l")
    assert refused(issue, store, late, identity="l" * 64).key == "code.send_limit"
    clock.advance(1801)
    issue(store, late, identity="l" * 64)


def test_send_cap_per_signup_and_channel(store, signup_id, clock, settings):
    """One signup typing address after address gets code_max_sends_per_signup codes in a
    window on a channel (each address on its own is far below its caps), not one more; the
    other channel and the next window are not held up."""
    cap = settings.code_max_sends_per_signup
    for n in range(cap):
        issue(store, signup_id, destination=f"a{n}@example.se")
    assert refused(issue, store, signup_id, destination="late@example.se").key == \
        "code.send_limit"
    issue(store, signup_id, channel=CHANNEL_SMS, destination="+46701234567")
    clock.advance(settings.code_send_window + 1)
    issue(store, signup_id, destination="late@example.se")


def test_send_cap_per_ip(store, engine, clock, settings):
    from kivra_app.db import session_scope

    for i in range(settings.code_max_sends_per_ip):
        with session_scope(engine) as session:
            row = Signup(secret_hash=f"{i:064d}", expires_at=clock.now)
            session.add(row)
            session.flush()
            sid = row.id
        issue(store, sid, destination=f"u{i}@example.se", identity=f"{i:064d}")
    with session_scope(engine) as session:
        row = Signup(secret_hash="n" * 64, expires_at=clock.now)
        session.add(row)
        session.flush()
        sid = row.id
    assert refused(issue, store, sid, destination="new@example.se",
                   identity="q" * 64).key == "code.send_limit"
    issue(store, sid, destination="new@example.se", identity="q" * 64, ip="198.51.100.7")


# ------------------------------------------------------------------ concurrency

def _file_store(tmp_path, settings, clock) -> tuple[CodeStore, int]:
    engine = make_engine(f"sqlite:///{tmp_path / 'race.db'}")
    SQLModel.metadata.create_all(engine)
    from kivra_app.db import session_scope

    with session_scope(engine) as session:
        row = Signup(secret_hash="r" * 64, expires_at=clock.now)
        session.add(row)
        session.flush()
        sid = row.id
    return CodeStore(engine, KEY, settings, clock), sid


def _race(n: int, target) -> list[str]:
    barrier = threading.Barrier(n)
    results: list[str] = []
    lock = threading.Lock()

    def run():
        barrier.wait()
        try:
            target()
            outcome = "ok"
        except SignupError as exc:
            outcome = exc.key
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_twenty_concurrent_right_codes_give_exactly_one_success(tmp_path, settings):
    clock = Clock()
    store, sid = _file_store(tmp_path, settings, clock)
    code = issue(store, sid)
    successes = []

    def submit():
        store.verify(signup_id=sid, channel=CHANNEL_EMAIL, destination=DEST, identity=IDENTITY,
                     code=code, on_success=lambda session: successes.append(1))

    results = _race(20, submit)
    assert len(results) == 20
    assert results.count("ok") == 1
    assert len(successes) == 1


def test_fifty_concurrent_wrong_codes_evaluate_at_most_five(tmp_path, settings):
    clock = Clock()
    store, sid = _file_store(tmp_path, settings, clock)
    code = issue(store, sid)
    results = _race(50, lambda: verify(store, sid, wrong(code)))
    assert results.count("code.wrong") <= 4
    assert results.count("ok") == 0
    assert refused(verify, store, sid, code).key == "code.locked"
