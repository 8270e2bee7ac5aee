#!/usr/bin/env node
// Compares trustsim's and iam-simulate's decisions on the same lines (docs/differential.md).
//
//   node compare.mjs CASES.jsonl TRUSTSIM.jsonl OTHER.jsonl OUT_DIR
//
// Prints the agreement rate, overall and without the cases the harness cannot express, and
// writes every disagreement to OUT_DIR/disagreements.jsonl as
// {"id", "policy", "request", "trustsim", "other", "inexpressible"?, "cause"}, and counts
// the disagreements by cause (limits.mjs).
import { writeFileSync } from 'node:fs'
import { lines } from './jsonl.mjs'
import { cause, inexpressible } from './limits.mjs'

const [casesFile, trustsimFile, otherFile, outDir] = process.argv.slice(2)
if (!outDir) {
  console.error('usage: node compare.mjs CASES.jsonl TRUSTSIM.jsonl OTHER.jsonl OUT_DIR')
  process.exit(1)
}
const cases = lines(casesFile)
const ours = new Map(lines(trustsimFile).map((r) => [r.id, r]))
const theirs = new Map(lines(otherFile).map((r) => [r.id, r]))

const verdict = (r) => (r === undefined ? 'missing' : r.decision ?? `error: ${r.error}`)
let agree = 0
let expressible = 0
let agreeExpressible = 0
const out = []
for (const c of cases) {
  const a = verdict(ours.get(c.id))
  const b = verdict(theirs.get(c.id))
  const limit = await inexpressible(c)
  if (!limit) expressible += 1
  if (a === b) {
    agree += 1
    if (!limit) agreeExpressible += 1
    continue
  }
  const d = { id: c.id, policy: c.policy, request: c.request, trustsim: a, other: b, ...(limit ? { inexpressible: limit } : {}) }
  d.cause = await cause(d)
  out.push(d)
}
writeFileSync(`${outDir}/disagreements.jsonl`, out.map((d) => JSON.stringify(d)).join('\n') + (out.length ? '\n' : ''))
const pct = (x, n) => (n === 0 ? 'n/a' : `${((100 * x) / n).toFixed(2)}%`)
console.log(`cases: ${cases.length}`)
console.log(`agreement: ${agree}/${cases.length} = ${pct(agree, cases.length)}`)
console.log(
  `agreement without inexpressible cases: ${agreeExpressible}/${expressible} = ${pct(agreeExpressible, expressible)}`
)
console.log(`disagreements: ${out.length} (written to ${outDir}/disagreements.jsonl)`)
const byCause = new Map()
for (const d of out) byCause.set(d.cause, (byCause.get(d.cause) ?? 0) + 1)
for (const [k, n] of [...byCause].sort((x, y) => y[1] - x[1])) console.log(`  ${n}\t${k}`)
