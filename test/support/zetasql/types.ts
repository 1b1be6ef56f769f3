import { TypeKind } from '@fivetrandevelopers/zetasql';
import type { TypeProto } from '@fivetrandevelopers/zetasql/lib/types/zetasql/TypeProto';

/** A column of a BigQuery JSON table schema (terraform/schemas/*.json, the form `bq` and Terraform take). */
export interface SchemaField {
  name: string;
  type: string;
  mode?: 'NULLABLE' | 'REQUIRED' | 'REPEATED';
  fields?: SchemaField[];
  rangeElementType?: { type: string };
}

/** A BigQuery query parameter type, as @google-cloud/bigquery describes it from a value. */
export interface ParameterType {
  type: string;
  arrayType?: ParameterType;
  structTypes?: { name: string; type: ParameterType }[];
  rangeElementType?: { type: string };
}

type Kind = keyof typeof TypeKind;

/** GoogleSQL's scalar type names; the JSON schemas may also use the legacy names in ALIASES. */
const SCALARS: Record<string, Kind> = {
  STRING: 'TYPE_STRING',
  BYTES: 'TYPE_BYTES',
  INT64: 'TYPE_INT64',
  FLOAT64: 'TYPE_DOUBLE',
  NUMERIC: 'TYPE_NUMERIC',
  BIGNUMERIC: 'TYPE_BIGNUMERIC',
  BOOL: 'TYPE_BOOL',
  TIMESTAMP: 'TYPE_TIMESTAMP',
  DATE: 'TYPE_DATE',
  TIME: 'TYPE_TIME',
  DATETIME: 'TYPE_DATETIME',
  GEOGRAPHY: 'TYPE_GEOGRAPHY',
  JSON: 'TYPE_JSON',
  INTERVAL: 'TYPE_INTERVAL',
};
const ALIASES: Record<string, string> = { INTEGER: 'INT64', FLOAT: 'FLOAT64', BOOLEAN: 'BOOL', DECIMAL: 'NUMERIC', BIGDECIMAL: 'BIGNUMERIC', RECORD: 'STRUCT' };
const NAME_OF_KIND = new Map<number, string>(Object.entries(SCALARS).map(([name, kind]) => [TypeKind[kind], name]));

const canonical = (name: string) => ALIASES[name.toUpperCase()] ?? name.toUpperCase();

/** A type without fields: a scalar, or a RANGE of one. */
function scalar(name: string, rangeElement?: { type: string }): TypeProto {
  if (canonical(name) === 'RANGE' && rangeElement) return { typeKind: TypeKind.TYPE_RANGE, rangeType: { elementType: scalar(rangeElement.type) } };
  const kind = SCALARS[canonical(name)];
  if (!kind) throw new Error(`BigQuery type ${name} has no ZetaSQL mapping here`);
  return { typeKind: TypeKind[kind] };
}

const arrayOf = (element: TypeProto): TypeProto => ({ typeKind: TypeKind.TYPE_ARRAY, arrayType: { elementType: element } });
const structOf = (fields: [string, TypeProto][]): TypeProto => ({
  typeKind: TypeKind.TYPE_STRUCT,
  structType: { field: fields.map(([fieldName, fieldType]) => ({ fieldName, fieldType })) },
});

/** A table column's type: RECORD is a STRUCT of its fields, REPEATED an ARRAY of it. */
export function schemaFieldType(field: SchemaField): TypeProto {
  const element =
    canonical(field.type) === 'STRUCT'
      ? structOf((field.fields ?? []).map((f) => [f.name, schemaFieldType(f)]))
      : scalar(field.type, field.rangeElementType);
  return field.mode === 'REPEATED' ? arrayOf(element) : element;
}

export function parameterType(t: ParameterType): TypeProto {
  if (t.type === 'ARRAY') return arrayOf(parameterType(t.arrayType!));
  if (t.type === 'STRUCT') return structOf((t.structTypes ?? []).map((f) => [f.name, parameterType(f.type)]));
  return scalar(t.type, t.rangeElementType);
}

/** The GoogleSQL spelling of a type (kinds as numbers, as built here and as the analyzer answers), e.g. `ARRAY<STRING>`. */
export function typeName(t: TypeProto): string {
  if (t.typeKind === TypeKind.TYPE_ARRAY) return `ARRAY<${typeName(t.arrayType!.elementType!)}>`;
  if (t.typeKind === TypeKind.TYPE_STRUCT) {
    return `STRUCT<${t.structType!.field!.map((f) => `${f.fieldName} ${typeName(f.fieldType!)}`).join(', ')}>`;
  }
  if (t.typeKind === TypeKind.TYPE_RANGE) return `RANGE<${typeName(t.rangeType!.elementType!)}>`;
  return NAME_OF_KIND.get(t.typeKind as number) ?? `TYPE_KIND_${t.typeKind}`;
}
