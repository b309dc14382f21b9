from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "kernel.notifications"
    label = "notifications"
    verbose_name = "消息通知"
    default_auto_field = "django.db.models.BigAutoField"
