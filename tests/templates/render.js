#!/usr/bin/env node
/**
 * Render templates with the extension's own TypeScript renderer, for the
 * Python tests that run the generated cells.
 *
 * Reads one JSON request on stdin:
 *   { "id": "gpu-check", "values": {...}, "context": {...}, "templates": [...] }
 * ("templates": optional user templates) and prints
 *   { "cells": [ { "cell_type", "source", "metadata" } ] }
 * or { "error": "...", "problems": {...} } with exit status 1.
 * The request { "builtins": true } prints the built-in template
 * definitions instead: { "templates": [...] }.
 *
 * The .ts files of src/templates are compiled in memory with TypeScript,
 * so what is tested is the source itself, never a stale build.
 */
const fs = require('fs');
const path = require('path');
const ts = require('typescript');

require.extensions['.ts'] = (module, filename) => {
  const output = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
      resolveJsonModule: true
    },
    fileName: filename
  });
  module._compile(output.outputText, filename);
};

const SRC = path.resolve(__dirname, '..', '..', 'src', 'templates');
const { buildCatalog } = require(path.join(SRC, 'catalog.ts'));
const { renderTemplate } = require(path.join(SRC, 'render.ts'));
const { BUILTIN_TEMPLATES } = require(
  path.join(SRC, 'builtin', 'sourceLanguage.ts')
);

const request = JSON.parse(fs.readFileSync(0, 'utf8'));
if (request.builtins) {
  process.stdout.write(JSON.stringify({ templates: BUILTIN_TEMPLATES }));
  process.exit(0);
}
const catalog = buildCatalog(request.templates ?? [], BUILTIN_TEMPLATES);
const template = catalog.templates.find(t => t.id === request.id);
try {
  if (!template) {
    throw Object.assign(new Error(`no template "${request.id}"`), {
      problems: Object.fromEntries(
        catalog.problems.map(p => [p.name, p.message])
      )
    });
  }
  const cells = renderTemplate(template, request.values ?? {}, {
    notebook_path: 'Untitled.ipynb',
    notebook_name: 'Untitled.ipynb',
    platform: 'generic',
    ...(request.context ?? {})
  });
  process.stdout.write(JSON.stringify({ cells }));
} catch (error) {
  process.stdout.write(
    JSON.stringify({ error: error.message, problems: error.problems ?? null })
  );
  process.exitCode = 1;
}
