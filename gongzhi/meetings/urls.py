"""The meetings pages: each part of the app has its own url module (schedule, agenda, reports)."""

from __future__ import annotations

from . import urls_agenda, urls_reports, urls_schedule

app_name = "meetings"
urlpatterns = [*urls_schedule.urlpatterns, *urls_agenda.urlpatterns, *urls_reports.urlpatterns]
