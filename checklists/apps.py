from django.apps import AppConfig


class ChecklistsConfig(AppConfig):
    name = "checklists"
    verbose_name = "检查表与检查"

    def ready(self) -> None:
        # Subject kinds plug into the inspection lifecycle (checklists/subjects/).
        from scoring.assessment import source

        from .selectors import assessed
        from .subjects import outfall, pumps, sewage

        sewage.plug_in()
        outfall.plug_in()
        pumps.plug_in()
        # The assessment reads inspections through this one narrow selector (scoring/assessment/source.py).
        source.install(assessed)
