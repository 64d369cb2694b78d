"""The Jinja2 environment: our templates, then govuk-frontend-jinja's components."""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    PrefixLoader,
    select_autoescape,
)
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from marketplace.config import PROJECT_ROOT, get_settings
from marketplace.units import pounds
from marketplace.web.assets import static_url
from marketplace.web.banners import success_message
from marketplace.web.names import area_name, area_names, lot_name

SERVICE_NAME = "Care call-off marketplace"


def local_time(value: datetime | None, fmt: str = "%-d %B %Y at %-I:%M%p") -> str:
    """Show a stored UTC instant in the marketplace's time zone (Europe/London)."""
    if value is None:
        return ""
    shown = value.astimezone(ZoneInfo(get_settings().timezone)).strftime(fmt)
    return shown.replace("AM", "am").replace("PM", "pm")


def sentence(text: str) -> str:
    """The text with its first letter made a capital and nothing else changed (unlike
    `capitalize`, which would lower "KENT-ASHFORD" and "CQC")."""
    return text[:1].upper() + text[1:]


# GOV.UK style's months where space is short (a chart's axis): Jan, Feb, ... June, July, ... Sept.
SHORT_MONTHS = (
    "",
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "June",
    "July",
    "Aug",
    "Sept",
    "Oct",
    "Nov",
    "Dec",
)


def month_name(value: object, short: bool = False) -> str:
    """ "November 2026" from a month key "2026-11" ("Nov 2026" if short, as a chart's axis reads);
    anything else unchanged (a lot, an area)."""
    text = str(value)
    year, dash, month = text.partition("-")
    if dash and year.isdigit() and len(year) == 4 and month.isdigit() and 1 <= int(month) <= 12:
        names = SHORT_MONTHS if short else calendar.month_name
        return f"{names[int(month)]} {year}"
    return text


def pence(value: int | None) -> str:
    """£24.00 from 2400."""
    return "" if value is None else pounds(int(value))


def long_date(value: date | datetime | str | None) -> str:
    """ "20 November 2026" from a date (or its ISO text); a datetime in the local time zone."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = value.astimezone(ZoneInfo(get_settings().timezone)).date()
    return f"{value.day} {calendar.month_name[value.month]} {value.year}"


def local_mailbox_enabled() -> bool:
    """Email kept in a local maildir (development without SMTP_URL), shown to admins."""
    settings = get_settings()
    return not settings.production and settings.smtp_url is None


def make_environment() -> Environment:
    env = Environment(
        loader=ChoiceLoader(
            [
                FileSystemLoader(str(PROJECT_ROOT / "templates")),
                PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
            ]
        ),
        autoescape=select_autoescape(["html", "xml"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        static=static_url,
        service_name=SERVICE_NAME,
        local_mailbox_enabled=local_mailbox_enabled,
        success_message=success_message,
    )
    env.filters.update(
        week_after=week_after,
        local_time=local_time,
        pence=pence,
        sentence=sentence,
        month_name=month_name,
        long_date=long_date,
        area_name=area_name,
        area_names=area_names,
        lot_name=lot_name,
    )
    return env


def week_after(moment: datetime) -> str:
    """A date form's example: the day a week after this moment, as typed ("3 12 2026")."""
    day = moment.astimezone(ZoneInfo("Europe/London")).date() + timedelta(days=7)
    return f"{day.day} {day.month} {day.year}"


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(engine=JinjaTemplateEngine.from_environment(make_environment()))
