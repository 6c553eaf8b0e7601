"""API docs for an app built from the pieces, without the ``nexios`` facade.

    pip install nexios-core nexios-routing nexios-di nexios-openapi
    uvicorn --app-dir examples core_docs:app

The core app finds handlers through a ``nexios_routing.Router``; the ``OpenAPI`` plugin adds the
document and the docs pages to that router when it is set up: /openapi.json, /docs and /redoc.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from nexios_core.app import App
from nexios_core.exceptions import NotFoundException
from nexios_core.request import Request
from nexios_core.responses import Response
from nexios_di import Query
from nexios_openapi import OpenAPI
from nexios_routing import Router


class Sensor(BaseModel):
    """One temperature sensor."""

    id: int
    room: str
    celsius: float = Field(ge=-50, le=80)


SENSORS = {1: Sensor(id=1, room="kitchen", celsius=21.5), 2: Sensor(id=2, room="attic", celsius=27.0)}

router = Router(tags=["sensors"])


@router.get("/sensors")
async def list_sensors(request: Request, response: Response,
                       warmer_than: float | None = Query(None, ge=-50)) -> list[Sensor]:
    """Every sensor, or those reading above ``warmer_than`` degrees."""
    return [s for s in SENSORS.values() if warmer_than is None or s.celsius > warmer_than]


@router.get("/sensors/{sensor_id:int}", responses={404: NotFoundException})
async def get_sensor(request: Request, response: Response, sensor_id: int) -> Sensor:
    """One sensor."""
    if sensor_id not in SENSORS:
        raise NotFoundException(detail=f"No sensor {sensor_id}")
    return SENSORS[sensor_id]


app = App(dispatcher=router)
docs = OpenAPI(title="Sensors", version="1.0.0", description="Temperatures around the house.")
docs.setup(app)
