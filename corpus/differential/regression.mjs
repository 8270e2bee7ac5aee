#!/usr/bin/env node
// Writes the committed regression set, corpus/differential/cases.jsonl, from a run of run.sh
// (docs/differential.md, "The regression set"):
//
//   node regression.mjs OUT_DIR > cases.jsonl
//
// Every disagreement of the run, plus a spread of agreeing cases (for each policy, the first case
// of each decision and up to AGREE_PER_POLICY in all), each as
//   {"id", "policy": "<corpus policy id>", "request", "expected", "other", "cause"}.
// `expected` is the decision AWS's documentation gives, as investigated for the case's cause
// (VERDICTS below, one entry per cause of docs/differential.md); `other` is iam-simulate's.
import { lines } from './jsonl.mjs'
import { cause, inexpressible } from './limits.mjs'

// The investigated verdict of every cause: which side the documentation supports.
//   other-wrong:   iam-simulate departs from a documented rule; trustsim follows it.
//   trustsim-wrong: trustsim departed from a documented rule (fixed; expected is the fixed result).
//   silent:        the documentation does not decide; expected is trustsim's documented reading.
//   inexpressible: the request cannot be given to iam-simulate as it is; expected is the
//                  documented result for the request itself.
export const VERDICTS = {
  'arn-first-component': 'other-wrong',
  'null-empty-string': 'other-wrong',
  'forallvalues-empty-string': 'other-wrong',
  'date-epoch-seconds': 'other-wrong',
  'date-lenient-parsing': 'other-wrong',
  'numeric-lenient-parsing': 'other-wrong',
  'plain-operator-on-list': 'silent',
  'principal-name-case': 'silent',
  'foranyvalue-ifexists-absent': 'silent',
  'foranyvalue-empty-string': 'silent',
  'unparseable-value-negated': 'silent',
  'single-valued-key-as-list': 'inexpressible',
  'federated-caller-account-arn': 'inexpressible'
}
const AGREE_PER_POLICY = Number(process.env.AGREE_PER_POLICY ?? 2)

const outDir = process.argv[2]
if (!outDir) {
  console.error('usage: node regression.mjs OUT_DIR > cases.jsonl')
  process.exit(1)
}
const cases = lines(`${outDir}/cases.jsonl`)
const ours = new Map(lines(`${outDir}/trustsim.jsonl`).map((r) => [r.id, r.decision ?? `error: ${r.error}`]))
const theirs = new Map(lines(`${outDir}/other.jsonl`).map((r) => [r.id, r.decision ?? `error: ${r.error}`]))

const perPolicy = new Map()
const out = []
for (const c of cases) {
  const policy = c.id.slice(0, c.id.lastIndexOf('#'))
  const a = ours.get(c.id)
  const b = theirs.get(c.id)
  if (!a || a.startsWith('error') || !b) continue
  let tag = 'agree'
  if (a !== b) {
    const limit = await inexpressible(c)
    tag = await cause({ ...c, trustsim: a, other: b, ...(limit ? { inexpressible: limit } : {}) })
    if (!(tag in VERDICTS)) {
      console.error(`${c.id}: cause \`${tag}\` has no investigated verdict; add it to VERDICTS and docs/differential.md`)
      process.exit(1)
    }
  } else {
    const seen = perPolicy.get(policy) ?? { count: 0, decisions: new Set() }
    perPolicy.set(policy, seen)
    const fresh = !seen.decisions.has(a)
    if (seen.count >= AGREE_PER_POLICY || (!fresh && seen.count >= seen.decisions.size + 1)) continue
    seen.count += 1
    seen.decisions.add(a)
  }
  // Every verdict so far leaves trustsim's decision as the documented one (VERDICTS).
  out.push({ id: c.id, policy, request: c.request, expected: a, other: b, cause: tag })
}
for (const line of out) process.stdout.write(JSON.stringify(line) + '\n')
