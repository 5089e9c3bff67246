"""The service app's writes, one module per part: registrations (members), posts and pledges and stars
(commitments), activities, the time bank (ledger, bank). Every write is one transaction with a policy check and an
audit row ("service.*")."""
