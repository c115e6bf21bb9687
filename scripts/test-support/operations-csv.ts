// Small deployments files for the tests of several packages.

/** A deployment line of the CSV: task D<n>, vehicle V<n mod 7> (ids of 20 characters). */
export const deployment = (n: number): string =>
  `D${String(n).padStart(19, '0')},V${String(n % 7).padStart(19, '0')},2019-05-01 10:00:00 UTC,2019-05-01 10:05:00 UTC`

/** A deployments file's text: the header, then deployments from..to-1. */
export const deploymentsCsv = (from: number, to: number): string =>
  `task_id,vehicle_id,time_task_created,time_task_resolved\n${Array.from({ length: to - from }, (_, i) => deployment(from + i)).join('\n')}\n`
