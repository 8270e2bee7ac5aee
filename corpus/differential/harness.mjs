#!/usr/bin/env node
// The other side of trustsim's differential test (docs/differential.md).
//
// Reads `trustsim eval --batch` lines, {"id", "policy", "request"} with the request in trustsim's
// format (shared/design/contract.md), from the file named by the first argument or from standard
// input, and writes one line per input line, in order:
//   {"id": ..., "decision": "Allow" | "ExplicitDeny" | "ImplicitDeny"}   or   {"id": ..., "error": "..."}
//
// Each request is evaluated by iam-simulate with the trust policy as the role's resource policy,
// and with an identity policy that allows sts:* on *, so that only the trust policy decides. The
// mapping (principals, derived context keys, session tags and source identity) is described in
// docs/differential.md, "How a request is mapped".
import { createReadStream } from 'node:fs'
import { createInterface } from 'node:readline'
import { runUnsafeSimulation } from '@cloud-copilot/iam-simulate'
import { createValidatedPolicy, validateTrustPolicy } from '@cloud-copilot/iam-policy'

const DEFAULT_ROLE = 'arn:aws:iam::111122223333:role/differential'
const ALLOW_STS = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'sts:*', Resource: '*' }]
}
const WEB_IDENTITY_PROVIDERS = new Set([
  'cognito-identity.amazonaws.com',
  'accounts.google.com',
  'graph.facebook.com',
  'www.amazon.com'
])

// The request's principal as {kind, value} (kind: AWS, Service or Federated).
function principalOf(p) {
  if (typeof p === 'string') {
    if (WEB_IDENTITY_PROVIDERS.has(p) || /:(oidc|saml)-provider\//.test(p)) {
      return { kind: 'Federated', value: p }
    }
    if (/^\d{12}$/.test(p) || p.startsWith('arn:')) return { kind: 'AWS', value: p }
    if (p.endsWith('.amazonaws.com') || p.endsWith('.amazon.com')) return { kind: 'Service', value: p }
    throw new Error(`request: /principal: cannot tell what kind of principal \`${p}\` is`)
  }
  if (p && typeof p === 'object') {
    const keys = Object.keys(p)
    if (keys.length === 1 && ['AWS', 'Service', 'Federated'].includes(keys[0]) && typeof p[keys[0]] === 'string') {
      return { kind: keys[0], value: p[keys[0]] }
    }
  }
  throw new Error('request: /principal: must be a string or {"AWS"|"Service"|"Federated": "..."}')
}

// An IAM principal: the caller string iam-simulate takes, and the keys AWS derives from it
// (IAM User Guide, "AWS global condition context keys": aws:PrincipalArn, aws:PrincipalAccount,
// aws:PrincipalType, aws:PrincipalIsAWSService, aws:userid, aws:username).
function awsPrincipal(value) {
  let arn = value
  if (/^\d{12}$/.test(value)) arn = `arn:aws:iam::${value}:root`
  const m = /^arn:([^:]+):(iam|sts)::(\d{12}):(.*)$/.exec(arn)
  if (!m) throw new Error(`request: /principal/AWS: \`${value}\` is not an IAM or STS principal`)
  const [, partition, service, account, resource] = m
  const derived = {
    'aws:PrincipalAccount': account,
    'aws:PrincipalIsAWSService': 'false'
  }
  if (service === 'iam' && resource === 'root') {
    Object.assign(derived, { 'aws:PrincipalArn': arn, 'aws:PrincipalType': 'Account', 'aws:userid': account })
  } else if (service === 'iam' && resource.startsWith('user/')) {
    const name = resource.split('/').pop()
    Object.assign(derived, { 'aws:PrincipalArn': arn, 'aws:PrincipalType': 'User', 'aws:username': name })
  } else if (service === 'iam' && resource.startsWith('role/')) {
    Object.assign(derived, { 'aws:PrincipalArn': arn, 'aws:PrincipalType': 'AssumedRole' })
  } else if (service === 'sts' && resource.startsWith('assumed-role/')) {
    const parts = resource.split('/')
    if (parts.length !== 3) throw new Error(`request: /principal/AWS: bad session ARN \`${value}\``)
    // aws:PrincipalArn of a role session is the role's ARN, not the session's.
    Object.assign(derived, {
      'aws:PrincipalArn': `arn:${partition}:iam::${account}:role/${parts[1]}`,
      'aws:PrincipalType': 'AssumedRole'
    })
  } else if (service === 'sts' && resource.startsWith('federated-user/')) {
    Object.assign(derived, { 'aws:PrincipalArn': arn, 'aws:PrincipalType': 'FederatedUser' })
  } else {
    throw new Error(`request: /principal/AWS: \`${value}\` is not an IAM or STS principal`)
  }
  return { caller: arn, derived }
}

