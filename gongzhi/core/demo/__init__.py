"""The demo city: a whole, plausible and clearly fictional city to try Gongzhi with.

    counts = build_demo_city()      # into an empty database, in one transaction
    accounts = demo_accounts()      # one login per role, all with the same password

Everything comes from `random.Random(seed)`: the same seed gives the same names, phones, ID numbers and
tree on every empty database. `plan_demo_city` draws the whole city in memory first (no database), and
`build_demo_city` writes that plan with bulk inserts, so the two can be compared (`plan_digest` /
`database_digest`).

Personal data is fake by construction: phones start with 100 (no Chinese mobile number does) and ID
numbers use the region code 990101 (no real region has it), with a correct check digit.

The package: data.py (the fixed material), plan.py (drawing), write.py (writing), accounts.py (the
logins `make run` prints), digest.py (plan vs database).
"""

from __future__ import annotations

from .accounts import DEMO_USERNAMES, demo_accounts, format_accounts_table
from .data import ALLIANCE_CROSS_PROVINCE, CITY_NAME, DEFAULT_PASSWORD, DEFAULT_SEED, DEMO_URL
from .digest import database_digest, plan_digest
from .plan import DemoPlan, plan_demo_city
from .write import build_demo_city, demo_password

__all__ = [
    "ALLIANCE_CROSS_PROVINCE",
    "CITY_NAME",
    "DEFAULT_PASSWORD",
    "DEFAULT_SEED",
    "DEMO_URL",
    "DEMO_USERNAMES",
    "DemoPlan",
    "build_demo_city",
    "database_digest",
    "demo_accounts",
    "demo_password",
    "format_accounts_table",
    "plan_demo_city",
    "plan_digest",
]
