/**
 * Write transactions' generations (Node.gen): each transaction takes the next, and owns the nodes
 * that carry it. A snapshot opened when the counter reads g can reach only nodes of generation g
 * or below: nodes made later carry a larger one (tx/readers.ts, ReaderRegistry.mayAdopt).
 */
let generations = 0

/** A new generation, larger than every one handed out before. */
export function nextGeneration(): number {
  return ++generations
}

/** The newest generation handed out. */
export function currentGeneration(): number {
  return generations
}
