from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "gongzhi.evaluation"
    verbose_name = _("Two-way evaluation")

    def ready(self) -> None:
        from . import registration

        registration.register()
