import { int, pick, type Random } from './random-queries.js'
import type { Db } from './sides.js'

/**
 * A seeded generator of queries over three related tables with the indexes an application would
 * give them (users -> orders -> items: integer keys, a composite key, foreign-key-like columns with
 * nulls and dangling values, secondary, composite and unique indexes, duplicates). Each query mixes
 * filters (comparisons, ranges, `in` lists, null tests, prefixes of composite indexes, `like`),
 * inner and left joins along the relations, `group by` / `having`, `in` / `exists` / scalar
 * subqueries (correlated or not), distinct, and `order by` every output column with `limit` /
 * `offset`, so that an ordered comparison is fair. The choices favour values that exist, so
 * that index seeks find rows.
 *
 * The shapes added after the first rounds (comparisons between two columns of one table, `is` join
 * keys, an inner join after a left join reading the left-joined table) draw from a second stream,
 * `shapes`, so that an older seed still gives its queries, but for those these shapes alter.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Q = any

type Table = 'users' | 'orders' | 'items'
type Kind = 'int' | 'real' | 'text'

const COLUMNS: Record<Table, Record<string, Kind>> = {
  users: { id: 'int', name: 'text', email: 'text', city: 'text', age: 'int', score: 'real' },
  orders: { id: 'int', user_id: 'int', status: 'text', amount: 'int', placed: 'text' },
  items: { order_id: 'int', sku: 'text', qty: 'int', price: 'real' },
}

const CITIES = ['Oslo', 'oslo', 'Paris', 'Lima', 'Kyiv', 'Zürich', '']
const STATUSES = ['new', 'paid', 'shipped', 'void']
const SKUS = ['a-1', 'a-2', 'b-1', 'b-10', 'B-2', 'c', 'é-3']
const NAMES = ['ann', 'Bob', 'cy', 'Dee', 'eve', 'ann', 'Émile']

export interface MultiSizes {
  users: number
  orders: number
}

export interface MultiData {
  users: Record<string, unknown>[]
  orders: Record<string, unknown>[]
  items: Record<string, unknown>[]
}

const nullOr = <T>(r: Random, p: number, value: () => T): T | null => (r() < p ? null : value())

export function multiData(r: Random, sizes: MultiSizes = { users: 24, orders: 60 }): MultiData {
  const users = Array.from({ length: sizes.users }, (_, i) => ({
    id: i + 1,
    name: pick(r, NAMES),
    email: r() < 0.2 ? null : `u${i % 19}x${i}@x`,
    city: nullOr(r, 0.15, () => pick(r, CITIES)),
    age: nullOr(r, 0.15, () => int(r, 15, 60)),
    score: nullOr(r, 0.2, () => int(r, -8, 40) / 4),
  }))
  const orders = Array.from({ length: sizes.orders }, (_, i) => ({
    id: 100 + i * 2,
    // Some orders name users that do not exist, some none.
    user_id: nullOr(r, 0.1, () => int(r, 1, sizes.users + 3)),
    status: pick(r, STATUSES),
    amount: nullOr(r, 0.1, () => int(r, 0, 30) * 5),
    placed: `2026-0${int(r, 1, 9)}-1${int(r, 0, 9)}`,
  }))
  const items = orders.flatMap((o) => {
    const skus = [...SKUS].sort(() => r() - 0.5).slice(0, int(r, 0, 3))
    return skus.map((sku) => ({
      order_id: o.id,
      sku,
      qty: int(r, 1, 6),
      price: nullOr(r, 0.15, () => int(r, 1, 80) / 4),
    }))
  })
  return { users, orders, items }
}

export async function createMultiSchema(db: Db, data: MultiData): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.unique())
    .addColumn('city', 'text')
    .addColumn('age', 'integer')
    .addColumn('score', 'real')
    .execute()
  await db.schema
    .createTable('orders')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('user_id', 'integer')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('amount', 'integer')
    .addColumn('placed', 'text')
    .execute()
  await db.schema
    .createTable('items')
    .addColumn('order_id', 'integer', (c) => c.notNull())
    .addColumn('sku', 'text', (c) => c.notNull())
    .addColumn('qty', 'integer', (c) => c.notNull())
    .addColumn('price', 'real')
    .addPrimaryKeyConstraint('items_pk', ['order_id', 'sku'])
    .execute()
  await db.schema.createIndex('users_city').on('users').column('city').execute()
  await db.schema.createIndex('users_city_age').on('users').columns(['city', 'age']).execute()
  await db.schema.createIndex('users_age').on('users').column('age').execute()
  await db.schema.createIndex('orders_user').on('orders').column('user_id').execute()
  await db.schema.createIndex('orders_status_amount').on('orders').columns(['status', 'amount']).execute()
  await db.schema.createIndex('items_sku').on('items').column('sku').execute()
  await db.schema.createIndex('items_qty_price').on('items').columns(['qty', 'price']).execute()
  for (const table of ['users', 'orders', 'items'] as const)
    if (data[table].length > 0) await db.insertInto(table).values(data[table]).execute()
}

/** A value a column holds (or nearly: a bound just outside the domain now and then). */
function valueFor(r: Random, table: Table, column: string): unknown {
  switch (`${table}.${column}`) {
    case 'users.id':
    case 'orders.user_id':
      return int(r, 0, 27)
    case 'orders.id':
    case 'items.order_id':
      return 100 + int(r, -1, 61) * 2 + (r() < 0.1 ? 1 : 0)
    case 'users.name':
      return pick(r, NAMES)
    case 'users.email':
      return `u${int(r, 0, 18)}x${int(r, 0, 25)}@x`
    case 'users.city':
      return pick(r, CITIES)
    case 'users.age':
      return int(r, 14, 61)
    case 'users.score':
      return int(r, -8, 40) / 4
    case 'orders.status':
      return pick(r, STATUSES)
    case 'orders.amount':
      return int(r, -1, 31) * 5
    case 'orders.placed':
      return `2026-0${int(r, 1, 9)}-1${int(r, 0, 9)}`
    case 'items.sku':
      return pick(r, SKUS)
    case 'items.qty':
      return int(r, 0, 7)
    default:
      return int(r, 0, 80) / 4
  }
}

