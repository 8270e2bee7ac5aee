#!/usr/bin/env node
// Which corpus policies does each tool refuse? (docs/differential.md, "Policies the two tools
// read differently".) Gives every corpus policy to `trustsim eval --batch` and to the harness
// with one request, and lists the policies that one tool rejects and the other evaluates.
//
//   node validity.mjs TRUSTSIM_BINARY      (writes out/validity.jsonl)
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import { evaluateLine } from './harness.mjs'

const binary = process.argv[2]
if (!binary) {
  console.error('usage: node validity.mjs TRUSTSIM_BINARY')
  process.exit(1)
}
const corpus = new URL('../', import.meta.url)
const manifest = JSON.parse(readFileSync(new URL('manifest.json', corpus), 'utf8'))
const request = { principal: 'events.amazonaws.com', role: 'arn:aws:iam::111122223333:role/differential' }
const lines = []
for (const { id } of manifest) {
  let policy
  try {
    policy = JSON.parse(readFileSync(new URL(`policies/${id}.json`, corpus), 'utf8'))
  } catch {
    continue // not JSON: both refuse it
  }
  lines.push({ id, policy, request })
}
const outDir = new URL('out/', import.meta.url)
mkdirSync(outDir, { recursive: true })
const file = new URL('validity.jsonl', outDir)
writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n')
const run = spawnSync(binary, ['eval', '--batch', file.pathname], { encoding: 'utf8', maxBuffer: 1 << 28 })
const ours = new Map(
  run.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l))
    .map((r) => [r.id, r])
)
let differ = 0
for (const line of lines) {
  const a = ours.get(line.id)
  let b
  try {
    b = { decision: evaluateLine(line) }
  } catch (e) {
    b = { error: e.message }
  }
  if (!a || 'error' in a !== 'error' in b) {
    differ += 1
    console.log(`${line.id}: trustsim ${a?.error ?? a?.decision}; iam-simulate ${b.error ?? b.decision}`)
  }
}
console.log(`policies read differently: ${differ} of ${lines.length}`)
