"""Outbound mail and SMS, the embedded dev SMTP server and the dev outbox."""