/** Each table's primary key, and the column lists its indexes are ordered by. */
const KEYS: Record<Table, readonly string[]> = { users: ['id'], orders: ['id'], items: ['order_id', 'sku'] }
const INDEX_ORDERS: Record<Table, readonly (readonly string[])[]> = {
  users: [['city'], ['city', 'age'], ['age'], ['email']],
  orders: [['user_id'], ['status', 'amount']],
  items: [['sku'], ['qty', 'price']],
}

interface InScope {
  alias: string
  table: Table
  kind?: string
}

/** The relations a join may follow: [from table, its column, to table, its column]. */
const LINKS: readonly [Table, string, Table, string][] = [
  ['users', 'id', 'orders', 'user_id'],
  ['orders', 'user_id', 'users', 'id'],
  ['orders', 'id', 'items', 'order_id'],
  ['items', 'order_id', 'orders', 'id'],
]

class QueryMaker {
  readonly scope: InScope[] = []
  constructor(
    readonly db: Db,
    readonly r: Random,
    readonly shapes: Random,
  ) {}

  column(kind?: Kind): { ref: string; table: Table; column: string } {
    for (let attempt = 0; ; attempt++) {
      const s = pick(this.r, this.scope)
      const names = Object.keys(COLUMNS[s.table]).filter((c) => kind === undefined || COLUMNS[s.table][c] === kind)
      if (names.length === 0 && attempt < 10) continue
      const column = names.length === 0 ? Object.keys(COLUMNS[s.table])[0]! : pick(this.r, names)
      return { ref: `${s.alias}.${column}`, table: s.table, column }
    }
  }

  /** One leaf of a where clause. */
  predicate(eb: Q): Q {
    const r = this.r
    const form = int(r, 0, 11)
    const c = this.column()
    const v = (): unknown => valueFor(r, c.table, c.column)
    switch (form) {
      case 0:
      case 1:
        return eb(c.ref, pick(r, ['=', '=', '<>', '<', '<=', '>', '>=']), v())
      case 2: {
        const between = eb.between(c.ref, v(), v())
        return r() < 0.75 ? between : eb.not(between)
      }
      case 3:
        return eb(c.ref, pick(r, ['in', 'in', 'not in']), Array.from({ length: int(r, 1, 4) }, v))
      case 4:
        return eb(c.ref, pick(r, ['is', 'is not']), null)
      case 5: {
        // A prefix of a composite index: the equality, then a range on the next column.
        const u = this.scope.find((s) => s.table === 'users')
        const o = this.scope.find((s) => s.table === 'orders')
        if (u !== undefined && (o === undefined || r() < 0.5))
          return eb.and([
            eb(`${u.alias}.city`, '=', valueFor(r, 'users', 'city')),
            eb(`${u.alias}.age`, pick(r, ['>', '<=', '=']), valueFor(r, 'users', 'age')),
          ])
        if (o !== undefined)
          return eb.and([
            eb(`${o.alias}.status`, '=', valueFor(r, 'orders', 'status')),
            eb(`${o.alias}.amount`, pick(r, ['>=', '<']), valueFor(r, 'orders', 'amount')),
          ])
        return eb(c.ref, '=', v())
      }
      case 6: {
        const t = this.column('text')
        return eb(t.ref, pick(r, ['like', 'not like']), pick(r, ['a%', 'O%', '%i%', '_-1', 'b-1%', '']))
      }
      case 7:
        return eb.or([eb(c.ref, '<', v()), eb(this.column().ref, 'is', null)])
      case 8:
        return eb.not(eb(c.ref, '>=', v()))
      default:
        return this.subqueryPredicate(eb)
    }
  }

