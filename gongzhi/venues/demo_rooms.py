"""The names of the venues and rooms the rooms part's demo step (order 80, "venues.rooms") makes, for the later
demo steps (bookings, services, secondments, disputes at orders 81-83) to find them by name:

    from gongzhi.venues.demo_rooms import FX_STATION, FX_STATION_MEETING, demo_room
    room = demo_room(FX_STATION, FX_STATION_MEETING)

The step itself is `build` in gongzhi/venues/demo_rooms_build.py (registered in reg_rooms.py).
"""

from __future__ import annotations

from typing import Any

# 枫溪社区 (东川省青溪市临江区枫溪镇) — the alliance's side with the full three-level network.
FX_CENTRE = "枫溪镇党群服务中心"            # on 枫溪镇 (a centre)
FX_STATION = "枫溪社区党群服务站"          # on 枫溪社区 (a station)
FX_POINT = "枫溪河畔党群服务点"            # on 枫溪社区's first estate (a point)
# 新塘社区 (南岭省白沙市新河县新塘镇) — across the provincial border.
XT_CENTRE = "新塘镇党群服务中心"
XT_STATION = "新塘社区党群服务站"
XT_POINT = "新塘老街党群服务点"
# 锦华社区 (the usual demo accounts: sq_worker, jd_staff, resident, unit_liaison …).
JH_STATION = "锦华社区党群服务站"

# Rooms, by venue.
CENTRE_HALL = "多功能活动室"          # FX_CENTRE, XT_CENTRE: its subdistrict may book; the subdistrict approves
CENTRE_MEETING = "会议室"              # FX_CENTRE: its subdistrict, the venue approves
FX_STATION_MEETING = "共享会议室"      # FX_STATION: alliance-only (the cross-border use), the community approves,
                                       # at most 4 bookings / 8 hours per booker per month
FX_STATION_PARTY = "党员活动室"        # FX_STATION: own community only, no approval
FX_STATION_HEALTH = "健康小屋"         # FX_STATION: alliance, no approval; closed for 设备检修 on some days ahead
FX_STATION_MEDIATION = "调解室"        # FX_STATION: alliance, the community approves (the mediation office's sessions)
POINT_READING = "共享书屋"             # FX_POINT, XT_POINT: any resident, no approval
XT_STATION_MEETING = "会议室"          # XT_STATION: alliance, the community approves
XT_STATION_PARTY = "党员活动室"        # XT_STATION: own community only
XT_STATION_MEDIATION = "调解室"        # XT_STATION: alliance, the community approves
JH_STATION_HALL = "多功能活动室"       # JH_STATION: its subdistrict (锦华街道), the subdistrict approves
JH_STATION_MEETING = "会议室"          # JH_STATION: own community, the community approves, 2 per week
JH_STATION_HEALTH = "健康小屋"         # JH_STATION: any resident, no approval

CLOSURE_REASON = "设备检修"


def demo_room(venue_name: str, room_name: str) -> Any:
    """The demo's room by its venue's and its own name (None before the rooms step ran)."""
    from .models import Room

    return Room.objects.filter(venue__name=venue_name, name=room_name).select_related("venue", "venue__area").first()


def demo_venue(venue_name: str) -> Any:
    from .models import Venue

    return Venue.objects.filter(name=venue_name).select_related("area").first()
