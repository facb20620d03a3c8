import fs from 'node:fs';
import path from 'node:path';
import type { Schema, SchemaLookup } from './schema';

export interface OpenApiDocument {
  openapi: string;
  info: Record<string, unknown>;
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, Schema>; [k: string]: unknown };
  [k: string]: unknown;
}

export const OPENAPI_PATH = path.join(__dirname, 'openapi.json');

/** The API's OpenAPI document, kept in the repo beside the server and served at /v1/openapi.json. */
export function loadOpenApi(): OpenApiDocument {
  return JSON.parse(fs.readFileSync(OPENAPI_PATH, 'utf8')) as OpenApiDocument;
}

export function schemaLookup(doc: OpenApiDocument): SchemaLookup {
  return (ref: string) => {
    const name = ref.replace('#/components/schemas/', '');
    const schema = doc.components.schemas[name];
    if (!schema) throw new Error(`openapi.json has no schema ${name}`);
    return schema;
  };
}
