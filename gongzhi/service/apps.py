from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "gongzhi.service"
    verbose_name = _("Service by party members and volunteers")

    def ready(self) -> None:
        from . import registration

        registration.register()
