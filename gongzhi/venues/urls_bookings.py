"""The pages of the bookings part: room bookings: the calendar, booking (once or repeating), my bookings, a booking's
page with approval, refusal, cancellation and check-in, the approvals list, and the public page of a room for
residents without an account."""

from __future__ import annotations

from django.urls import URLPattern, path

from .views import bookings as views

urlpatterns: list[URLPattern] = [
    path("rooms/<int:pk>/calendar/", views.calendar, name="calendar"),
    path("rooms/<int:pk>/book/", views.book, name="book"),
    path("bookings/", views.booking_list, name="bookings"),
    path("bookings/approvals/", views.approvals, name="approvals"),
    path("bookings/<int:pk>/", views.booking_detail, name="booking"),
    path("bookings/<int:pk>/approve/", views.booking_approve, name="booking_approve"),
    path("bookings/<int:pk>/refuse/", views.booking_refuse, name="booking_refuse"),
    path("bookings/<int:pk>/cancel/", views.booking_cancel, name="booking_cancel"),
    path("bookings/<int:pk>/check-in/", views.booking_check_in, name="booking_check_in"),
    path("book/<str:token>/", views.public_book, name="public_book"),
    path("book/<str:token>/code/", views.public_code, name="public_code"),
]
