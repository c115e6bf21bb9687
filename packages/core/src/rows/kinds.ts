export const ROW_KINDS = ['deployment', 'pickup', 'ride'] as const
export type RowKind = (typeof ROW_KINDS)[number]

/** Required header names per kind, in the order the files usually have them. */
export const KIND_COLUMNS = {
  deployment: ['task_id', 'vehicle_id', 'time_task_created', 'time_task_resolved'],
  pickup: ['task_id', 'vehicle_id', 'qr_code', 'time_task_created', 'time_task_resolved'],
  ride: [
    'ride_id',
    'vehicle_id',
    'time_ride_start',
    'time_ride_end',
    'start_lat',
    'start_lng',
    'end_lat',
    'end_lng',
    'gross_amount',
  ],
} as const satisfies Record<RowKind, readonly string[]>

export type KindColumn<K extends RowKind> = (typeof KIND_COLUMNS)[K][number]

const FILE_PREFIXES: ReadonlyArray<readonly [string, RowKind]> = [
  ['deployments', 'deployment'],
  ['pickups', 'pickup'],
  ['rides', 'ride'],
]

/**
 * domain.md §1: the kind comes from a case-sensitive prefix of the file's base
 * name (`rides_001.csv`, `deployments.csv`). Null when none matches.
 */
export function kindFromFileName(baseName: string): RowKind | null {
  for (const [prefix, kind] of FILE_PREFIXES) if (baseName.startsWith(prefix)) return kind
  return null
}

export function isRowKind(value: string): value is RowKind {
  return (ROW_KINDS as readonly string[]).includes(value)
}
