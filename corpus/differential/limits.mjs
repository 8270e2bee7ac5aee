// What the harness cannot express, and the causes of disagreement found so far
// (docs/differential.md, "Mapping limits" and "Disagreements by cause").
import { isConditionKeyArray, typeForContextKey } from '@cloud-copilot/iam-simulate'
import { isIP } from 'node:net'
import { contextFor } from './harness.mjs'

const ARN_OPERATOR = /^(ForAllValues:|ForAnyValue:)?Arn(Not)?(Equals|Like)(IfExists)?$/
// Keys the simulator's key data types as single-valued, but that IAM documents as multivalued.
const MULTIVALUED_ANYWAY = new Set(['cognito-identity.amazonaws.com:amr'])

const statements = (policy) => [policy?.Statement ?? []].flat()
const principalEntries = (s) => {
  const p = s.Principal
  if (p === '*') return [['AWS', '*']]
  if (!p || typeof p !== 'object') return []
  return Object.entries(p).flatMap(([kind, v]) => [v].flat().map((x) => [kind, String(x)]))
}
const principalOf = (p) => {
  if (typeof p === 'string') return p
  if (p && typeof p === 'object') return String(Object.values(p)[0] ?? '')
  return ''
}
const principalKind = (p) => (p && typeof p === 'object' ? Object.keys(p)[0] : undefined)
// The operator of every condition on a key (folded), over all statements.
function operatorsByKey(policy) {
  const out = new Map()
  for (const s of statements(policy)) {
    for (const [op, block] of Object.entries(s.Condition ?? {})) {
      for (const key of Object.keys(block ?? {})) {
        const k = key.toLowerCase()
        if (!out.has(k)) out.set(k, [])
        out.get(k).push(op)
      }
    }
  }
  return out
}

const keyTypes = new Map()
async function singleValued(key) {
  const k = key.toLowerCase()
  if (MULTIVALUED_ANYWAY.has(k)) return false
  if (!keyTypes.has(k)) {
    let single = false
    try {
      single = !isConditionKeyArray(await typeForContextKey(k))
    } catch {
      single = false // a key the simulator's data does not know: not known to be single-valued
    }
    keyTypes.set(k, single)
  }
  return keyTypes.get(k)
}

// A tag for a case the harness cannot express faithfully, or null.
export async function inexpressible(c) {
  const ctx = c.request?.context ?? {}
  // 1. A list of values for a key that AWS documents as single-valued: AWS never sends such a
  //    request ("Single-valued vs. multivalued context keys": single-valued keys "have at most
  //    one value in the request context"). iam-simulate models a list as a multivalued key.
  for (const [k, v] of Object.entries(ctx)) {
    if (Array.isArray(v) && (await singleValued(k))) return 'single-valued-key-as-list'
  }
  // 2. A federated caller named by a provider ARN, against a policy that trusts that ARN's
  //    account: iam-simulate takes the caller as a bare string and reads an
  //    account from any ARN, so it cannot tell the provider from an IAM principal of its account.
  if (principalKind(c.request?.principal) === 'Federated') {
    const m = /^arn:[^:]*:iam::(\d{12}):/.exec(principalOf(c.request.principal))
    if (m) {
      for (const s of statements(c.policy)) {
        for (const [kind, v] of principalEntries(s)) {
          if (kind === 'AWS' && (v === m[1] || v.endsWith(`:${m[1]}:root`))) {
            return 'federated-caller-account-arn'
          }
        }
      }
    }
  }
  return null
}

const DATE_OPERATOR = /^(ForAllValues:|ForAnyValue:)?Date/
const IP_OPERATOR = /^(ForAllValues:|ForAnyValue:)?(Not)?IpAddress(IfExists)?$/
const NEGATED = /(Not|NotIpAddress)/
// ISO 8601 as the W3C profile writes it (what trustsim reads), or epoch seconds.
const W3C_DATE = /^\d{4}-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$/
const isIp = (s) => isIP(s) !== 0
const isArn = (s) => s.startsWith('arn:') && s.split(':').length >= 6