  /** `in`, `exists` or a scalar subquery, correlated with a table in scope or not. */
  subqueryPredicate(eb: Q): Q {
    const r = this.r
    const db = this.db
    const s = pick(r, this.scope)
    const a = s.alias
    const form = int(r, 0, 2)
    if (s.table === 'users') {
      if (form === 0)
        return eb(
          `${a}.id`,
          pick(r, ['in', 'not in']),
          db
            .selectFrom('orders as so')
            .select('so.user_id')
            .where('so.amount', '>', valueFor(r, 'orders', 'amount')),
        )
      if (form === 1)
        return eb.exists(
          db
            .selectFrom('orders as so')
            .select('so.id')
            .whereRef('so.user_id', '=', `${a}.id` as never)
            .where('so.status', '=', valueFor(r, 'orders', 'status')),
        )
      return eb(
        db
          .selectFrom('orders as so')
          .select((e: Q) => e.fn.countAll().as('n'))
          .whereRef('so.user_id', '=', `${a}.id` as never),
        pick(r, ['>', '=', '<']),
        int(r, 0, 3),
      )
    }
    if (s.table === 'orders') {
      if (form === 0)
        return eb(
          `${a}.user_id`,
          pick(r, ['in', 'not in']),
          db
            .selectFrom('users as su')
            .select('su.id')
            .where('su.city', '=', valueFor(r, 'users', 'city')),
        )
      if (form === 1)
        return eb.not(
          eb.exists(
            db
              .selectFrom('items as si')
              .select('si.sku')
              .whereRef('si.order_id', '=', `${a}.id` as never)
              .where('si.qty', '>', int(r, 1, 5)),
          ),
        )
      return eb(
        db
          .selectFrom('items as si')
          .select((e: Q) => e.fn.sum('si.qty').as('q'))
          .whereRef('si.order_id', '=', `${a}.id` as never),
        pick(r, ['>', '<=']),
        int(r, 1, 10),
      )
    }
    if (form === 0)
      return eb(
        `${a}.order_id`,
        'in',
        db
          .selectFrom('orders as so')
          .select('so.id')
          .where('so.status', '=', valueFor(r, 'orders', 'status')),
      )
    if (form === 1)
      return eb.exists(
        db
          .selectFrom('orders as so')
          .select('so.id')
          .whereRef('so.id', '=', `${a}.order_id` as never)
          .where('so.amount', '>', valueFor(r, 'orders', 'amount')),
      )
    return eb(
      `${a}.price`,
      '>',
      db.selectFrom('items as si').select((e: Q) => e.fn.avg('si.price').as('p')),
    )
  }

  /**
   * A comparison of two columns of one table in scope (`t1.id = t1.user_id`, `t0.age = t0.age`,
   * `t2.qty < t2.price`, `is`, `is not`), of one kind more often than not, the last table joined
   * more often than the others: no join key nor index bound, a filter on that table's own rows
   * (FAILING.md J6: taken as a hash join's key, it matched nothing).
   */
  sameTableTerm(): [string, string, string] {
    const s = this.shapes
    const t = s() < 0.5 ? this.scope[this.scope.length - 1]! : pick(s, this.scope)
    const names = Object.keys(COLUMNS[t.table])
    const first = pick(s, names)
    const kind = COLUMNS[t.table][first]!
    const alike = names.filter((c) => COLUMNS[t.table][c] === kind)
    const second = s() < 0.3 ? first : pick(s, s() < 0.7 ? alike : names)
    return [`${t.alias}.${first}`, pick(s, ['=', '=', '<', '>=', '<>', 'is', 'is not']), `${t.alias}.${second}`]
  }

