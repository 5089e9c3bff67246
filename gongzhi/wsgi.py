from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
application = get_wsgi_application()

from gongzhi.core.startup import refuse_insecure_start  # noqa: E402 - needs the apps loaded above

refuse_insecure_start()  # no serving with the built-in SECRET_KEY outside DEBUG
