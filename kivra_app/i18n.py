"""Every user-visible text of the web app, in Swedish (klarspråk) and English.

One catalogue, identical keys in both languages (tests/unit_ui/test_i18n.py checks it). Texts
may hold `{name}` placeholders, filled in by `t(lang, key, **params)`. The signup domain raises
`SignupError(key, params)`; every such key (docs/signup-service.md) has a text here.

Plain Python: no Reflex import, so the domain, the HTTP routes and the states can all use it.
"""

from __future__ import annotations

from typing import Final

LANGUAGES: Final = ("sv", "en")
DEFAULT_LANGUAGE: Final = "sv"

# Keys the signup domain may raise (docs/signup-service.md, "Error keys").
ERROR_KEYS: Final = (
    "pnr.required",
    "pnr.invalid",
    "pnr.future",
    "pnr.looks_like_phone",
    "pnr.too_young",
    "pnr.test_number",
    "email.required",
    "email.invalid",
    "phone.required",
    "phone.invalid",
    "phone.not_mobile",
    "phone.not_swedish",
    "code.required",
    "code.format",
    "code.wrong",
    "code.expired",
    "code.locked",
    "code.blocked",
    "code.resend_wait",
    "code.send_limit",
    "signup.expired",
    "signup.wrong_step",
    "bankid.underage",
    "bankid.start_limit",
    "service.mail",
    "service.sms",
    "service.bankid",
)