  where(q: Q): Q {
    const n = int(this.r, 0, 3)
    if (n > 0)
      q = q.where((eb: Q) => {
        const leaves = Array.from({ length: n }, () => this.predicate(eb))
        return leaves.length === 1 ? leaves[0] : this.r() < 0.7 ? eb.and(leaves) : eb.or(leaves)
      })
    const s = this.shapes
    if (s() < 0.1) {
      const [left, op, right] = this.sameTableTerm()
      // Now and then beside a null test in an `or`, which keeps the term from filtering alone.
      if (s() < 0.25) {
        const other = pick(s, this.scope)
        const column = pick(s, Object.keys(COLUMNS[other.table]))
        q = q.where((eb: Q) => eb.or([eb(left, op, eb.ref(right)), eb(`${other.alias}.${column}`, 'is', null)]))
      } else q = q.whereRef(left, op, right)
    }
    return q
  }

  join(q: Q, index: number): Q {
    const r = this.r
    const options = LINKS.filter(
      ([from, , to]) => this.scope.some((s) => s.table === from) && !this.scope.some((s) => s.table === to),
    )
    if (options.length === 0) return q
    const [from, fromColumn, to, toColumn] = pick(r, options)
    const left = this.scope.find((s) => s.table === from)!
    const alias = `t${index}`
    const { kind, op, own } = this.joinShape(
      pick(r, ['innerJoin', 'innerJoin', 'innerJoin', 'leftJoin', 'leftJoin', 'rightJoin', 'fullJoin']),
      left,
    )
    this.scope.push({ alias, table: to, kind })
    const on = `${alias}.${toColumn}`
    const ref = `${left.alias}.${fromColumn}`
    const withOwn = (jb: Q): Q => (own ? jb.onRef(...this.sameTableTerm()) : jb)
    const shape = r()
    const c = pick(r, Object.keys(COLUMNS[to]))
    if (shape < 0.2)
      return q[kind](`${to} as ${alias}`, (jb: Q) =>
        withOwn(
          jb.onRef(on, op, ref).on(`${alias}.${c}`, pick(r, ['is not', '>']), r() < 0.5 ? null : valueFor(r, to, c)),
        ),
      )
    // No equality to hash on: a nested loop (or an index range) has to find the pairs.
    if (shape < 0.3)
      return q[kind](`${to} as ${alias}`, (jb: Q) =>
        withOwn(
          jb.on((eb: Q) =>
            eb.or([eb(on, op, eb.ref(ref)), eb.and([eb(`${alias}.${c}`, 'is', null), eb(ref, '<', 3)])]),
          ),
        ),
      )
    // An equality between columns no key or index relates (the first join only, to keep results small).
    if (shape < 0.4 && index === 1) {
      const kindOf = COLUMNS[to][c]!
      const partners = Object.keys(COLUMNS[from]).filter((k) => COLUMNS[from][k] === kindOf)
      if (partners.length > 0) {
        const partner = `${left.alias}.${pick(r, partners)}`
        return q[kind](`${to} as ${alias}`, (jb: Q) => withOwn(jb.onRef(`${alias}.${c}`, op, partner)))
      }
    }
    if (op === '=' && !own) return q[kind](`${to} as ${alias}`, on, ref)
    return q[kind](`${to} as ${alias}`, (jb: Q) => withOwn(jb.onRef(on, op, ref)))
  }

  /**
   * The join shapes of the second stream: the key compared with `is` now and then, a term comparing
   * two of the joined table's columns in its on clause, the first join made a left join now and
   * then, and a join reading a left-joined table made an inner join with an `is` key (`users left
   * join orders on ... inner join items on items.order_id is orders.id`: FAILING.md J6).
   */
  joinShape(drawn: string, left: InScope): { kind: string; op: string; own: boolean } {
    const s = this.shapes
    const own = s() < 0.06
    if (left.kind === 'leftJoin' && s() < 0.4) return { kind: 'innerJoin', op: 'is', own }
    const op = s() < 0.06 ? 'is' : '='
    if (this.scope.length === 1 && s() < 0.12) return { kind: 'leftJoin', op, own }
    return { kind: drawn, op, own }
  }

