"""The evaluation app's writes, one module per part: campaigns (set-up and rating), results (closing, notice,
objections, final), members (title-only flags and removals), property (contracts, inspections, grades,
rectification notices, estates' profiles). Every write is one transaction with a policy check and an audit row
("evaluation.*")."""
