/**
 * Objects kept for the life of the process so that V8 keeps their hidden classes, and with them the
 * code it optimized for those classes.
 *
 * V8 compiles a hot function for the hidden classes ("maps") of the objects it met there and holds
 * those maps weakly from the code. A class's instances all share one map, but the map lives only
 * while an object has it: once none is left and a few full collections have passed
 * (`--retain-maps-for-n-gc`, 2), the map is collected and every function optimized for it is
 * thrown away ("marking dependent code ... for deoptimization, reason: weak objects"). A
 * database's transactions, tree nodes, records and queued updates are all garbage between two
 * bursts of writes (after a checkpoint, and always once it is closed), so the next burst ran in
 * the interpreter until V8 had compiled everything again: 20,000 durable commits with 64 in flight
 * into a new database, measured after a full collection as the bench measures, took ~3x the CPU
 * of the same run without the collection (47 functions of the commit path deoptimized, 60
 * compiled again during the run, 8 without it).
 *
 * Each module with such a class keeps one small instance of it here, made by the class's own
 * constructor so that it has the map every instance gets (db/database.ts keeps the last closed
 * database and a transaction of it, whose classes need a database to be made). A set kept under a
 * name replaces the one kept before: a later set has the maps as they are then (a field that V8
 * had to widen in a way its map cannot absorb gives instances made afterwards a new map).
 */
const kept = new Map<string, readonly object[]>()

/** Keeps `instances` until `name` is kept again, for the life of the process. */
export function keepShapes(name: string, instances: readonly object[]): void {
  kept.set(name, instances)
}

/** The names kept so far (the tests' check that each module registered its classes). */
export function keptShapeNames(): string[] {
  return [...kept.keys()]
}
