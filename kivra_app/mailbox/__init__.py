"""The digital mailbox: letters, invoices and the welcome letter."""
