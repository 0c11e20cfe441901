import type { OpenApiDocument } from './openapi';

// A self-contained reference page rendered from the OpenAPI document: no CDN, no script, so
// it works offline and on locked-down networks.

const escape = (s: unknown) =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
const code = (value: unknown) => `<pre><code>${escape(JSON.stringify(value, null, 2))}</code></pre>`;
const anchor = (method: string, path: string) => `${method}-${path}`.replace(/[^A-Za-z0-9]+/g, '-');

interface Operation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  'x-roles'?: string[];
  parameters: { name: string; in: string; required: boolean; description?: string; schema: unknown }[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
}

function schemaLink(schema: unknown): string {
  const ref = (schema as { $ref?: string } | undefined)?.$ref;
  if (ref) {
    const name = ref.split('/').at(-1) ?? ref;
    return `<a href="#schema-${escape(name)}">${escape(name)}</a>`;
  }
  return code(schema);
}

export function renderDocs(doc: OpenApiDocument): string {
  const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ path, method, op: op as Operation })),
  );
  const nav = doc.tags
    .map(
      ({ name }) =>
        `<h3>${escape(name)}</h3><ul>${operations
          .filter((o) => o.op.tags.includes(name))
          .map((o) => `<li><a href="#${anchor(o.method, o.path)}"><b>${o.method.toUpperCase()}</b> ${escape(o.path)}</a></li>`)
          .join('')}</ul>`,
    )
    .join('');
  const body = operations
    .map(({ path, method, op }) => {
      const params = op.parameters.length
        ? `<table><tr><th>Parameter</th><th>In</th><th>Required</th><th>Description</th></tr>${op.parameters
            .map(
              (p) =>
                `<tr><td><code>${escape(p.name)}</code></td><td>${p.in}</td><td>${p.required ? 'yes' : 'no'}</td><td>${escape(p.description ?? '')}</td></tr>`,
            )
            .join('')}</table>`
        : '';
      const request = op.requestBody ? `<h4>Request body</h4>${schemaLink(op.requestBody.content['application/json']?.schema)}` : '';
      const responses = `<h4>Responses</h4><table>${Object.entries(op.responses)
        .map(([status, r]) => {
          const content = r.content ? Object.values(r.content)[0]?.schema : undefined;
          return `<tr><td><code>${status}</code></td><td>${escape(r.description)}</td><td>${content ? schemaLink(content) : ''}</td></tr>`;
        })
        .join('')}</table>`;
      const roles = op['x-roles']
        ? `<p class="roles">Roles: ${op['x-roles'].map(escape).join(', ')}</p>`
        : '<p class="roles">No key needed.</p>';
      return `<section id="${anchor(method, path)}" class="op"><h2><span class="m ${method}">${method.toUpperCase()}</span> <code>${escape(path)}</code></h2>
<p><b>${escape(op.summary)}</b></p>${op.description ? `<p>${escape(op.description)}</p>` : ''}${roles}${params}${request}${responses}</section>`;
    })
    .join('\n');
  const schemas = Object.entries(doc.components.schemas)
    .map(([name, schema]) => `<section id="schema-${escape(name)}"><h3>${escape(name)}</h3>${code(schema)}</section>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(doc.info.title)} reference</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0;display:flex;color:#1d2330}
nav{width:300px;flex:none;padding:1rem;background:#f4f5f8;height:100vh;overflow:auto;position:sticky;top:0;box-sizing:border-box}
nav ul{list-style:none;padding:0}nav a{text-decoration:none;color:inherit;font-size:13px}
main{padding:1rem 2rem;max-width:980px}
.op{border-top:1px solid #dde;padding-top:.5rem}
.m{display:inline-block;padding:0 .5rem;border-radius:4px;color:#fff;font-size:14px}.m.get{background:#2b7a4b}.m.post{background:#2255aa}.m.put{background:#a8641b}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #dde;padding:.25rem .5rem;text-align:left;vertical-align:top}
pre{background:#f7f7fa;padding:.5rem;overflow:auto;max-height:400px}.roles{color:#555}
</style></head>
<body><nav><h2>${escape(doc.info.title)}</h2><p><a href="/v1/openapi.json">openapi.json</a></p>${nav}<h3>Schemas</h3><ul>${Object.keys(
    doc.components.schemas,
  )
    .map((n) => `<li><a href="#schema-${escape(n)}">${escape(n)}</a></li>`)
    .join('')}</ul></nav>
<main><h1>${escape(doc.info.title)} <small>${escape(doc.info.version)}</small></h1><p>${escape(doc.info.description)}</p>
<p>Authenticate with <code>Authorization: Bearer &lt;key&gt;</code>. Errors are <code>application/problem+json</code> (RFC 9457).</p>
${body}<h2>Schemas</h2>${schemas}</main></body></html>`;
}
