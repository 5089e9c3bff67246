"""The pages of the agreements part: mediation agreements (人民调解协议书, Word), follow-up visits, statistics."""

from __future__ import annotations

from django.urls import URLPattern, path

from .views import agreements

urlpatterns: list[URLPattern] = [
    path("<int:pk>/agreement/", agreements.agreement_panel, name="agreement"),
    path("<int:pk>/agreement/save/", agreements.agreement_save, name="agreement_save"),
    path("<int:pk>/agreement.docx", agreements.agreement_docx, name="agreement_docx"),
    path("<int:pk>/agreement/reopen/", agreements.mediation_reopen, name="mediation_reopen"),
    path("<int:pk>/follow-ups/add/", agreements.follow_up_add, name="follow_up_add"),
    path("follow-ups/", agreements.follow_up_list, name="follow_ups"),
    path("follow-ups/<int:pk>/reschedule/", agreements.follow_up_reschedule, name="follow_up_reschedule"),
    path("follow-ups/<int:pk>/record/", agreements.follow_up_record, name="follow_up_record"),
    path("stats/", agreements.stats_page, name="stats"),
    path("stats.xlsx", agreements.stats_xlsx, name="stats_xlsx"),
]
