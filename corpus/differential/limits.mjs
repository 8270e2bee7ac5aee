// Cases the harness cannot express faithfully to iam-simulate (docs/differential.md, "Mapping
// limits"). Returns a short tag, or null.
export function inexpressible(c) {
  return null
}
