// Tokenises every policy and stdlib source with the TextMate grammar (vscode-textmate + vscode-oniguruma, the
// engine VS Code uses) and checks that keywords, strings, comments, dates and durations get their scopes.
'use strict';

const test = require('node:test');
const assert = require('node:assert');
const fs = require('node:fs');
const path = require('node:path');
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const root = path.resolve(__dirname, '..', '..', '..');

function sources(dir, out = []) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) sources(p, out);
    else if (e.name.endsWith('.xince')) out.push(p);
  }
  return out;
}

async function grammar() {
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm')).buffer;
  await oniguruma.loadWASM(wasm);
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (p) => new oniguruma.OnigScanner(p),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scope) => {
      if (scope !== 'source.xince') return null;
      const file = path.join(__dirname, '..', 'syntaxes', 'xince.tmLanguage.json');
      return vsctm.parseRawGrammar(fs.readFileSync(file, 'utf8'), file);
    },
  });
  return registry.loadGrammar('source.xince');
}

/** Every line of a file as [{ text, scopes }] tokens. */
function tokenise(g, text) {
  let stack = vsctm.INITIAL;
  return text.split('\n').map((line) => {
    const r = g.tokenizeLine(line, stack);
    stack = r.ruleStack;
    return r.tokens.map((t) => ({ text: line.slice(t.startIndex, t.endIndex), start: t.startIndex, scopes: t.scopes }));
  });
}

/** The scopes at a column of a tokenised line. */
function scopesAt(tokens, col) {
  const t = tokens.find((t) => t.start <= col && col < t.start + t.text.length);
  return t ? t.scopes.join(' ') : '';
}

const DATE = /(?<![0-9\p{L}_])[0-9]{4}(-[0-9]{1,2}-[0-9]{1,2}|年[0-9]{1,2}月[0-9]{1,2}日)/gu;
const DURATION = /(?<![0-9.\-\p{L}_])[0-9]+(个工作日|工作日|个月|年|日|天)(?![0-9])/gu;
const STRING = /"[^"\n]*"|“[^”\n]*”|「[^」\n]*」/g;
const ITEM = /^(\s*)(政策|模块|引用|词表|依据|修复制度|名单|措施|激励|分级|通报|异议|承诺) /;
const EXPR = /(?<=[\s(（:：])(且|或|非|属于|不属于|包含|在|存在|无|计数|近|当|至)(?=[\s(（])/g;

test('every policy and stdlib source is scoped', async () => {
  const g = await grammar();
  const files = [...sources(path.join(root, 'policies')), ...sources(path.join(root, 'stdlib', 'xince'))];
  assert.ok(files.length >= 10, `only ${files.length} files`);
  const counts = { comment: 0, string: 0, date: 0, duration: 0, item: 0, keyword: 0 };
  const problems = [];
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    const lines = text.split('\n');
    const toks = tokenise(g, text);
    let inBlock = false;
    lines.forEach((line, i) => {
      const where = `${path.relative(root, file)}:${i + 1}`;
      const check = (col, scope, what) => {
        const s = scopesAt(toks[i], col);
        if (!s.includes(scope)) problems.push(`${where}:${col + 1} ${what} has scopes "${s}", expected ${scope}`);
      };
      // Block comments: everything inside is a comment.
      if (inBlock || line.trimStart().startsWith('/*')) {
        const nonBlank = line.search(/\S/);
        if (nonBlank >= 0) check(nonBlank, 'comment.block', 'block comment');
        if (line.includes('*/')) inBlock = false;
        else inBlock = true;
        counts.comment++;
        return;
      }
      // The code part of the line: strings removed before looking for `//`.
      const masked = line.replace(STRING, (m) => ' '.repeat(m.length));
      const cut = masked.indexOf('//');
      if (cut >= 0) {
        check(cut, 'comment.line', 'comment');
        check(line.length - 1, 'comment.line', 'comment end');
        counts.comment++;
      }
      const code = cut >= 0 ? line.slice(0, cut) : line;
      for (const m of code.matchAll(STRING)) {
        check(m.index, 'string.quoted', `string ${m[0]}`);
        check(m.index + m[0].length - 1, 'string.quoted', `string end ${m[0]}`);
        counts.string++;
      }
      const codeNoStr = masked.slice(0, cut >= 0 ? cut : masked.length);
      for (const m of codeNoStr.matchAll(DATE)) {
        check(m.index, 'constant.numeric.date', `date ${m[0]}`);
        counts.date++;
      }
      for (const m of codeNoStr.matchAll(DURATION)) {
        check(m.index, 'constant.numeric.duration', `duration ${m[0]}`);
        counts.duration++;
      }
      const item = codeNoStr.match(ITEM);
      if (item && !/^\s*\S+\s*[:：]/.test(codeNoStr)) {
        check(item[1].length, 'keyword.other.item', `item keyword ${item[2]}`);
        counts.item++;
      }
      for (const m of codeNoStr.matchAll(EXPR)) {
        check(m.index, 'keyword.operator.word', `keyword ${m[0]}`);
        counts.keyword++;
      }
    });
  }
  assert.deepStrictEqual(problems.slice(0, 20), []);
  for (const [k, n] of Object.entries(counts)) assert.ok(n > 0, `no ${k} seen`);
  console.log(`# ${files.length} files: ${JSON.stringify(counts)}`);
});

test('a clause name is a property, not an item keyword, and 记录.类型 is a field', async () => {
  const g = await grammar();
  const [line] = tokenise(g, '  依据: 全国失信惩戒措施基础清单2021');
  assert.match(scopesAt(line, 2), /variable\.other\.property\.clause/);
  assert.doesNotMatch(scopesAt(line, 2), /keyword\.other\.item/);
  const [expr] = tokenise(g, '  纳入: 存在 记录(记录.类型 == 行政处罚) 近 3年');
  assert.match(scopesAt(expr, '  纳入: 存在 记录('.length), /variable\.language\.field/);
  assert.match(scopesAt(expr, '  纳入: '.length), /keyword\.operator\.word/);
  assert.match(scopesAt(expr, expr.length ? '  纳入: 存在 记录(记录.类型 == 行政处罚) 近 '.length : 0), /constant\.numeric\.duration/);
  const [glued] = tokenise(g, '  适用: 在严重失信主体名单');
  assert.doesNotMatch(scopesAt(glued, '  适用: '.length), /keyword\.operator/);
});
