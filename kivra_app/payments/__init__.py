"""Paying invoices: the payment-provider interface, the simulated bank and the bank-day calendar."""
