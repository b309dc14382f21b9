from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "geo"
    verbose_name = "空间登记（区划、断面、污水设施）"
