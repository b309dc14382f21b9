"""Recompute the scope paths of every region (a way out for rows written around ``geo.services``)."""

from django.core.management.base import BaseCommand

from geo.services import region_paths_repair


class Command(BaseCommand):
    help = "按上级关系重新计算所有区划的层级路径（path），修复绕过服务写入的区划；可重复运行"

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        fixed = region_paths_repair()
        for region in fixed:
            self.stdout.write(f"  {region.name}（#{region.pk}）→ {region.path}")
        self.stdout.write(self.style.SUCCESS(f"已修复 {len(fixed)} 个区划的层级路径。"))
