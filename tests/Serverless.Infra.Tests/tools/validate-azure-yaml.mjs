// Validates an azure.yaml against azd's JSON schema (draft 2019-09): node validate-azure-yaml.mjs <schema.json> <azure.yaml>
// Prints "valid" or one line per schema error, and exits non-zero when the file does not validate.
import { readFileSync } from 'node:fs';
import Ajv2019 from 'ajv/dist/2019.js';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

const [schemaPath, yamlPath] = process.argv.slice(2);
const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
const document = parse(readFileSync(yamlPath, 'utf8'));

// strict: false because azd's schema carries annotation keywords Ajv does not know (for example "comment").
const ajv = new Ajv2019({ strict: false, allErrors: true });
addFormats(ajv);
const validate = ajv.compile(schema);

if (validate(document)) {
  console.log('valid');
} else {
  for (const error of validate.errors) {
    console.log(`${error.instancePath || '/'} ${error.message} ${JSON.stringify(error.params)}`);
  }
  process.exitCode = 1;
}
