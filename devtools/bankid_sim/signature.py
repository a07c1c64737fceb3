"""A fake, clearly marked `bankIdSignedData` XML for completionData.signature.

It has the shape of the real one (reference §3.4) so parsing code can be exercised, but
it carries no valid XML-DSig: never accept it outside development.
"""

from __future__ import annotations

import base64
import secrets
from xml.sax.saxutils import escape


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def fake_signature(
    *, signing: bool, user_visible_data: str | None, user_non_visible_data: str | None
) -> str:
    func_id = "Signing" if signing else "Identification"
    visible = (
        f'<usrVisibleData charset="UTF-8" visible="wysiwys">{escape(user_visible_data)}'
        "</usrVisibleData>"
        if user_visible_data
        else ""
    )
    non_visible = (
        f"<usrNonVisibleData>{escape(user_non_visible_data)}</usrNonVisibleData>"
        if user_non_visible_data
        else ""
    )
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>'
        '<Signature xmlns="http://www.w3.org/2000/09/xmldsig#">'
        "<!-- SIMULATED BY devtools.bankid_sim: NOT A VALID SIGNATURE -->"
        "<SignedInfo/><SignatureValue>U0lNVUxBVEVE</SignatureValue>"
        '<Object><bankIdSignedData xmlns="http://www.bankid.com/signature/v1.0.0/types" '
        'Id="bidSignedData">'
        f"{visible}{non_visible}"
        f"<srvInfo><name>{_b64('Simulated RP')}</name>"
        f"<nonce>{base64.b64encode(secrets.token_bytes(20)).decode('ascii')}</nonce>"
        f"<displayName>{_b64('Kivra (simulator)')}</displayName></srvInfo>"
        f"<clientInfo><funcId>{func_id}</funcId><version>{_b64('simulator')}</version>"
        f"<env><ai><type>{_b64('SIMULATOR')}</type></ai></env></clientInfo>"
        f"</bankIdSignedData></Object></Signature>"
    )
    return _b64(xml)


FAKE_OCSP_RESPONSE = _b64("SIMULATED OCSP RESPONSE - NOT VALID")
