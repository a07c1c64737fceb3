"""Login tickets and mailbox web sessions (BankID is the only login factor, PD-3)."""
