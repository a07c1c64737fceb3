"""Kivra's app in the stores: the links the mailbox's app prompt shows (as buttons and as QR
codes). Data, not presentation: components and state both read it from here."""

APP_STORE_URL = "https://apps.apple.com/se/app/kivra/id1128260491"
GOOGLE_PLAY_URL = "https://play.google.com/store/apps/details?id=com.kivra.Kivra"
