from django.apps import AppConfig


class BackendConfig(AppConfig):
    """The composition root as an app, so its management commands (``load_demo``) are found."""

    name = "backend"
    verbose_name = "fieldscore"
