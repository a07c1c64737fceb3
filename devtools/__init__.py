"""Development-only tools. Production code never imports this package: the app mounts the
BankID simulator only when the dev settings allow it, by an import inside that branch."""
