"""Pages of 接诉即办 and 吹哨报到: public form and tracking, intake, worklists, cases, whistles, rates.

Views are thin: they parse a form, fetch through `get_<noun>_for_user` (404 when missing or out of
scope), check the policy (403 when visible but not allowed), call one function in `actions.py` and render.
"""
