import type { StoredView } from '@vehicle-perf/core'
import { keyId } from './lookup-batcher.js'
import { queryRows, type QueryClient } from './pg-client.js'
import { qualified, type Tables } from './schema.js'

//   key type (0 vehicle id, 1 QR code), key, vehicle_id, qr_code, template,
//   open_started_at, open_ride_time_s, open_revenue_cents, content_hash, as_of, data_version
type ViewValues = [number, string, string, string | null, string, number | null, number | null, number | null, string, number | null, number]

/** The statements that read views: one key alone by its type, or a batch. */
export interface ViewStatements {
  byId: ViewStatement
  byQr: ViewStatement
  batch: ViewStatement
}

/** A statement's text, and its name when it is prepared once per connection. */
interface ViewStatement {
  name: string | undefined
  text: string
}

const VIEW_COLUMNS = 'v.vehicle_id, v.qr_code, v.template, v.open_started_at, v.open_ride_time_s, v.open_revenue_cents, v.content_hash'

/**
 * A key alone is read by the plain statement of its type: the batch
 * statement's union and lateral join cost a lone key about twice the
 * server time (replanned on each execution: 2.1-2.4k serial reads a second
 * against 4.0-5.1k), and a lightly loaded server sends keys alone.
 */
export function viewStatements(tables: Tables, prefix: string | null): ViewStatements {
  const views = qualified(tables.vehicleViews)
  const meta = qualified(tables.storeMeta)
  const name = (suffix: string): string | undefined => (prefix === null ? undefined : `${prefix}${suffix}`)
  return {
    byId: { name: name('view_one_id'), text: `SELECT 0, v.vehicle_id, ${VIEW_COLUMNS}, m.as_of, m.data_version FROM ${views} v CROSS JOIN ${meta} m WHERE m.id = 1 AND v.vehicle_id = $1` },
    byQr: {
      name: name('view_one_qr'),
      text: `SELECT 1, $1::text, ${VIEW_COLUMNS}, m.as_of, m.data_version FROM ${views} v CROSS JOIN ${meta} m
        WHERE m.id = 1 AND v.vehicle_id = (SELECT c.vehicle_id FROM ${qualified(tables.qrClaims)} c WHERE c.qr_code = $1 ORDER BY c.recency DESC LIMIT 1)`,
    },
    batch: { name: name('view_batch'), text: viewBatchStatement(tables) },
  }
}

/**
 * The statement that reads the views of a batch of keys ($1 vehicle ids, $2
 * QR codes) in one snapshot, with the store's as_of and data version. A QR
 * code resolves to its most recent claim's vehicle, one index probe each;
 * the LIMIT 1 keeps each probe a lateral index read whatever the planner
 * thinks of the array's size.
 */
function viewBatchStatement(tables: Tables): string {
  const views = qualified(tables.vehicleViews)
  return `SELECT found.*, m.as_of, m.data_version FROM (
      SELECT 0 AS key_type, v.vehicle_id AS key, ${VIEW_COLUMNS} FROM ${views} v WHERE v.vehicle_id = ANY($1::text[])
      UNION ALL
      SELECT 1, q.key, ${VIEW_COLUMNS}
        FROM unnest($2::text[]) AS q(key)
        CROSS JOIN LATERAL (SELECT c.vehicle_id FROM ${qualified(tables.qrClaims)} c WHERE c.qr_code = q.key ORDER BY c.recency DESC LIMIT 1) owner
        JOIN ${views} v ON v.vehicle_id = owner.vehicle_id
    ) found CROSS JOIN ${qualified(tables.storeMeta)} m WHERE m.id = 1`
}

/** Reads a batch of keys' views: each found key's view by its `keyId`. */
export async function readViewBatch(client: QueryClient, statements: ViewStatements, vehicleIds: string[], qrCodes: string[]): Promise<Map<string, StoredView>> {
  const [statement, values] =
    vehicleIds.length + qrCodes.length > 1 ? [statements.batch, [vehicleIds, qrCodes]] : vehicleIds.length === 1 ? [statements.byId, vehicleIds] : [statements.byQr, qrCodes]
  const rows = await queryRows<ViewValues>(client, statement.text, values, statement.name)
  const views = new Map<string, StoredView>()
  for (const [keyType, key, vehicleId, qrCode, template, openStartedAt, openRideTimeS, openRevenueCents, contentHash, asOf, dataVersion] of rows) {
    views.set(keyId(keyType === 0 ? 'vehicle_id' : 'qr_code', key), {
      vehicleId,
      qrCode,
      template,
      openCycle: openStartedAt === null ? null : { startedAt: openStartedAt, rideTimeS: openRideTimeS as number, revenueCents: openRevenueCents as number },
      contentHash,
      asOf,
      dataVersion,
    })
  }
  return views
}
