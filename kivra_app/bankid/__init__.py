"""BankID RP API v6.0: client, animated QR, user messages, launch links and a simulator.

Plain Python: nothing here imports reflex.
"""
