from __future__ import annotations

app_name = "appeals"
urlpatterns: list = []
