"""Teaches schemathesis the two rules of a measurement batch that JSON Schema cannot state
and the OpenAPI document states in words: `count` is at most `total`, and `observedAt` lies
between the year 2000 and the server's clock. Generated items are moved inside those rules
(not dropped), so every other part of the body is still drawn from the document."""

from datetime import datetime, timedelta, timezone

import schemathesis


def _inside(item):
    if not isinstance(item, dict):
        return item
    count, total = item.get("count"), item.get("total")
    numbers = (int, float)
    if isinstance(count, numbers) and isinstance(total, numbers) and count > total:
        item["count"], item["total"] = total, count
    if isinstance(item.get("observedAt"), str):
        # A day in the past few years, keeping the generated time's seconds for variety.
        drawn = item["observedAt"]
        back = timedelta(days=sum(map(ord, drawn)) % 2000, seconds=len(drawn))
        item["observedAt"] = (datetime.now(timezone.utc) - back).isoformat(timespec="seconds")
    return item


# On the whole case rather than the body: case hooks apply in every phase, body hooks not
# in the coverage phase.
@schemathesis.hook
def map_case(ctx, case):
    body = case.body
    if isinstance(body, dict) and isinstance(body.get("measurements"), list):
        body["measurements"] = [_inside(item) for item in body["measurements"]]
    return case
