from __future__ import annotations


from . import views_rosters

app_name = "core"
urlpatterns: list = [
    # Owned by the UI work: login, home, tree, people, audit pages.
]
urlpatterns += views_rosters.urlpatterns
