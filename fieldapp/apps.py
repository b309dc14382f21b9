from django.apps import AppConfig


class FieldappConfig(AppConfig):
    name = "fieldapp"
    label = "fieldapp"
    verbose_name = "外业检查 App"