// The cause of one disagreement (a tag of docs/differential.md), from its shape.
export async function cause(d) {
  if (d.inexpressible) return d.inexpressible
  const ctx = d.request?.context ?? {}
  const ops = operatorsByKey(d.policy)
  const values = (v) => [v].flat().map(String)
  // An empty string as the key's only value, read by Null or by a set operator.
  for (const [k, v] of Object.entries(ctx)) {
    const vals = values(v)
    if (vals.length === 0 || vals.some((x) => x !== '')) continue
    const keyOps = ops.get(k.toLowerCase()) ?? []
    if (keyOps.includes('Null')) return 'null-empty-string'
    if (keyOps.some((op) => op.startsWith('ForAllValues:'))) return 'forallvalues-empty-string'
    if (keyOps.some((op) => op.startsWith('ForAnyValue:'))) return 'foranyvalue-empty-string'
  }
  // Dates: epoch seconds (in the request or in the policy), or text that is no date but that
  // JavaScript's Date.parse reads.
  for (const st of statements(d.policy)) {
    for (const [op, block] of Object.entries(st.Condition ?? {})) {
      if (!DATE_OPERATOR.test(op)) continue
      for (const [k, v] of Object.entries(block ?? {})) {
        const present = Object.keys(ctx).some((c) => c.toLowerCase() === k.toLowerCase())
        if (present && values(v).some((x) => /^-?\d+(\.\d+)?$/.test(x))) return 'date-epoch-seconds'
      }
    }
  }
  for (const [k, v] of Object.entries(ctx)) {
    const keyOps = ops.get(k.toLowerCase()) ?? []
    if (!keyOps.some((op) => DATE_OPERATOR.test(op))) continue
    for (const x of values(v)) {
      if (/^-?\d+(\.\d+)?$/.test(x)) return 'date-epoch-seconds'
      if (!W3C_DATE.test(x) && !Number.isNaN(Date.parse(x))) return 'date-lenient-parsing'
    }
  }
  // Numbers: text that is no number but that JavaScript's parseFloat reads (`3600q`).
  for (const [k, v] of Object.entries(ctx)) {
    const keyOps = ops.get(k.toLowerCase()) ?? []
    if (!keyOps.some((op) => /^(ForAllValues:|ForAnyValue:)?Numeric/.test(op))) continue
    for (const x of values(v)) {
      if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(x) && !Number.isNaN(parseFloat(x))) return 'numeric-lenient-parsing'
    }
  }
  // ForAnyValue:...IfExists on a key the request does not have.
  let seen
  try {
    seen = new Set(Object.keys(contextFor(d.request)).map((k) => k.toLowerCase()))
  } catch {
    seen = new Set(Object.keys(ctx).map((k) => k.toLowerCase()))
  }
  for (const [k, keyOps] of ops) {
    if (seen.has(k)) continue
    if (keyOps.some((op) => op.startsWith('ForAnyValue:') && op.endsWith('IfExists'))) {
      return 'foranyvalue-ifexists-absent'
    }
  }
  // A negated ARN or IP operator on a request value that is no ARN or address.
  for (const [k, v] of Object.entries(ctx)) {
    const keyOps = ops.get(k.toLowerCase()) ?? []
    for (const op of keyOps) {
      if (!NEGATED.test(op)) continue
      const bad = ARN_OPERATOR.test(op) ? (x) => !isArn(x) : IP_OPERATOR.test(op) ? (x) => !isIp(x) : null
      if (bad && values(v).some(bad)) return 'unparseable-value-negated'
    }
  }
  // An ARN condition value whose first component is not `arn`: iam-simulate does not compare the
  // first of the six components.
  for (const [k, v] of Object.entries(ctx)) {
    const keyOps = ops.get(k.toLowerCase()) ?? []
    if (!keyOps.some((op) => ARN_OPERATOR.test(op))) continue
    for (const x of [v].flat()) {
      const s = String(x)
      if (!s.startsWith('arn:') && s.split(':').length >= 6) return 'arn-first-component'
    }
  }
  // A caller whose ARN (or its role) matches a policy principal only when case is ignored.
  const caller = principalOf(d.request?.principal)
  const session = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\//.exec(caller)
  for (const s of statements(d.policy)) {
    for (const [kind, v] of principalEntries(s)) {
      if (kind !== 'AWS' || v === '*') continue
      const names = [caller]
      if (session) names.push(`arn:${session[1]}:iam::${session[2]}:role/${session[3]}`)
      for (const n of names) {
        if (n !== v && n.toLowerCase() === v.toLowerCase()) return 'principal-name-case'
        if (session && v.startsWith(`arn:${session[1]}:iam::${session[2]}:role/`)) {
          const roleName = v.split('/').pop()
          if (roleName !== session[3] && roleName.toLowerCase() === session[3].toLowerCase()) {
            return 'principal-name-case'
          }
        }
      }
    }
  }
  // A plain (unqualified) operator on a key given as a list.
  for (const [k, v] of Object.entries(ctx)) {
    if (!Array.isArray(v)) continue
    const keyOps = ops.get(k.toLowerCase()) ?? []
    if (keyOps.some((op) => !op.startsWith('ForAllValues:') && !op.startsWith('ForAnyValue:'))) {
      return 'plain-operator-on-list'
    }
  }
  return 'unclassified'
}