_SV: dict[str, str] = {
    # Shell, on every page
    "app.name": "Kivra",
    "nav.skip": "Hoppa till innehållet",
    "nav.help": "Behöver du hjälp?",
    "nav.home": "Kivra, till startsidan",
    "lang.label": "Språk",
    "lang.other": "In English",
    "lang.other_code": "en",
    "common.continue": "Fortsätt",
    "common.loading": "Laddar …",
    "common.close": "Stäng",
    "error.generic": "Något gick fel. Försök igen om en liten stund.",
    "error.summary": "Det finns ett fel på sidan:",
    # Start page
    "start.title": "Skapa ett Kivra-konto",
    "page_title./": "Skapa konto – Kivra",
    "page_title./signup": "Skapa konto – Kivra",
    "page_title./mailbox": "Din Kivra",
    "page_title./hjalp": "Behöver du hjälp? – Kivra",
    "start.free": "Att skapa ett Kivra-konto är gratis.",
    "start.intro": "Med Kivra får du din post från företag och myndigheter digitalt, samlad på ett ställe.",
    "start.need": "Det här behöver du för att skapa ett konto:",
    "start.need_pnr": "Svenskt personnummer",
    "start.need_email": "Mailadress",
    "start.need_phone": "Mobiltelefon",
    "start.need_bankid": "Mobilt BankID på din telefon",
    "start.cta": "Skapa konto",
    "start.time": "Det tar ungefär fem minuter.",
    # Progress
    "progress.label": "Steg {n} av {total}",
    "progress.name": "Hur långt du har kommit",
    # Step 1: personnummer
    "pnr.heading": "Skriv ditt personnummer",
    "pnr.intro": "Nu behöver du skriva in ditt personnummer och sen legitimera dig med ditt mobila BankID.",
    "pnr.label": "Personnummer",
    "pnr.hint": "Tolv siffror: ÅÅÅÅMMDDNNNN",
    "pnr.submit": "Fortsätt med BankID",
    # Step 2: BankID
    "bankid.heading": "Legitimera dig med BankID",
    "bankid.for": "Legitimering för personnummer",
    "bankid.qr_intro": "Legitimera dig med BankID-appen som finns på din mobiltelefon.",
    "bankid.qr_step1": "Öppna BankID-appen på din mobiltelefon och klicka på Scanna QR-kod",
    "bankid.qr_step2": "Rikta kameran mot QR-koden som visas på skärmen",
    "bankid.qr_step3": "Slutför identifieringen",
    "bankid.qr_alt": "QR-kod att scanna med BankID-appen",
    "bankid.qr_loading": "QR-koden visas strax …",
    "bankid.this_device": "Öppna BankID på den här datorn",
    "bankid.this_unit": "Öppna BankID på den här enheten",
    "bankid.open_app": "Öppna BankID",
    "bankid.app_intro": "Tryck på Öppna BankID. När du har legitimerat dig i BankID-appen kommer du tillbaka hit.",
    "bankid.other_device": "Använd BankID på en annan enhet",
    "bankid.cancel": "Avbryt",
    "bankid.retry": "Försök igen",
    "bankid.starting": "Startar BankID …",
    "bankid.welcome_back_heading": "Välkommen tillbaka!",
    "bankid.welcome_back": "Du har redan ett Kivra-konto. Du kommer till din Kivra med knappen nedan.",
    "bankid.welcome_back_named": "Hej {name}! Du har redan ett Kivra-konto. Du kommer till din Kivra med knappen nedan.",
    "bankid.to_mailbox": "Gå till din Kivra",
    # Step 3: email
    "email.heading": "Fyll i din mailadress",
    "email.hello": "Hej {name}! Du är nu legitimerad.",
    "email.intro": "Vi skickar en kod till din mail för att kontrollera att adressen stämmer.",
    "email.label": "Mailadress",
    "email.hint": "Till exempel namn@exempel.se",
    # Step 4: email code
    "email_code.heading": "Fyll i koden från mailet",
    "email_code.intro": "Vi har skickat en kod till {email}. Öppna mailet som heter Verifieringskod från Kivra och fyll i den 6-siffriga koden.",
    "email_code.spam": "Om du inte hittar koden efter några minuter, kolla din skräppost.",
    "email_code.change": "Ändra mailadress",
    # Step 5: phone
    "phone.heading": "Fyll i ditt mobilnummer",
    "phone.intro": "Vi skickar en kod i ett sms för att kontrollera att ditt mobilnummer stämmer.",
    "phone.label": "Mobilnummer",
    "phone.hint": "Till exempel 070-123 45 67",
    # Step 6: SMS code
    "phone_code.heading": "Fyll i koden från sms:et",
    "phone_code.intro": "Vi har skickat ett sms med en 6-siffrig kod till {phone}. Öppna sms:et från Kivra och fyll i koden.",
    "phone_code.change": "Ändra mobilnummer",
    # Codes (steps 4 and 6)
    "code.label": "Verifieringskod",
    "code.hint": "6 siffror",
    "code.valid_until": "Koden gäller till klockan {time}. Efter det behöver du begära en ny kod.",
    "code.valid_gone": "Koden gäller inte längre. Skicka en ny kod.",
    "code.resend": "Skicka ny kod",
    "code.resend_in": "Skicka ny kod (om {seconds} s)",
    "code.sent_email": "Vi har skickat en ny kod till din mail.",
    "code.sent_sms": "Vi har skickat en ny kod i ett sms.",
    # Step 7: done
    "done.heading": "Klart!",
    "done.created": "Ditt Kivra-konto är skapat.",
    "done.post": "När ditt konto är skapat kommer din post automatiskt att börja skickas digitalt från Kivra-anslutna företag och myndigheter som du har en relation med.",
    "done.notify": "Vi meddelar dig när du har ny post i Kivra, men det är bra att själv logga in då och då.",
    "done.ok_hint": "Klicka på Ok för att komma till din Kivra.",
    "done.ok": "Ok",
    # The signup session itself
    "signup.missing_heading": "Vi hittar ingen pågående registrering",
    "signup.missing": "Din registrering har gått ut eller är redan klar. Du kan börja om, det går snabbt.",
    "signup.restart": "Börja om",
    "signup.continue_heading": "Din legitimering är klar",
    "signup.continue_text": "Vi tar dig vidare till nästa steg …",
    # App prompt (the guide's last section)
    "app.heading": "Vi rekommenderar att du installerar Kivra-appen på din mobiltelefon",
    "app.web_or_app": "Du kan komma åt ditt Kivra-konto på webben eller i mobilappen.",
    "app.why": "Vi rekommenderar att du installerar Kivras mobilapp för att få pushnotiser på telefonen när du får nya brev eller behöver betala en faktura.",
    "app.step1": "Öppna App Store eller Google Play på din mobiltelefon",
    "app.step2": "Sök efter Kivra",
    "app.step3": "Klicka på Hämta eller Installera",
    "app.step4": "Öppna Kivras mobilapp och logga in med ditt Mobila BankID",
    "app.app_store": "Hämta Kivra i App Store",
    "app.google_play": "Hämta Kivra på Google Play",
    "app.scan": "Eller scanna QR-koden med kameran i din mobiltelefon:",
    "app.qr_app_store": "QR-kod till Kivra i App Store",
    "app.qr_google_play": "QR-kod till Kivra på Google Play",
    "app.dismiss": "Inte nu",
    # Mailbox
    "mailbox.title": "Din Kivra",
    "mailbox.hello": "Hej {name}!",
    "mailbox.hello_anon": "Hej!",
    "mailbox.inbox": "Inkorg",
    "mailbox.empty": "Du har inga brev ännu.",
    "mailbox.unread": "Oläst",
    "mailbox.from": "Från",
    "mailbox.received": "Mottaget",
    "mailbox.open": "Öppna brevet",
    "mailbox.back": "Tillbaka till inkorgen",
    "mailbox.logout": "Logga ut",
    "mailbox.not_found": "Vi hittar inte brevet.",
    "mailbox.logged_out_heading": "Du är inte inloggad",
    "mailbox.logged_out": "Skapa ett Kivra-konto eller legitimera dig med BankID för att läsa din post.",
    "mailbox.to_start": "Till startsidan",
    # Help page
    "help.title": "Behöver du hjälp?",
    "help.intro": "Här finns svar på vanliga frågor om att skapa ett Kivra-konto.",
    "help.q_code": "Jag får ingen kod till min mail",
    "help.a_code": "Kontrollera att du har skrivit rätt mailadress. Titta i skräpposten. Lägg gärna till noreply@notifications.kivra.com som betrodd avsändare. Du kan också skicka en ny kod.",
    "help.q_expired": "Koden gäller inte längre",
    "help.a_expired": "Koden gäller i 30 minuter. Efter det behöver du begära en ny kod med knappen Skicka ny kod.",
    "help.q_bankid": "BankID startar inte",
    "help.a_bankid": "Kontrollera att du har Mobilt BankID på din telefon och att appen är uppdaterad. Välj Avbryt och försök igen.",
    "help.q_sms": "Jag får inget sms",
    "help.a_sms": "Kontrollera att du har skrivit rätt mobilnummer. Vänta en stund och skicka sedan en ny kod.",
    "help.back_signup": "Tillbaka till registreringen",
    "help.back_start": "Till startsidan",
    # Errors from the signup domain
    "pnr.required": "Skriv ditt personnummer.",
    "pnr.invalid": "Personnumret stämmer inte. Kontrollera att du har skrivit alla tolv siffror rätt.",
    "pnr.future": "Personnumret har ett födelsedatum som inte har varit än. Kontrollera siffrorna.",
    "pnr.looks_like_phone": "Det ser ut som ett telefonnummer. Skriv ditt personnummer med tolv siffror: ÅÅÅÅMMDDNNNN.",
    "pnr.too_young": "Du behöver vara minst {age} år för att skapa ett Kivra-konto.",
    "pnr.test_number": "Det här är ett testpersonnummer. Det går inte att använda här.",
    "email.required": "Skriv din mailadress.",
    "email.invalid": "Mailadressen ser inte rätt ut. Skriv den så här: namn@exempel.se.",
    "phone.required": "Skriv ditt mobilnummer.",
    "phone.invalid": "Mobilnumret ser inte rätt ut. Skriv det så här: 070-123 45 67.",
    "phone.not_mobile": "Det är inte ett mobilnummer. Skriv numret till din mobiltelefon.",
    "phone.not_swedish": "Skriv ett svenskt mobilnummer.",
    "code.required": "Skriv koden.",
    "code.format": "Koden har 6 siffror. Skriv bara siffrorna.",
    "code.wrong": "Koden stämmer inte. Du kan försöka {attempts_left} gånger till.",
    "code.expired": "Koden gäller inte längre. Skicka en ny kod.",
    "code.locked": "Du har skrivit fel kod för många gånger. Skicka en ny kod.",
    "code.blocked": "Det har blivit fel för många gånger. Av säkerhetsskäl kan du inte fortsätta just nu. Kontakta Kivras kundservice.",
    "code.resend_wait": "Vänta {seconds} sekunder innan du skickar en ny kod.",
    "code.send_limit": "Du har bett om många koder. Vänta en stund och försök igen.",
    "signup.expired": "Din registrering har gått ut. Börja om från början.",
    "signup.wrong_step": "Det steget går inte att göra nu. Vi visar var du är i registreringen.",
    "bankid.underage": "Du behöver vara minst {age} år för att skapa ett Kivra-konto.",
    "bankid.start_limit": "Du har startat BankID många gånger. Vänta några minuter och försök igen.",
    "service.mail": "Vi kunde inte skicka mailet just nu. Försök igen om en liten stund.",
    "service.sms": "Vi kunde inte skicka sms:et just nu. Försök igen om en liten stund.",
    "service.bankid": "Vi får inte kontakt med BankID just nu. Försök igen om en liten stund.",
    # --- signup core (issue #7 §3): the email taken between its code and the account ---
    "email.taken": "Mailadressen används redan av ett annat Kivra-konto. Skriv en annan mailadress.",
}

