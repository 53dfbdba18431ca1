/**
 * What makes up the gzipped size of the labextension's JavaScript.
 *
 *   node bench/js_size_breakdown.js STATIC_DIR [--out FILE.json] [--top N]
 *
 * STATIC_DIR is a production build made with source maps
 * (`bash bench/build_prod.sh --source-map OUT`): the same minified code as the
 * shipped build plus a `.js.map` next to each file. Every byte of each
 * minified file is attributed, through its source map, to the original source
 * file it came from (bytes with no mapping go to "(runtime)": rspack's module
 * wrappers and the module federation runtime). For each source file:
 *
 *   raw_bytes        minified bytes attributed to it
 *   gzip_alone       gzip -9 of those bytes on their own (an upper bound: no
 *                    shared dictionary with the rest of the bundle)
 *   gzip_marginal    how much smaller the gzipped chunk gets when those bytes
 *                    are removed (a lower bound: what dropping them would save)
 *
 * Gzip is not additive, so neither column sums exactly to the total; the
 * marginal one is the honest "what would removing it save" figure.
 * No dependencies: the source map decoder (base64 VLQ) is written out below.
 */
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Map([...B64].map((c, i) => [c, i]));

/** Decode one segment of base64 VLQ numbers. */
function decodeVlq(text) {
  const out = [];
  let value = 0;
  let shift = 0;
  for (const ch of text) {
    const digit = B64_INDEX.get(ch);
    if (digit === undefined) {
      throw new Error(`bad VLQ character ${JSON.stringify(ch)}`);
    }
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      out.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return out;
}

/**
 * Per generated line, the segments [column, sourceIndex] in order (sourceIndex
 * -1 for a segment that maps to nothing).
 */
function decodeMappings(mappings) {
  const lines = [];
  let src = 0;
  for (const line of mappings.split(';')) {
    const segs = [];
    let col = 0;
    if (line) {
      for (const part of line.split(',')) {
        const v = decodeVlq(part);
        col += v[0];
        if (v.length >= 4) {
          src += v[1];
          segs.push([col, src]);
        } else {
          segs.push([col, -1]);
        }
      }
    }
    lines.push(segs);
  }
  return lines;
}

/** A readable name for a source path of the map. */
function label(source) {
  let s = source.replace(/^webpack:\/\/[^/]*\//, '').replace(/^\.\//, '');
  const nm = s.lastIndexOf('node_modules/');
  if (nm >= 0) {
    s = s.slice(nm);
  }
  return s || '(runtime)';
}

const gz = buf => zlib.gzipSync(buf, { level: 9 }).length;

/** Attribute each character of `code` to a source label; returns an array. */
function attribute(code, map) {
  const owner = new Array(code.length).fill('(runtime)');
  const lines = decodeMappings(map.mappings);
  const sources = map.sources.map(label);
  let offset = 0;
  const codeLines = code.split('\n');
  for (let i = 0; i < codeLines.length; i++) {
    const text = codeLines[i];
    const segs = lines[i] || [];
    for (let k = 0; k < segs.length; k++) {
      const [col, src] = segs[k];
      const end = k + 1 < segs.length ? segs[k + 1][0] : text.length;
      const name = src >= 0 ? sources[src] : '(runtime)';
      for (let c = col; c < end && c < text.length; c++) {
        owner[offset + c] = name;
      }
    }
    offset += text.length + 1; // the newline stays "(runtime)"
  }
  return owner;
}

function analyse(staticDir) {
  const files = fs
    .readdirSync(staticDir)
    .filter(f => f.endsWith('.js'))
    .sort();
  const bySource = new Map();
  const perFile = [];
  for (const file of files) {
    let code = fs.readFileSync(path.join(staticDir, file), 'utf8');
    // the shipped build has no sourceMappingURL comment: leave it out
    code = code.replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, '');
    const total = gz(Buffer.from(code));
    perFile.push({ file, raw_bytes: Buffer.byteLength(code), gzip: total });
    const mapFile = path.join(staticDir, file + '.map');
    let owner;
    if (fs.existsSync(mapFile)) {
      owner = attribute(code, JSON.parse(fs.readFileSync(mapFile, 'utf8')));
    } else {
      owner = new Array(code.length).fill(`(unmapped ${file})`);
    }
    // gather each source's characters, and the code without them
    const parts = new Map();
    for (let i = 0; i < code.length;) {
      const name = owner[i];
      let j = i;
      while (j < code.length && owner[j] === name) {
        j++;
      }
      if (!parts.has(name)) {
        parts.set(name, []);
      }
      parts.get(name).push([i, j]);
      i = j;
    }
    for (const [name, ranges] of parts) {
      const own = ranges.map(([a, b]) => code.slice(a, b)).join('');
      let rest = '';
      let at = 0;
      for (const [a, b] of ranges) {
        rest += code.slice(at, a);
        at = b;
      }
      rest += code.slice(at);
      const key = name;
      const entry = bySource.get(key) || {
        source: key,
        files: [],
        raw_bytes: 0,
        gzip_alone: 0,
        gzip_marginal: 0
      };
      entry.files.push(file);
      entry.raw_bytes += Buffer.byteLength(own);
      entry.gzip_alone += gz(Buffer.from(own));
      entry.gzip_marginal += total - gz(Buffer.from(rest));
      bySource.set(key, entry);
    }
  }
  const sources = [...bySource.values()].sort(
    (a, b) => b.gzip_marginal - a.gzip_marginal
  );
  return {
    static_dir: path.resolve(staticDir),
    files: perFile,
    total_gzip: perFile.reduce((s, f) => s + f.gzip, 0),
    total_raw_bytes: perFile.reduce((s, f) => s + f.raw_bytes, 0),
    sources
  };
}

/** Sum the sources into groups (our src/ folders, packages, the runtime). */
function groups(sources) {
  const out = new Map();
  for (const s of sources) {
    let g;
    const m = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(s.source);
    if (m) {
      g = m[1];
    } else if (s.source.startsWith('lib/') || s.source.startsWith('src/')) {
      g = s.source.replace(/^(lib|src)\//, 'src/').replace(/\/[^/]*$/, '/');
      if (g === 'src/') {
        g = s.source;
      }
    } else {
      g = s.source;
    }
    const e = out.get(g) || { group: g, raw_bytes: 0, gzip_marginal: 0 };
    e.raw_bytes += s.raw_bytes;
    e.gzip_marginal += s.gzip_marginal;
    out.set(g, e);
  }
  return [...out.values()].sort((a, b) => b.gzip_marginal - a.gzip_marginal);
}

function main(argv) {
  const args = argv.slice(2);
  const opt = name => {
    const i = args.indexOf(name);
    return i >= 0 ? args.splice(i, 2)[1] : undefined;
  };
  const out = opt('--out');
  const top = Number(opt('--top') || 15);
  if (args.length !== 1) {
    console.error(
      'usage: node bench/js_size_breakdown.js STATIC_DIR [--out FILE.json] [--top N]'
    );
    return 2;
  }
  const res = analyse(args[0]);
  res.groups = groups(res.sources);
  if (out) {
    fs.writeFileSync(out, JSON.stringify(res, null, 2) + '\n');
  }
  const kb = n => (n / 1000).toFixed(1).padStart(6);
  console.error(
    `total ${kb(res.total_gzip)} kB gzipped (per-file gzip summed), ${kb(res.total_raw_bytes)} kB minified`
  );
  console.error('   gzip saved if removed | minified | gzip alone | source');
  for (const s of res.sources.slice(0, top)) {
    console.error(
      `   ${kb(s.gzip_marginal)} kB           | ${kb(s.raw_bytes)} kB | ${kb(s.gzip_alone)} kB  | ${s.source}`
    );
  }
  console.error('   by group (gzip saved if removed, summed):');
  for (const g of res.groups.slice(0, top)) {
    console.error(`   ${kb(g.gzip_marginal)} kB  ${g.group}`);
  }
  return 0;
}

process.exitCode = main(process.argv);
