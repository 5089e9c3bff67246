"""The results part's pages (its views in views/results.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from .views import results

urlpatterns: list[URLPattern] = [
    path("campaigns/<int:pk>/results/", results.campaign_results, name="results"),
    path("campaigns/<int:pk>/results/close/", results.campaign_close, name="results_close"),
    path("campaigns/<int:pk>/results/finalize/", results.campaign_finalize, name="results_finalize"),
    path("campaigns/<int:pk>/results.xlsx", results.results_xlsx, name="results_xlsx"),
    path("campaigns/<int:pk>/report.docx", results.results_docx, name="results_docx"),
    path("campaigns/<int:pk>/objections/", results.campaign_objections, name="objections"),
    path("objections/<int:pk>/answer/", results.objection_answer, name="objection_answer"),
    path("ratees/<int:pk>/result/", results.ratee_result, name="result"),
    path("ratees/<int:pk>/object/", results.ratee_object, name="result_object"),
]
