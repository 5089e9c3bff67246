from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CouncilsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "gongzhi.councils"
    verbose_name = _("Residents' councils")

    def ready(self) -> None:
        from . import registration

        registration.register()
