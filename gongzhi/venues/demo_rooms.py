"""The names of the venues and rooms the rooms part's demo step (order 80, "venues.rooms") makes, for the later
demo steps (bookings, services, secondments, disputes at orders 81-83) to find them by name:

    from gongzhi.venues.demo_rooms import FX_STATION, FX_STATION_MEETING, demo_room
    room = demo_room(FX_STATION, FX_STATION_MEETING)

The step itself is `build` below (registered in reg_rooms.py): venues at all three levels in both alliance
communities and a station in 锦华社区, rooms with varied rules (alliance-only rooms in 枫溪 for the cross-border use, one
approved by the subdistrict, one open to any resident, limits per booker), and one closure ahead (设备检修). Written
through the actions as the system (acting_user=None).
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


ROOM = dict[str, Any]


def _room(name: str, capacity: int, facilities: str, who: str, approver: str, *, days: str = "12345",
          opens: str = "08:30", closes: str = "17:30", min_minutes: int = 30, max_minutes: int = 240,
          max_days: int = 30, min_hours: int = 2, buffer: int = 0, period: str = "month",
          count: int | None = None, hours: int | None = None) -> ROOM:
    return {"name": name, "capacity": capacity, "facilities": facilities, "who_may_book": who, "approver": approver,
            "open_days": days, "opens_at": opens, "closes_at": closes, "min_minutes": min_minutes,
            "max_minutes": max_minutes, "max_days_ahead": max_days, "min_hours_ahead": min_hours,
            "buffer_minutes": buffer, "limit_period": period, "limit_count": count, "limit_hours": hours}


def _plan() -> list[tuple[str, str, str, str, str, list[ROOM]]]:
    """(venue name, level, area level, area name (for an estate: its community, the estate is the first), address,
    rooms)."""
    return [
        (FX_CENTRE, "centre", "subdistrict", "枫溪镇", "枫溪镇枫溪大道88号", [
            _room(CENTRE_HALL, 120, "舞台、音响、投影、120把折叠椅", "subdistrict", "subdistrict", days="1234567",
                  opens="08:30", closes="21:00", min_minutes=60, max_minutes=240, max_days=60, min_hours=24,
                  buffer=30, count=2, hours=8),
            _room(CENTRE_MEETING, 30, "会议桌、投影、视频会议终端", "subdistrict", "venue", min_minutes=30,
                  max_minutes=180, buffer=15),
        ]),
        (FX_STATION, "station", "community", "枫溪社区", "枫溪镇滨河路12号", [
            _room(FX_STATION_MEETING, 24, "会议桌、投影仪、白板、跨省视频连线设备", "alliance", "venue",
                  days="123456", opens="08:30", closes="20:30", min_minutes=30, max_minutes=240, max_days=30,
                  min_hours=2, buffer=15, count=4, hours=8),
            _room(FX_STATION_PARTY, 40, "党旗、入党誓词墙、投影、40把椅子", "community", "none", min_minutes=60,
                  max_minutes=180),
            _room(FX_STATION_HEALTH, 6, "血压计、血糖仪、体重秤、健康一体机", "alliance", "none", days="12345",
                  opens="08:30", closes="11:30", min_minutes=30, max_minutes=60, max_days=14, min_hours=1,
                  period="week", count=2),
            _room(FX_STATION_MEDIATION, 8, "圆桌、录音录像设备、独立隔音", "alliance", "venue", min_minutes=60,
                  max_minutes=180, min_hours=4),
        ]),
        (FX_POINT, "point", "estate", "枫溪社区", "枫溪河畔步道东口", [
            _room(POINT_READING, 15, "图书约2000册、阅读桌、免费无线网络", "anyone", "none", days="1234567",
                  opens="09:00", closes="20:00", min_minutes=30, max_minutes=120, max_days=7, min_hours=0,
                  period="week", hours=6),
        ]),
        (XT_CENTRE, "centre", "subdistrict", "新塘镇", "新塘镇政府路1号", [
            _room(CENTRE_HALL, 150, "舞台、LED屏、音响、150个座位", "subdistrict", "subdistrict",
                  days="1234567", opens="08:30", closes="21:00", min_minutes=60, max_minutes=240, max_days=60,
                  min_hours=24, buffer=30),
        ]),
        (XT_STATION, "station", "community", "新塘社区", "新塘镇新塘街56号", [
            _room(XT_STATION_MEETING, 20, "会议桌、投影、白板", "alliance", "venue", days="123456",
                  min_minutes=30, max_minutes=180, buffer=15, count=4, hours=8),
            _room(XT_STATION_PARTY, 30, "党建资料柜、投影、30把椅子", "community", "none", min_minutes=60,
                  max_minutes=180),
            _room(XT_STATION_MEDIATION, 8, "圆桌、录音录像设备", "alliance", "venue", min_minutes=60,
                  max_minutes=180, min_hours=4),
        ]),
        (XT_POINT, "point", "estate", "新塘社区", "新塘老街32号", [
            _room(POINT_READING, 12, "图书约1500册、儿童绘本角", "anyone", "none", days="1234567", opens="09:00",
                  closes="19:00", min_minutes=30, max_minutes=120, max_days=7, min_hours=0, period="week",
                  hours=6),
        ]),
        (JH_STATION, "station", "community", "锦华社区", "锦华路18号", [
            _room(JH_STATION_HALL, 80, "舞台、音响、投影、80把椅子", "subdistrict", "subdistrict", days="1234567",
                  opens="08:30", closes="21:00", min_minutes=60, max_minutes=240, max_days=45, min_hours=24,
                  buffer=30, count=2, hours=8),
            _room(JH_STATION_MEETING, 16, "会议桌、电视屏", "community", "venue", min_minutes=30, max_minutes=180,
                  period="week", count=2),
            _room(JH_STATION_HEALTH, 6, "血压计、血糖仪、健康一体机", "anyone", "none", opens="08:30",
                  closes="11:30", min_minutes=30, max_minutes=60, max_days=14, min_hours=1, period="week", count=2),
        ]),
    ]


def build(ctx: Any) -> dict[str, int]:
    from datetime import timedelta

    from django.utils import timezone

    from gongzhi.core.models import Area

    from .actions import rooms as actions

    venues = rooms = 0
    for venue_name, level, area_level, area_name, address, specs in _plan():
        if area_level == "estate":
            community = Area.objects.filter(level="community", name=area_name).first()
            area = (Area.objects.filter(level="estate", path__startswith=community.path).order_by("path").first()
                    if community is not None else None)
        else:
            area = Area.objects.filter(level=area_level, name=area_name).order_by("path").first()
        if area is None:
            continue
        venue = actions.do_create_venue(acting_user=None, area=area, name=venue_name, level=level, address=address,
                                        description=DESCRIPTIONS[level] % {"area": area.name})
        venues += 1
        for spec in specs:
            actions.do_create_room(venue, acting_user=None, **spec)
            rooms += 1
    health = demo_room(FX_STATION, FX_STATION_HEALTH)
    closures = 0
    if health is not None:
        start = timezone.localdate() + timedelta(days=10)
        actions.do_close_room(health, start, start + timedelta(days=1), CLOSURE_REASON, False, None)
        closures = 1
    ctx.say(f"venues.rooms: {venues} venues, {rooms} rooms, {closures} closure")
    return {"venues": venues, "rooms": rooms, "closures": closures}


DESCRIPTIONS = {
    "centre": "%(area)s党群服务中心，统筹全镇党群服务阵地，大型活动、培训和跨省联席会议在此举办。",
    "station": "%(area)s党群服务站，功能室向本社区和联盟社区开放预约，居民凭手机验证即可预约。",
    "point": "%(area)s旁的党群服务点，书屋和休息点向所有居民开放。",
}


def demo_room(venue_name: str, room_name: str) -> Any:
    """The demo's room by its venue's and its own name (None before the rooms step ran)."""
    from .models import Room

    return Room.objects.filter(venue__name=venue_name, name=room_name).select_related("venue", "venue__area").first()


def demo_venue(venue_name: str) -> Any:
    from .models import Venue

    return Venue.objects.filter(name=venue_name).select_related("area").first()