  /** The select list: grouped with aggregates, or columns (with a scalar subquery now and then). */
  select(q: Q): { q: Q; outputs: string[]; plain: boolean } {
    const r = this.r
    const outputs: string[] = []
    if (r() < 0.4) {
      const keys = [...new Set(Array.from({ length: int(r, 0, 2) }, () => this.column().ref))]
      const aggregates = Array.from({ length: int(r, 1, 3) }, () => {
        const fn = pick(r, ['countAll', 'count', 'sum', 'min', 'max', 'avg', 'countDistinct'])
        const target = this.column(fn === 'sum' || fn === 'avg' ? pick(r, ['int', 'real'] as const) : undefined).ref
        return { fn, target }
      })
      q = q.select((eb: Q) => [
        ...keys.map((k, i) => {
          outputs.push(`k${i}`)
          return eb.ref(k).as(`k${i}`)
        }),
        ...aggregates.map(({ fn, target }, i) => {
          outputs.push(`g${i}`)
          if (fn === 'countAll') return eb.fn.countAll().as(`g${i}`)
          if (fn === 'countDistinct') return eb.fn.count(target).distinct().as(`g${i}`)
          return eb.fn[fn](target).as(`g${i}`)
        }),
      ])
      if (keys.length > 0) q = q.groupBy(keys)
      if (keys.length > 0 && r() < 0.35)
        q = q.having((eb: Q) =>
          r() < 0.5
            ? eb(eb.fn.countAll(), '>', int(r, 1, 3))
            : eb(eb.fn.max(this.column('int').ref), '>', int(r, 0, 100)),
        )
      return { q, outputs, plain: false }
    }
    const refs = [...new Set(Array.from({ length: int(r, 1, 4) }, () => this.column().ref))]
    q = q.select(
      refs.map((ref, i) => {
        outputs.push(`c${i}`)
        return `${ref} as c${i}`
      }),
    )
    if (r() < 0.15) {
      const u = this.scope.find((s) => s.table === 'users' || s.table === 'orders')
      if (u !== undefined) {
        const key = u.table === 'users' ? `${u.alias}.id` : `${u.alias}.user_id`
        q = q.select((eb: Q) =>
          eb
            .selectFrom('orders as sq')
            .select((e: Q) => e.fn.max('sq.amount').as('m'))
            .whereRef('sq.user_id', '=', key as never)
            .as('sub'),
        )
        outputs.push('sub')
      }
    }
    const distinct = r() < 0.2
    if (distinct) q = q.distinct()
    return { q, outputs, plain: !distinct }
  }

  build(): MultiQuery {
    const r = this.r
    const first = pick(r, ['users', 'orders', 'items'] as const)
    this.scope.push({ alias: 't0', table: first })
    let q: Q = this.db.selectFrom(`${first} as t0`)
    const joins = int(r, 0, 2)
    for (let j = 1; j <= joins; j++) q = this.join(q, j)
    q = this.where(q)
    const selected = this.select(q)
    q = selected.q
    const ordered = r() < 0.5
    if (ordered && joins === 0 && selected.plain && r() < 0.5) {
      // An index's order then the key: total, and what an index scan with a pushed-down limit serves.
      const index = pick(r, INDEX_ORDERS[first])
      const direction = pick(r, ['asc', 'desc'])
      for (const column of [...index, ...KEYS[first]]) q = q.orderBy(`t0.${column}`, r() < 0.8 ? direction : 'asc')
      if (r() < 0.8) q = q.limit(int(r, 1, 8)).offset(r() < 0.3 ? int(r, 0, 4) : 0)
    } else if (ordered) {
      for (const name of selected.outputs) {
        const direction = pick(r, ['asc', 'desc'] as const)
        const nulls = pick(r, [undefined, undefined, 'nullsFirst', 'nullsLast'] as const)
        q = q.orderBy(name, nulls === undefined ? direction : (ob: Q) => ob[direction]()[nulls]())
      }
      if (r() < 0.6) {
        q = q.limit(int(r, 1, 8))
        if (r() < 0.5) q = q.offset(int(r, 0, 5))
      }
    }
    return { query: q, ordered }
  }
}

export interface MultiQuery {
  query: Q
  /** Ordered by every output column, so that the order is total up to identical rows. */
  ordered: boolean
}

/** One query: `r` draws the shapes of the first rounds, `shapes` those added since (see above). */
export function randomMultiQuery(db: Db, r: Random, shapes: Random): MultiQuery {
  return new QueryMaker(db, r, shapes).build()
}