// The context iam-simulate sees: strings stay single-valued, arrays multivalued, booleans and
// numbers become their text, null removes the key (and stops its derivation).
function contextOf(request, derived) {
  const ctx = {}
  const lower = new Map()
  const absent = new Set()
  for (const [k, v] of Object.entries(request.context ?? {})) {
    if (v === null) {
      absent.add(k.toLowerCase())
      continue
    }
    let value
    if (Array.isArray(v)) value = v.map((x) => String(x))
    else if (['string', 'number', 'boolean'].includes(typeof v)) value = String(v)
    else throw new Error(`request: /context/${k}: a context value must be a string, number, boolean, list or null`)
    if (lower.has(k.toLowerCase())) delete ctx[lower.get(k.toLowerCase())]
    lower.set(k.toLowerCase(), k)
    ctx[k] = value
  }
  for (const [k, v] of Object.entries(derived)) {
    if (!lower.has(k.toLowerCase()) && !absent.has(k.toLowerCase())) ctx[k] = v
  }
  return ctx
}

// The actions the request needs: the action, plus sts:TagSession when it passes session tags and
// sts:SetSourceIdentity when it sets a source identity (IAM User Guide, "Passing session tags in
// AWS STS", "Permissions required to add session tags"; "Monitor and control actions taken with
// assumed roles", "Permissions required to set source identity").
function actionsOf(action, ctx) {
  const out = [action]
  const keys = Object.entries(ctx).map(([k, v]) => [k.toLowerCase(), v])
  const tags = keys.some(
    ([k, v]) =>
      (k.startsWith('aws:requesttag/') || k === 'aws:tagkeys' || k === 'sts:transitivetagkeys') &&
      !(Array.isArray(v) && v.length === 0)
  )
  if (tags && action.toLowerCase() !== 'sts:tagsession') out.push('sts:TagSession')
  if (keys.some(([k]) => k === 'sts:sourceidentity') && action.toLowerCase() !== 'sts:setsourceidentity') {
    out.push('sts:SetSourceIdentity')
  }
  return out
}

const RESULTS = { Allowed: 'Allow', ExplicitlyDenied: 'ExplicitDeny', ImplicitlyDenied: 'ImplicitDeny' }

// The context iam-simulate is given for a request: its own keys plus the derived ones.
export function contextFor(request) {
  const p = principalOf(request.principal)
  let derived = {}
  if (p.kind === 'AWS') ({ derived } = awsPrincipal(p.value))
  if (p.kind === 'Service') derived = { 'aws:PrincipalIsAWSService': 'true', 'aws:PrincipalServiceName': p.value }
  return contextOf(request, derived)
}

export function evaluateLine(line) {
  const { policy, request } = line
  if (!policy || typeof policy !== 'object') throw new Error('policy: not an object')
  if (!request || typeof request !== 'object') throw new Error('request: not an object')
  const errors = validateTrustPolicy(policy)
  if (errors.length > 0) {
    throw new Error(`policy: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`)
  }
  const trust = createValidatedPolicy(policy, validateTrustPolicy, { name: 'TrustPolicy' })
  const p = principalOf(request.principal)
  let caller = p.value
  let derived = {}
  if (p.kind === 'AWS') ({ caller, derived } = awsPrincipal(p.value))
  if (p.kind === 'Service') derived = { 'aws:PrincipalIsAWSService': 'true', 'aws:PrincipalServiceName': p.value }
  const role = request.role ?? DEFAULT_ROLE
  const roleAccount = /^arn:[^:]+:iam::(\d{12}):role\//.exec(role)
  if (!roleAccount) throw new Error(`request: /role: \`${role}\` is not a role ARN`)
  const ctx = contextOf(request, derived)
  const decisions = actionsOf(request.action ?? 'sts:AssumeRole', ctx).map((action) => {
    const result = runUnsafeSimulation(
      {
        request: {
          principal: caller,
          action,
          resource: { resource: role, accountId: roleAccount[1] },
          contextVariables: ctx
        },
        identityPolicies: [{ name: 'AllowSts', policy: ALLOW_STS }],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: trust
      },
      {}
    )
    const d = RESULTS[result]
    if (!d) throw new Error(`simulator: unexpected result ${JSON.stringify(result)}`)
    return d
  })
  if (decisions.includes('ExplicitDeny')) return 'ExplicitDeny'
  if (decisions.every((d) => d === 'Allow')) return 'Allow'
  return 'ImplicitDeny'
}

async function main() {
  const input = process.argv[2] ? createReadStream(process.argv[2]) : process.stdin
  const rl = createInterface({ input, crlfDelay: Infinity })
  let n = 0
  for await (const text of rl) {
    n += 1
    if (text.trim() === '') continue
    let id = null
    let out
    try {
      const line = JSON.parse(text)
      id = line.id ?? null
      out = { id, decision: evaluateLine(line) }
    } catch (e) {
      out = { id, error: `line ${n}: ${e && e.message ? e.message : String(e)}` }
    }
    process.stdout.write(JSON.stringify(out) + '\n')
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await main()
}
