// Static check of every graph_engine/cypher/**/*.cypher file with Neo4j's Cypher language tooling
// (@neo4j-cypher/language-support, the parser and semantic analysis behind Neo4j's
// editors), in every Cypher version listed in graph_engine/cypher/model.json. Fails on any syntax error, undefined variable, wrong clause use, deprecation,
// label / relationship type / property key not in cypher/model.json, parameter used but
// not declared in the file's header, or declared but not used.
//
// usage: node tools/cypher-lint/lint.mjs [--root DIR] [--model FILE] [--json]
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lintCypherQuery } from '@neo4j-cypher/language-support';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const root = resolve(option('--root', join(here, '..', '..', 'graph_engine', 'cypher')));
const model = JSON.parse(readFileSync(option('--model', join(root, 'model.json')), 'utf8'));
const asJson = args.includes('--json');

function files(dir) {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return files(path);
      return name.endsWith('.cypher') ? [path] : [];
    });
}

const PARAM = /\$([A-Za-z_][A-Za-z0-9_]*)/g;

function checkFile(path) {
  const problems = [];
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  const where = (line, col, message) => problems.push({ file: relative(process.cwd(), path), line, col, message });
  let h = 0;
  while (h < lines.length && lines[h].trim().startsWith('//')) h++;
  const header = lines.slice(0, h);
  if (h === 0) where(1, 1, 'missing header comment (what the statement does, its parameters)');
  const p = header.findIndex((l) => /^\/\/\s*Parameters:/.test(l));
  if (p < 0) where(1, 1, "header has no 'Parameters:' line");
  const declared = new Set();
  for (const l of header.slice(Math.max(p, 0))) for (const m of l.matchAll(PARAM)) declared.add(m[1]);
  // statements: split on ';' ending a line (schema files hold several)
  const statements = [];
  let start = h;
  for (let i = h; i <= lines.length; i++) {
    if (i === lines.length || /;\s*$/.test(lines[i])) {
      const body = lines.slice(start, i + 1).join('\n').replace(/;\s*$/, '');
      if (body.trim()) statements.push({ body, line: start });
      start = i + 1;
    }
  }
  if (statements.length === 0) where(h + 1, 1, 'no statement');
  const used = new Set();
  for (const { body, line } of statements) {
    const code = body.split('\n').map((l) => l.replace(/\/\/.*$/, '')).join('\n');
    for (const m of code.matchAll(PARAM)) used.add(m[1]);
    const parameters = Object.fromEntries([...declared].map((name) => [name, null]));
    // every statement must be valid in each Cypher version the supported servers run
    for (const version of model.cypherVersions ?? ['CYPHER 5']) {
      const schema = {
        labels: model.labels,
        relationshipTypes: model.relationshipTypes,
        propertyKeys: [...model.propertyKeys, ...(model.parameterMapKeys ?? [])],
        parameters,
        defaultLanguage: version,
      };
      const { diagnostics } = lintCypherQuery(body, schema);
      for (const d of diagnostics) {
        where(line + d.range.start.line + 1, d.range.start.character + 1,
          `${d.severity === 1 ? 'error' : 'warning'} (${version}): ${d.message}`);
      }
    }
  }
  for (const name of declared) if (!used.has(name)) where(p + 1, 1, `parameter $${name} is declared but not used`);
  return { statements: statements.length, problems };
}

const report = { root, files: 0, statements: 0, problems: [] };
for (const path of files(root)) {
  const { statements, problems } = checkFile(path);
  report.files += 1;
  report.statements += statements;
  report.problems.push(...problems);
}
if (asJson) {
  console.log(JSON.stringify(report, null, 2));
} else {
  for (const p of report.problems) console.log(`${p.file}:${p.line}:${p.col}: ${p.message}`);
  console.log(`${report.files} files, ${report.statements} statements, ${report.problems.length} problems`);
}
process.exit(report.problems.length ? 1 : 0);
