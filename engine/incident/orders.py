"""Orders to the site and what came of them (``order``, ``order_duty``), and the site's status on the
day (``site_status``).

An order counts from the day it reached the site (its date, or the last day it was passed on)
until ``until``. It was **ignored** when the incident happened while it held: a stop order
(停产, 停业整顿) shows the site operated; a rectification order (整改) past its ``due`` date
shows the rectification was not done. Whether anyone saw it carried out (``follow_up``) is
``done`` when a check is recorded between its arrival and the day, ``none`` when there is none
and the investigation established every check (``checks_complete``), and ``unknown`` when the
facts do not say — a data gap, never an accusation.
"""
from __future__ import annotations

from engine.incident.fact import Fact, Kind
from engine.incident.place import Place
from engine.org.graph import OrgGraph
from facts.model import STOP_ORDERS, Incident, Order
from facts.timeline import in_force

ORDER = Kind("order", {"order": str, "order_kind": str, "unit": str, "by": str, "date": str, "received": str,
                       "until": str, "due": str, "in_force": bool, "ignored": bool, "follow_up": str,
                       "days_before": int},
             description="an order to the site (停产, 停业整顿, 整改) that had reached it by the day; unit: the site")
ORDER_DUTY = Kind("order_duty", {"order": str, "person": str, "order_kind": str, "ignored": bool, "follow_up": str},
                  description="a person who had to see an order to the site carried out")
SITE_STATUS = Kind("site_status", {"unit": str, "status": str, "from": str, "to": str, "days": int},
                   description="the site's status on the incident's day (licensed, unlicensed, sealed …)")


def follow_up(order: Order, incident: Incident) -> str:
    if any(order.received <= c.date <= incident.day for c in order.checks):
        return "done"
    return "none" if order.checks_complete else "unknown"


def order_facts(order: Order, incident: Incident) -> list[Fact]:
    day = incident.day
    held = in_force(order.received, order.until, day)
    ignored = held and (order.kind in STOP_ORDERS or (order.due is not None and order.due <= day))
    checked = follow_up(order, incident)
    src = (order.id,)
    out = [ORDER.fact(f"order:{order.id}", {
        "order": order.id, "order_kind": order.kind, "unit": order.site, "by": order.by,
        "date": order.date.isoformat(), "received": order.received.isoformat(),
        "until": order.until.isoformat() if order.until else "", "due": order.due.isoformat() if order.due else "",
        "in_force": held, "ignored": ignored, "follow_up": checked, "days_before": (day - order.received).days}, src)]
    out += [ORDER_DUTY.fact(f"order_duty:{order.id}:{p}", {
        "order": order.id, "person": p, "order_kind": order.kind, "ignored": ignored, "follow_up": checked}, src)
        for p in sorted(set(order.enforce))]
    return out


def build(graph: OrgGraph, incident: Incident, place: Place) -> list[Fact]:
    """The orders that had reached the site by the day, and its status that day."""
    out = [f for o in graph.orders_of(place.site) if o.received <= incident.day for f in order_facts(o, incident)]
    site = graph.units[place.site]
    out += [SITE_STATUS.fact(f"site_status:{site.id}:{s.valid_from.isoformat()}", {
        "unit": site.id, "status": s.status, "from": s.valid_from.isoformat(),
        "to": s.valid_to.isoformat() if s.valid_to else "", "days": (incident.day - s.valid_from).days},
        (f"{site.id}/status/{s.valid_from.isoformat()}",))
        for s in site.status if in_force(s.valid_from, s.valid_to, incident.day)]
    return out
