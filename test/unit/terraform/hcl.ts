import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { TERRAFORM_DIR } from '../../../src/paths';
import { evaluate } from './conditions';

/**
 * The Terraform under terraform/, parsed with hcl2json and merged across files: what
 * `terraform plan` would see, minus evaluation. Expressions stay strings such as
 * `${var.x}`; blocks are arrays of objects (hcl2json's shape).
 */

// hcl2json's output is untyped JSON; tests navigate it freely.
export type Block = Record<string, any>;

export interface Resource {
  type: string;
  name: string;
  file: string;
  body: Block;
}

export interface Terraform {
  files: string[];
  resources: Resource[];
  data: Resource[];
  variables: Record<string, Block>;
  outputs: Record<string, Block>;
  locals: Record<string, unknown>;
  terraform: Block[];
  providers: Record<string, Block>;
}

type Parsed = {
  resource?: Record<string, Record<string, Block[]>>;
  data?: Record<string, Record<string, Block[]>>;
  variable?: Record<string, Block[]>;
  output?: Record<string, Block[]>;
  locals?: Record<string, unknown>[];
  terraform?: Block[];
  provider?: Record<string, Block[]>;
};

export const tfPath = (file: string) => path.join(TERRAFORM_DIR, file);

/** Loads and merges every `.tf` file; a name declared twice is an error, as in Terraform. */
export async function loadTerraform(dir = TERRAFORM_DIR): Promise<Terraform> {
  const files = readdirSync(dir).filter((f) => f.endsWith('.tf')).sort();
  const tf: Terraform = { files, resources: [], data: [], variables: {}, outputs: {}, locals: {}, terraform: [], providers: {} };
  const once = <T>(into: Record<string, T>, key: string, value: T, file: string) => {
    if (key in into) throw new Error(`${file}: ${key} is declared twice`);
    into[key] = value;
  };
  for (const file of files) {
    const parsed = (await parse(file, readFileSync(path.join(dir, file), 'utf8'))) as Parsed;
    for (const [kind, target] of [['resource', tf.resources], ['data', tf.data]] as const) {
      for (const [type, byName] of Object.entries(parsed[kind] ?? {})) {
        for (const [name, blocks] of Object.entries(byName)) {
          if (target.some((r) => r.type === type && r.name === name)) throw new Error(`${file}: ${kind} ${type}.${name} is declared twice`);
          target.push({ type, name, file, body: blocks[0] });
        }
      }
    }
    for (const [name, blocks] of Object.entries(parsed.variable ?? {})) once(tf.variables, name, blocks[0], file);
    for (const [name, blocks] of Object.entries(parsed.output ?? {})) once(tf.outputs, name, blocks[0], file);
    for (const [name, blocks] of Object.entries(parsed.provider ?? {})) once(tf.providers, name, blocks[0], file);
    for (const locals of parsed.locals ?? []) for (const [k, v] of Object.entries(locals)) once(tf.locals, k, v, file);
    tf.terraform.push(...(parsed.terraform ?? []));
  }
  return tf;
}

/** The one resource `type.name`; fails the test when it is missing. */
export function resource(tf: Terraform, type: string, name: string): Block {
  const found = tf.resources.find((r) => r.type === type && r.name === name);
  if (!found) throw new Error(`resource ${type}.${name} is not declared`);
  return found.body;
}

export function resourcesOfType(tf: Terraform, type: string): Resource[] {
  return tf.resources.filter((r) => r.type === type);
}

/** The single nested block `name` of `block` (hcl2json represents blocks as arrays). */
export function single(block: Block, name: string): Block {
  const blocks = block[name] as Block[] | undefined;
  if (!Array.isArray(blocks) || blocks.length !== 1) {
    throw new Error(`expected exactly one "${name}" block, got ${JSON.stringify(blocks)}`);
  }
  return blocks[0];
}

/**
 * The expression inside `${…}` when the whole string is one interpolation
 * (`"${var.x}"` → `var.x`); undefined for literals and templates with text around.
 */
export function expression(value: unknown): string | undefined {
  if (typeof value !== 'string' || !value.startsWith('${') || !value.endsWith('}')) return undefined;
  let depth = 0;
  for (let i = 1; i < value.length; i++) {
    if (value[i] === '{') depth++;
    if (value[i] === '}') depth--;
    if (depth === 0) return i === value.length - 1 ? value.slice(2, -1).trim() : undefined;
  }
  return undefined;
}

/** The values of terraform.tfvars.example: the required variables an operator fills in. */
export async function loadTfvarsExample(): Promise<Record<string, unknown>> {
  const file = tfPath('terraform.tfvars.example');
  return (await parse('terraform.tfvars.example', readFileSync(file, 'utf8'))) as Record<string, unknown>;
}

