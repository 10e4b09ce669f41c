import type { LeafStates } from './leaf-states.js'

/**
 * Whether a writer may overwrite a value in its leaf's page (Node.overwritePacked), and what must
 * see the bytes first. Every other edit of a packed leaf writes new bytes (a new entry, or a copy
 * of the page) and leaves the old ones where views of them may be read; an overwrite of a value by
 * one of the same length in place is cheaper (no page copy when the leaf is full, as it is after an
 * ascending load or a checkpoint) but changes bytes, so it happens only while no view of a value can
 * be held: never for a put that keeps the old value (treePut's keepOld: a savepoint's undo keeps
 * it as a view), and, as the writer says (mayOverwrite), no cursor opened in the transaction (its
 * views stay valid until its next move; a write transaction's cursor decodes the packed leaves it
 * lands on today, cursor.ts Frame.set, so its views name pages no overwrite writes, but a cursor
 * reading them as pages, as a snapshot's does, would not).
 */
export interface InPlaceValues<N> {
  /** Whether values may be overwritten in place now. */
  mayOverwrite(): boolean
  /**
   * The published states of the leaves the writer edits in place (WriteTx.adopt): an overwrite in
   * the page of one of them saves the bytes it replaces there first (LeafStates.saveBytes), for a
   * rollback or a detach to write back.
   */
  readonly saved: LeafStates<N>
}
