"""Publish the YAML templates of checklists/templates/: new versions only, published ones are immutable."""

from django.core.management.base import BaseCommand, CommandError

from checklists.services.templates import templates_sync
from kernel.errors import ApplicationError


class Command(BaseCommand):
    help = "校验并发布 checklists/templates/ 下的检查表模板（已发布版本不可修改，修改须提高版本号）"

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        try:
            report = templates_sync()
        except ApplicationError as exc:
            problems = exc.details.get("problems") or [exc.message]
            raise CommandError("\n".join(str(p) for p in problems)) from exc
        for label in report.created:
            self.stdout.write(self.style.SUCCESS(f"已发布 {label}"))
        if report.unchanged:
            self.stdout.write(f"未变化 {len(report.unchanged)} 个：{', '.join(report.unchanged)}")