/** Every variable's value for a plan with the example tfvars and the defaults. */
export async function exampleValues(tf: Terraform): Promise<Record<string, unknown>> {
  const values: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(tf.variables)) if ('default' in v) values[name] = v.default;
  return { ...values, ...(await loadTfvarsExample()) };
}

/**
 * Resolves the few expression shapes the Cloud Run env uses to the value Terraform would
 * pass: literals, `var.x`, `join(",", var.x)`, a service account's email, and literal
 * attributes of other resources (`google_pubsub_topic.poison.name`).
 */
export function resolve(value: unknown, tf: Terraform, vars: Record<string, unknown>): string {
  if (typeof value !== 'string') throw new Error(`cannot resolve ${JSON.stringify(value)}`);
  const expr = expression(value);
  if (expr === undefined) {
    if (value.includes('${')) throw new Error(`cannot resolve template ${value}`);
    return value;
  }
  let m = /^var\.(\w+)$/.exec(expr);
  if (m) {
    if (!(m[1] in vars)) throw new Error(`variable ${m[1]} has no value`);
    return String(vars[m[1]]);
  }
  m = /^join\(",", var\.(\w+)\)$/.exec(expr);
  if (m) return (vars[m[1]] as unknown[]).join(',');
  m = /^google_service_account\.(\w+)\.email$/.exec(expr);
  if (m) {
    const accountId = resolve(resource(tf, 'google_service_account', m[1]).account_id, tf, vars);
    return `${accountId}@${String(vars.project_id)}.iam.gserviceaccount.com`;
  }
  m = /^(\w+)\.(\w+)\.(\w+)$/.exec(expr);
  if (m) return resolve(resource(tf, m[1], m[2])[m[3]], tf, vars);
  throw new Error(`cannot resolve ${value}`);
}

/** What channels.tf plans for some variable values: the channels' plain env and secrets. */
export interface ChannelPlan {
  /** Plain variables Cloud Run sets (local.channel_env). */
  env: Record<string, string>;
  /** Secret-backed variable => secret ID (local.channel_secrets). */
  secrets: Record<string, string>;
  /** Projects where fcm.googleapis.com is enabled, and where the runtime account may send. */
  fcmApiProjects: string[];
  fcmIamProjects: string[];
}

/**
 * Evaluates channels.tf's tables (value and "enabled" per variable) with the small
 * evaluator. The filters that combine them are checked to be exactly
 * `{ for k, v in TABLE : k => v if ENABLED[k] }`, so this is what Terraform would compute.
 */
export function plannedChannels(tf: Terraform, vars: Record<string, unknown>): ChannelPlan {
  const table = (values: string, enabled: string, result: string): Record<string, string> => {
    const [k, v] = result === 'channel_env' ? ['name', 'value'] : ['name', 'id'];
    const filter = `\${{ for ${k}, ${v} in local.${values} : ${k} => ${v} if local.${enabled}[${k}] }}`;
    if (tf.locals[result] !== filter) throw new Error(`local.${result} is not ${filter}: ${String(tf.locals[result])}`);
    const on = tf.locals[enabled] as Record<string, string>;
    const out: Record<string, string> = {};
    for (const [name, expr] of Object.entries(tf.locals[values] as Record<string, string>)) {
      if (!(name in on)) throw new Error(`local.${enabled} has no entry for ${name}`);
      // A quoted literal comes out of hcl2json as its plain value, an expression as `${…}`.
      const value = expr.startsWith('${') ? evaluate(expr, vars, tf.locals) : expr;
      if (evaluate(on[name], vars, tf.locals) === true) out[name] = String(value);
    }
    return out;
  };
  const projects = (local: string): string[] => {
    // `local.push_enabled ? toset([...]) : toset([])`: the evaluator has no conditionals.
    const m = /^\$\{local\.push_enabled \? toset\(\[(.+)\]\) : toset\(\[\]\)\}$/.exec(String(tf.locals[local]));
    if (!m) throw new Error(`local.${local} has an unexpected shape: ${String(tf.locals[local])}`);
    if (evaluate('local.push_enabled', vars, tf.locals) !== true) return [];
    return [...new Set(m[1].split(',').map((e) => String(evaluate(e.trim(), vars, tf.locals))))];
  };
  return {
    env: table('channel_env_values', 'channel_env_enabled', 'channel_env'),
    secrets: table('channel_secret_ids', 'channel_secret_enabled', 'channel_secrets'),
    fcmApiProjects: projects('fcm_api_projects'),
    fcmIamProjects: projects('fcm_iam_projects'),
  };
}