_EN: dict[str, str] = {
    "app.name": "Kivra",
    "nav.skip": "Skip to content",
    "nav.help": "Need help?",
    "nav.home": "Kivra, to the start page",
    "lang.label": "Language",
    "lang.other": "På svenska",
    "lang.other_code": "sv",
    "common.continue": "Continue",
    "common.loading": "Loading …",
    "common.close": "Close",
    "error.generic": "Something went wrong. Please try again in a moment.",
    "error.summary": "There is an error on the page:",
    "start.title": "Create a Kivra account",
    "page_title./": "Create an account – Kivra",
    "page_title./signup": "Create an account – Kivra",
    "page_title./mailbox": "Your Kivra",
    "page_title./hjalp": "Need help? – Kivra",
    "start.free": "Creating a Kivra account is free.",
    "start.intro": "With Kivra you get your mail from companies and authorities digitally, all in one place.",
    "start.need": "This is what you need to create an account:",
    "start.need_pnr": "A Swedish personal identity number (personnummer)",
    "start.need_email": "An email address",
    "start.need_phone": "A mobile phone",
    "start.need_bankid": "Mobile BankID on your phone",
    "start.cta": "Create account",
    "start.time": "It takes about five minutes.",
    "progress.label": "Step {n} of {total}",
    "progress.name": "Your progress",
    "pnr.heading": "Enter your personal identity number",
    "pnr.intro": "Enter your personal identity number (personnummer) and then identify yourself with Mobile BankID.",
    "pnr.label": "Personal identity number",
    "pnr.hint": "Twelve digits: YYYYMMDDNNNN",
    "pnr.submit": "Continue with BankID",
    "bankid.heading": "Identify yourself with BankID",
    "bankid.for": "Identification for personal identity number",
    "bankid.qr_intro": "Identify yourself with the BankID app on your mobile phone.",
    "bankid.qr_step1": "Open the BankID app on your mobile phone and tap Scan QR code",
    "bankid.qr_step2": "Point the camera at the QR code on the screen",
    "bankid.qr_step3": "Complete the identification",
    "bankid.qr_alt": "QR code to scan with the BankID app",
    "bankid.qr_loading": "The QR code will appear shortly …",
    "bankid.this_device": "Open BankID on this computer",
    "bankid.this_unit": "Open BankID on this device",
    "bankid.open_app": "Open BankID",
    "bankid.app_intro": "Tap Open BankID. When you have identified yourself in the BankID app, you come back here.",
    "bankid.other_device": "Use BankID on another device",
    "bankid.cancel": "Cancel",
    "bankid.retry": "Try again",
    "bankid.starting": "Starting BankID …",
    "bankid.welcome_back_heading": "Welcome back!",
    "bankid.welcome_back": "You already have a Kivra account. Use the button below to go to your Kivra.",
    "bankid.welcome_back_named": "Hi {name}! You already have a Kivra account. Use the button below to go to your Kivra.",
    "bankid.to_mailbox": "Go to your Kivra",
    "email.heading": "Enter your email address",
    "email.hello": "Hi {name}! You are now identified.",
    "email.intro": "We will send a code to your email to check that the address is right.",
    "email.label": "Email address",
    "email.hint": "For example name@example.com",
    "email_code.heading": "Enter the code from the email",
    "email_code.intro": "We have sent a code to {email}. Open the email called Verifieringskod från Kivra and enter the 6-digit code.",
    "email_code.spam": "If you can't find the code after a few minutes, check your spam folder.",
    "email_code.change": "Change email address",
    "phone.heading": "Enter your mobile number",
    "phone.intro": "We will send a code by text message to check that your mobile number is right.",
    "phone.label": "Mobile number",
    "phone.hint": "For example 070-123 45 67",
    "phone_code.heading": "Enter the code from the text message",
    "phone_code.intro": "We have sent a text message with a 6-digit code to {phone}. Open the message from Kivra and enter the code.",
    "phone_code.change": "Change mobile number",
    "code.label": "Verification code",
    "code.hint": "6 digits",
    "code.valid_until": "The code is valid until {time}. After that you need to ask for a new code.",
    "code.valid_gone": "The code is no longer valid. Send a new code.",
    "code.resend": "Send a new code",
    "code.resend_in": "Send a new code (in {seconds} s)",
    "code.sent_email": "We have sent a new code to your email.",
    "code.sent_sms": "We have sent a new code by text message.",
    "done.heading": "Done!",
    "done.created": "Your Kivra account has been created.",
    "done.post": "Now that your account has been created, your mail will automatically start arriving digitally from Kivra-connected companies and authorities you have a relationship with.",
    "done.notify": "We will let you know when you have new mail in Kivra, but it is a good idea to log in now and then yourself.",
    "done.ok_hint": "Click Ok to go to your Kivra.",
    "done.ok": "Ok",
    "signup.missing_heading": "We can't find a signup in progress",
    "signup.missing": "Your signup has expired or is already finished. You can start again, it's quick.",
    "signup.restart": "Start again",
    "signup.continue_heading": "Your identification is done",
    "signup.continue_text": "Taking you to the next step …",
    "app.heading": "We recommend that you install the Kivra app on your mobile phone",
    "app.web_or_app": "You can reach your Kivra account on the web or in the mobile app.",
    "app.why": "We recommend installing Kivra's mobile app to get push notifications on your phone when you receive new letters or need to pay an invoice.",
    "app.step1": "Open the App Store or Google Play on your mobile phone",
    "app.step2": "Search for Kivra",
    "app.step3": "Tap Get or Install",
    "app.step4": "Open Kivra's mobile app and log in with your Mobile BankID",
    "app.app_store": "Get Kivra on the App Store",
    "app.google_play": "Get Kivra on Google Play",
    "app.scan": "Or scan the QR code with your mobile phone's camera:",
    "app.qr_app_store": "QR code to Kivra on the App Store",
    "app.qr_google_play": "QR code to Kivra on Google Play",
    "app.dismiss": "Not now",
    "mailbox.title": "Your Kivra",
    "mailbox.hello": "Hi {name}!",
    "mailbox.hello_anon": "Hi!",
    "mailbox.inbox": "Inbox",
    "mailbox.empty": "You have no letters yet.",
    "mailbox.unread": "Unread",
    "mailbox.from": "From",
    "mailbox.received": "Received",
    "mailbox.open": "Open the letter",
    "mailbox.back": "Back to the inbox",
    "mailbox.logout": "Log out",
    "mailbox.not_found": "We can't find that letter.",
    "mailbox.logged_out_heading": "You are not logged in",
    "mailbox.logged_out": "Create a Kivra account or identify yourself with BankID to read your mail.",
    "mailbox.to_start": "Go to the start page",
    "help.title": "Need help?",
    "help.intro": "Here are answers to common questions about creating a Kivra account.",
    "help.q_code": "I don't get a code in my email",
    "help.a_code": "Check that you typed your email address correctly. Look in your spam folder. You can add noreply@notifications.kivra.com as a trusted sender. You can also send a new code.",
    "help.q_expired": "The code is no longer valid",
    "help.a_expired": "The code is valid for 30 minutes. After that, ask for a new code with the Send a new code button.",
    "help.q_bankid": "BankID does not start",
    "help.a_bankid": "Check that you have Mobile BankID on your phone and that the app is up to date. Choose Cancel and try again.",
    "help.q_sms": "I don't get a text message",
    "help.a_sms": "Check that you typed your mobile number correctly. Wait a moment and then send a new code.",
    "help.back_signup": "Back to the signup",
    "help.back_start": "Go to the start page",
    "pnr.required": "Enter your personal identity number.",
    "pnr.invalid": "The personal identity number is not valid. Check that all twelve digits are right.",
    "pnr.future": "The personal identity number has a birth date in the future. Check the digits.",
    "pnr.looks_like_phone": "That looks like a phone number. Enter your personal identity number with twelve digits: YYYYMMDDNNNN.",
    "pnr.too_young": "You must be at least {age} years old to create a Kivra account.",
    "pnr.test_number": "This is a test personal identity number. It cannot be used here.",
    "email.required": "Enter your email address.",
    "email.invalid": "The email address doesn't look right. Write it like this: name@example.com.",
    "phone.required": "Enter your mobile number.",
    "phone.invalid": "The mobile number doesn't look right. Write it like this: 070-123 45 67.",
    "phone.not_mobile": "That is not a mobile number. Enter the number of your mobile phone.",
    "phone.not_swedish": "Enter a Swedish mobile number.",
    "code.required": "Enter the code.",
    "code.format": "The code has 6 digits. Enter only the digits.",
    "code.wrong": "The code is not right. You can try {attempts_left} more times.",
    "code.expired": "The code is no longer valid. Send a new code.",
    "code.locked": "You have entered a wrong code too many times. Send a new code.",
    "code.blocked": "There have been too many wrong attempts. For your security you cannot continue right now. Contact Kivra customer service.",
    "code.resend_wait": "Wait {seconds} seconds before you send a new code.",
    "code.send_limit": "You have asked for many codes. Wait a while and try again.",
    "signup.expired": "Your signup has expired. Please start again.",
    "signup.wrong_step": "That step is not possible right now. We are showing where you are in the signup.",
    "bankid.underage": "You must be at least {age} years old to create a Kivra account.",
    "bankid.start_limit": "You have started BankID many times. Wait a few minutes and try again.",
    "service.mail": "We could not send the email right now. Please try again in a moment.",
    "service.sms": "We could not send the text message right now. Please try again in a moment.",
    "service.bankid": "We can't reach BankID right now. Please try again in a moment.",
    # --- signup core (issue #7 §3): the email taken between its code and the account ---
    "email.taken": "This email address is already used by another Kivra account. Enter another email address.",
}

