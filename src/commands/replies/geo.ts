/**
 * Reply transforms of the `geo` group. Coordinates are doubles (RESP3) or strings (RESP2);
 * distances are strings in both; both read as numbers.
 *
 * @module
 */
import type { RESPValue } from "../../protocol/values.js";
import type { StringType } from "../executor.js";
import { asArray, mapArray, toDouble } from "./common.js";

export { toDoubleOrNull as distance } from "./common.js";

/** A longitude and a latitude. */
export type GeoCoordinates = [longitude: number, latitude: number];

/**
 * One result of `GEOSEARCH`/`GEORADIUS…` with `WITHDIST`, `WITHHASH` or `WITHCOORD`: the member
 * and the extras asked for, under the options' names.
 */
export interface GeoSearchItem<S> {
  member: S;
  /** With `withdist`: the distance, in the unit of the query. */
  dist?: number;
  /** With `withhash`: the member's geohash as an integer. */
  hash?: number;
  /** With `withcoord`. */
  coord?: GeoCoordinates;
}

function coordinates(reply: RESPValue): GeoCoordinates {
  const [longitude, latitude] = asArray(reply);
  return [toDouble(longitude ?? null), toDouble(latitude ?? null)];
}

/** `GEOPOS`: coordinates (or `null` for a missing member) per member. */
export function geopos(reply: RESPValue): (GeoCoordinates | null)[] {
  return mapArray(reply, (p) => (p === null ? null : coordinates(p)));
}

/**
 * Search results with extras. Redis sends them in a fixed order — distance (a string), hash (an
 * integer), coordinates (an array) — so each is recognised by its kind.
 */
export function geoItems<S extends StringType>(reply: RESPValue): GeoSearchItem<S>[] {
  return mapArray(reply, (entry) => {
    const [member, ...extras] = asArray(entry);
    const item: GeoSearchItem<S> = { member: member as S };
    for (const extra of extras) {
      if (Array.isArray(extra)) item.coord = coordinates(extra);
      else if (typeof extra === "number" || typeof extra === "bigint") item.hash = Number(extra);
      else item.dist = toDouble(extra);
    }
    return item;
  });
}
