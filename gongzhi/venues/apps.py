from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VenuesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "gongzhi.venues"
    verbose_name = _("Shared places and services")

    def ready(self) -> None:
        from . import registration

        registration.register()
