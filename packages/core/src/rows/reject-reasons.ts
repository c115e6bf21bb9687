/** Every reason a row can be rejected for (domain.md §2). A row carries each reason that applies. */
export const REJECT_REASONS = [
  'missing_field',
  'bad_id',
  'bad_qr_code',
  'bad_timestamp',
  'resolved_before_created',
  'ride_ends_before_start',
  'bad_coordinate',
  'bad_amount',
  'wrong_column_count',
] as const

export type RejectReason = (typeof REJECT_REASONS)[number]