CATALOGUE: Final[dict[str, dict[str, str]]] = {"sv": _SV, "en": _EN}


class _KeepMissing(dict):
    """format_map helper: an unknown placeholder stays as it is instead of raising."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def normalise_language(lang: object) -> str:
    """A supported language code; anything else (a crafted value too) becomes the default."""
    return lang if isinstance(lang, str) and lang in CATALOGUE else DEFAULT_LANGUAGE


def t(lang: object, key: str, **params: object) -> str:
    """The text for `key` in `lang`, with `{placeholders}` filled from `params`.

    An unknown language falls back to Swedish; an unknown key to the generic error text, so a
    new domain key never shows a raw key to a person.
    """
    texts = CATALOGUE[normalise_language(lang)]
    text = texts.get(key)
    if text is None:
        text = texts["error.generic"]
    if not params:
        return text
    return text.format_map(_KeepMissing({k: str(v) for k, v in params.items()}))


def texts_for(lang: object) -> dict[str, str]:
    """The whole catalogue of one language (what the browser gets for static texts)."""
    return dict(CATALOGUE[normalise_language(lang)])


def page_titles(lang: object) -> dict[str, str]:
    """Route → the page's <title> in this language."""
    prefix = "page_title."
    return {k[len(prefix):]: v for k, v in texts_for(lang).items() if k.startswith(prefix)}

