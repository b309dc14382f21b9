"""The console over the full Haimen demo (loaded once for this module: ``demo_page``; read-only tests)."""

from __future__ import annotations

from accounts.models import User
from console.services import principal_for, scoreboard_catalogue  # where the console takes them from


def test_office_home_shows_the_demo_board_under_notice(demo_page, login, screenshot) -> None:  # type: ignore[no-untyped-def]
    login(demo_page, "anweiban")
    table = demo_page.get_by_role("table", name="考核方案")
    entries = scoreboard_catalogue(principal=principal_for(User.objects.get(username="anweiban")))
    noticed = [e for e in entries if e.public_status == "notice"]
    assert noticed, "the demo has a board under public notice"
    for entry in noticed:
        row = table.get_by_role("row").filter(has_text=entry.title)
        assert "公示中" in row.inner_text()
        assert str(entry.pending_appeals) in row.inner_text()
    screenshot(demo_page, "demo-home-anweiban")


def test_town_officer_home_over_the_demo(demo_page, login, screenshot) -> None:  # type: ignore[no-untyped-def]
    login(demo_page, "changle")
    nav = demo_page.get_by_role("navigation", name="主导航")
    assert nav.get_by_role("link", name="审核").is_visible()
    assert "暂无可查看的考核结果" not in demo_page.inner_text("main")  # the board under notice
    screenshot(demo_page, "demo-home-changle")


def test_echarts_draws_a_chart_under_the_csp(demo_page, login) -> None:  # type: ignore[no-untyped-def]
    """ECharts from our static files draws a chart the console.js way, tooltip shown, no CSP violation.

    ECharts' default HTML tooltip writes ``style="…"`` markup, which the CSP blocks (this test fails on
    it): console.js draws tooltips on the canvas (``renderMode: 'richText'``).
    """
    login(demo_page, "anweiban")
    demo_page.add_script_tag(url="/static/console/vendor/echarts.min.js")
    demo_page.evaluate(
        """() => {
            const option = document.createElement('script');
            option.type = 'application/json';
            option.id = 'probe-option';
            option.textContent = JSON.stringify({
                tooltip: {trigger: 'axis'},
                xAxis: {type: 'category', data: ['常乐镇', '四甲镇']},
                yAxis: {type: 'value'},
                series: [{type: 'bar', data: [92.5, 81]}],
            });
            const box = document.createElement('div');
            box.className = 'chart';
            box.dataset.chart = 'probe-option';
            document.querySelector('main').append(option, box);
            window.fieldscoreConsole.drawCharts(document);
            echarts.getInstanceByDom(box).dispatchAction({type: 'showTip', seriesIndex: 0, dataIndex: 0});
        }"""
    )
    demo_page.wait_for_timeout(300)
    assert demo_page.locator("[data-chart] canvas").count() >= 1
