"""学时 beyond a single completion: the ledger of a cadre's hours against the requirements
that apply (ledger), the default requirements (requirements), and certificates that
state the hours and anyone can verify (certificates). The models are in
training/models/hours.py and completions.py.

It reads completions and the stored totals, and is used by the services and views; it
imports neither (an import-linter contract in pyproject.toml)."""
