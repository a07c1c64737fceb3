"""Test identities the simulated BankID app can act as.

Personal numbers are Skatteverket test personnummer (formally valid, never issued to
real people; reference product-facts §5.4). UI end-to-end tests pick identities by `key`.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TestIdentity:
    __test__ = False  # not a pytest test class

    key: str
    personal_number: str = field(repr=False)
    given_name: str
    surname: str
    kind: str = "adult"  # "adult", "coordination" (samordningsnummer) or "minor"
    bank_id_issue_date: str = "2023-01-01"

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.surname}"

    @property
    def masked_personal_number(self) -> str:
        return mask_personal_number(self.personal_number)

    def to_public_json(self) -> dict[str, str]:
        """For the test app's identity picker; the full number is what the tester types."""
        return {
            "key": self.key,
            "name": self.name,
            "kind": self.kind,
            "personalNumber": self.personal_number,
        }


def mask_personal_number(personal_number: str | None) -> str | None:
    """YYYYMMDD-**** style: enough to tell test users apart, not the full number."""
    if not personal_number:
        return None
    return personal_number[:8] + "-****" if len(personal_number) == 12 else "****"


DEFAULT_IDENTITIES: tuple[TestIdentity, ...] = (
    TestIdentity("anna", "198107249289", "Anna", "Andersson"),
    TestIdentity("bertil", "199001189811", "Bertil", "Berg"),
    TestIdentity("cecilia", "194510168885", "Cecilia", "Carlsson"),
    TestIdentity("david", "189912299816", "David", "Dahl"),
    TestIdentity("elsa", "191911612388", "Elsa", "Ek", kind="coordination"),
    TestIdentity("filippa", "201701102384", "Filippa", "Falk", kind="minor"),
)


def find_identity(
    identities: tuple[TestIdentity, ...],
    *,
    key: str | None = None,
    personal_number: str | None = None,
) -> TestIdentity | None:
    for identity in identities:
        if key is not None and identity.key == key:
            return identity
        if personal_number is not None and identity.personal_number == personal_number:
            return identity
    return None
