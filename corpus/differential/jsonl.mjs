// Reads a JSON-lines file: one JSON value per non-empty line.
import { readFileSync } from 'node:fs'

export const lines = (f) =>
  readFileSync(f, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l))
