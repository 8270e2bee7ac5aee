#!/usr/bin/env node
// Checks the minimal reproduction of every cause (minimal.jsonl, docs/differential.md) against the
// installed simulator: iam-simulate must still give `other`, and limits.mjs must still name the
// recorded cause. trustsim's side (`expected`) is checked by corpus/tests/differential.rs.
import { readFileSync } from 'node:fs'
import { evaluateLine } from './harness.mjs'
import { cause, inexpressible } from './limits.mjs'

const here = new URL('.', import.meta.url)
const cases = readFileSync(new URL('minimal.jsonl', here), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l))
let bad = 0
for (const c of cases) {
  let other
  try {
    other = evaluateLine(c)
  } catch (e) {
    other = `error: ${e.message}`
  }
  const limit = await inexpressible(c)
  const tag = await cause({ ...c, trustsim: c.expected, other, ...(limit ? { inexpressible: limit } : {}) })
  if (other !== c.other || tag !== c.cause) {
    bad += 1
    console.log(`minimal ${c.id}: iam-simulate gives ${other} (recorded ${c.other}), cause ${tag} (recorded ${c.cause})`)
  }
}
console.log(`minimal reproductions: ${cases.length - bad}/${cases.length} as recorded`)
process.exitCode = bad === 0 ? 0 : 1
