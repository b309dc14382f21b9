"""Load the Haimen demo data: regions, sections, facilities, one account per role, inspections and
assessments, a year of water measurements. Idempotent."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.demo import load_demo_users
from accounts.models import User
from accounts.selectors import principal_for
from checklists import demo as checklists_demo
from checklists.demo import pumps as pumps_demo
from checklists.models import RECTIFICATION_DONE, Inspection, Rectification
from checklists.services.rectifications import rectifications_mark_overdue
from geo import demo as geo_demo
from geo.models import Region, RiverSection, SewageFacility
from geo.pumps.demo import load_pump_stations
from kernel.notifications.demo import load_notifications
from scoring.air import demo as air_demo
from scoring.assessment.models import Scoreboard
from scoring.assessment.services import assessment_recompute, scoreboard_notice
from scoring.bulletins import demo as bulletins_demo
from scoring.models import Measurement
from scoring.sewage.services import report as sewage_report
from scoring.water import demo as water_demo
from scoring.water import inferior_demo as inferior_v_demo


class Command(BaseCommand):
    help = "载入海门区演示数据（区镇、村、断面、污水设施、各角色演示账号）；可重复运行"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument(
            "--password",
            default=os.environ.get("DEMO_PASSWORD", "haimen-demo-2022"),
            help="演示账号密码（默认取环境变量 DEMO_PASSWORD，否则 haimen-demo-2022）",
        )

    def handle(self, *args, password: str, **options):  # type: ignore[no-untyped-def]
        with transaction.atomic():
            towns = geo_demo.load_regions()
            geo_demo.load_sections(towns)
            new_facilities = geo_demo.load_facilities(towns)
            geo_demo.load_services()
            district = Region.objects.get(level="district", name=geo_demo.DISTRICT["name"])
            accounts = load_demo_users(password=password, district=district, towns=towns)
            principals = {
                u.username: principal_for(u)
                for u in User.objects.filter(
                    username__in=["jiancha1", "changle", "anweiban", "huanjing", "admin"]
                )
            }
            load_notifications()  # a disabled webhook and its subscriptions: the demo calls no URL
            geo_demo.load_ledger_import(principal=principals["anweiban"])  # a dry run: writes nothing
            checklists_demo.load(principals=principals, towns=towns)
            checklists_demo.load_survey(principals=principals)
            scheme_key = checklists_demo.load_assessment(principals=principals, towns=towns)
            rectifications_mark_overdue()  # what the nightly worker does: the demo's late repairs show
            # A synthetic river network through the sections; ditches from the facilities with open repairs
            # first, so the upstream (溯源) answer of the key sections shows problems.
            repairs = Rectification.objects.filter(subject_kind="sewage_facility").exclude(
                status__in=RECTIFICATION_DONE
            )
            geo_demo.load_rivers(
                principal=principals["anweiban"], prefer=set(repairs.values_list("subject_id", flat=True))
            )
            geo_demo.load_outfalls(principal=principals["huanjing"])  # 排污口 upstream of the key sections
            checklists_demo.load_outfall_inspections(  # some inspected, one per section with problems
                inspector=principals["huanjing"], reviewer=principals["anweiban"]
            )
            # 排涝泵站 on the synthetic rivers (拦蓄污水, 清零) and their inspections (65号 item 19)
            load_pump_stations(principal=principals["anweiban"])
            pumps_demo.load(inspector=principals["huanjing"], reviewer=principals["anweiban"])
        # After commit (the approvals above also queue it): the draft, then the public notice (公示).
        board = assessment_recompute(scheme_key=scheme_key)
        if not Scoreboard.objects.filter(scheme_key=scheme_key).exclude(status="draft").exists():
            scoreboard_notice(principal=principals["anweiban"], scheme_key=scheme_key)
        # An upheld appeal against 包场镇's veto, answered by a district correction: a new draft follows.
        checklists_demo.load_correction(principals=principals, towns=towns, scheme_key=scheme_key)
        water_values, _ = water_demo.load(principal=principals["huanjing"])
        water_demo.load_work_plans(principal=principals["huanjing"])  # 稳Ⅲ提Ⅲ 工作方案, after the data
        # 支流监测点 on the synthetic ditches with a year of monthly classes: the 劣Ⅴ list (65号 item 19)
        inferior_v_demo.load(principal=principals["huanjing"])
        # 通报: a synthetic, published 2022 board's result bulletin and today's sewage progress warning
        bulletins = bulletins_demo.load(
            office=principals["anweiban"], bureau=principals["huanjing"], towns=towns
        )
        # 空气质量与降尘 (65号 item 38): a station and a jar per town, ~3 months of synthetic data
        air = air_demo.load(principal=principals["huanjing"])
        regions, sections = Region.objects.count(), RiverSection.objects.count()
        facilities = SewageFacility.objects.count()
        self.stdout.write(
            self.style.SUCCESS(
                f"海门区演示数据就绪：区划 {regions} 个，断面 {sections} 个，"
                f"污水设施 {facilities} 座（本次新增 {new_facilities}）。"
            )
        )
        inspections, rectifications = Inspection.objects.count(), Rectification.objects.count()
        self.stdout.write(
            f"检查表模板已发布；演示检查 {inspections} 份，整改事项 {rectifications} 项，含一次随机抽查。"
        )
        self.stdout.write(
            f"区镇考核结果（{scheme_key}）已计算并公示：{len(board.rows)} 个区镇；包场镇对一票否决的申诉"
            "已成立，区级已更正其年度安全生产检查，更正后的草稿待重新公示。"
        )
        rates = sewage_report(timezone.localdate())
        self.stdout.write(
            f"农村生活污水：治理率（双60）{rates.treatment.percent}%，"
            f"设施正常运行率 {rates.operation.percent}%（{rates.operation.numerator}/"
            f"{rates.operation.denominator}；未经核查的设施计为不正常）。"
        )
        measured = Measurement.objects.count()
        self.stdout.write(
            f"断面水质监测数据 {measured} 条（本次导入 {water_values}；去年至今，"
            f"自动站每 {settings.DEMO_WATER_STEP_HOURS} 小时 + 每月手工全分析，合成数据）。"
        )
        self.stdout.write(
            "通报："
            + "；".join(f"{b.get_kind_display()}（{b.period}，{b.get_status_display()}）" for b in bulletins)
            + "（2022 年考核结果为合成的演示数据）。"
        )
        if air["stations"]:
            self.stdout.write(
                f"空气质量与降尘（合成数据）：{air['stations']} 个区镇各一个空气站、一个降尘点，"
                f"日数据 {air['air_daily']} 条、小时数据 {air['air_hourly']} 条、降尘 {air['dust']} 条。"
            )
        listing = "\n".join(accounts)
        self.stdout.write(f"演示账号（密码：{password}）：\n{listing}")
