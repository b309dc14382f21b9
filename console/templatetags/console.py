"""``{% vendor_script "echarts.min.js" %}``: a pinned library from our static files, with its SRI hash."""

from django import template
from django.templatetags.static import static
from django.utils.html import format_html

from console.vendoring import integrity

register = template.Library()


@register.simple_tag
def vendor_script(name: str) -> str:
    return format_html(
        '<script src="{}" integrity="{}" crossorigin="anonymous" defer></script>',
        static(f"console/vendor/{name}"),
        integrity(name),
    )


@register.simple_tag
def vendor_integrity(name: str) -> str:
    """The SRI value of a pinned file loaded otherwise than as a script (a stylesheet)."""
    return integrity(name)
