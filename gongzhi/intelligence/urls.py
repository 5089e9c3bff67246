from __future__ import annotations

app_name = "intelligence"
urlpatterns: list = []
