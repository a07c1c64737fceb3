"""The signup domain: step machine, validators, verification codes, account creation."""
