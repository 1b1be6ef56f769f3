import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { TERRAFORM_DIR } from '../paths';
import type { Encoding } from '../codec/codec';

/** The Pub/Sub delivery settings operators tune in Terraform, as the local pipeline applies them. */
export interface DeliverySettings {
  maxDeliveryAttempts: number;
  notifierMaxAttempts: number;
  minimumBackoffSeconds: number;
  maximumBackoffSeconds: number;
  ackDeadlineSeconds: number;
  schemaEncoding: Encoding;
}

const VARIABLES: Record<keyof DeliverySettings, string> = {
  maxDeliveryAttempts: 'max_delivery_attempts',
  notifierMaxAttempts: 'notifier_max_attempts',
  minimumBackoffSeconds: 'minimum_backoff_seconds',
  maximumBackoffSeconds: 'maximum_backoff_seconds',
  ackDeadlineSeconds: 'ack_deadline_seconds',
  schemaEncoding: 'schema_encoding',
};

type Hcl = { variable?: Record<string, { default?: unknown }[]> };

/** Reads the defaults of `terraform/variables.tf`: one source of truth for local and deployed settings. */
export async function readDeliverySettings(file = path.join(TERRAFORM_DIR, 'variables.tf')): Promise<DeliverySettings> {
  const hcl = (await parse(file, await fs.readFile(file, 'utf8'))) as Hcl;
  const defaultOf = (name: string): unknown => {
    const value = hcl.variable?.[name]?.[0]?.default;
    if (value === undefined) throw new Error(`${file}: variable "${name}" with a default is missing`);
    return value;
  };
  const settings = Object.fromEntries(
    Object.entries(VARIABLES).map(([key, name]) => [key, defaultOf(name)]),
  ) as unknown as DeliverySettings;
  for (const [key, name] of Object.entries(VARIABLES)) {
    const value = settings[key as keyof DeliverySettings];
    if (key !== 'schemaEncoding' && !Number.isInteger(value)) throw new Error(`${file}: default of "${name}" is not an integer`);
  }
  return settings;
}
