"""The `gongzhi` command: Django's manage.py with Gongzhi's settings.

    gongzhi demo      build the demo city (only into an empty database unless --force)
    gongzhi serve     run the production server (gunicorn + whitenoise)
    gongzhi worker    run background tasks and the scheduled checks
    gongzhi migrate / createsuperuser / import_roster / ...  any Django command
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["gongzhi", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
