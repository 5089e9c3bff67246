from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisputesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "gongzhi.disputes"
    verbose_name = _("Dispute mediation")

    def ready(self) -> None:
        from . import registration

        registration.register()
