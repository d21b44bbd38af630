import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePage, splitCells } from '../../../codegen/import/parse-page.js';
import { buildFieldTree, renderTree } from '../../../codegen/import/field-tree.js';
import { parseDocType } from '../../../codegen/import/field-types.js';
import { parseDescription } from '../../../codegen/import/rules.js';
import type { Problem } from '../../../codegen/import/parse-page.js';

const FIX = join(import.meta.dirname, 'fixtures');
const DOCS = join(import.meta.dirname, '../../fixtures/lark-docs');
const SEED = join(import.meta.dirname, '../../fixtures/seeds/002_c6042755e2590ada.txt');

function treeOf(path: string, withExample = true): { text: string; problems: Problem[] } {
  const page = parsePage(readFileSync(path, 'utf8'), path);
  const ex = withExample && page.examples[0]?.text ? JSON.parse(page.examples[0].text) : undefined;
  const table = page.tables[0];
  if (!table) throw new Error(`no table in ${path}`);
  const tree = buildFieldTree(table, page.variant, path, page.problems, ex);
  return { text: renderTree(tree), problems: page.problems };
}

describe('parsePage', () => {
  it('reads front matter, title, description and the 事件 table', () => {
    const p = parsePage(readFileSync(join(FIX, 'nested.md'), 'utf8'), 'nested.md');
    expect(p.variant).toBe('markdown');
    expect(p.title).toBe('示例事件');
    expect(p.description).toBe('用于测试导入器的示例事件。');
    expect(p.eventTypes).toEqual(['demo.item.changed_v1']);
    expect(p.appTypes).toEqual(['custom', 'isv']);
    expect(p.permissions).toEqual(['demo:item:readonly', 'demo:item']);
    expect(p.fieldPermissions).toEqual(['contact:user.employee_id:readonly']);
    expect(p.tables).toHaveLength(1);
    expect(p.examples[0]?.text).toContain('"demo.item.changed_v1"');
  });

  it('reads the plain-text seed: title, event table and the JSON example glued to the next text', () => {
    const p = parsePage(readFileSync(SEED, 'utf8'), SEED);
    expect(p.variant).toBe('plain');
    expect(p.title).toBe('申请发布应用');
    expect(p.eventTypes).toEqual(['application.application.app_version.publish_apply_v6']);
    expect(p.permissions).toEqual(['application:application.app_version:readonly']);
    expect(p.tables[0]?.rows).toHaveLength(194);
    const ex = JSON.parse(p.examples[0]?.text ?? 'null') as { event: { app_status: number } };
    expect(ex.event.app_status).toBe(1);
  });

  it('marks omitted examples as absent', () => {
    const p = parsePage(readFileSync(join(FIX, 'broken.md'), 'utf8'), 'broken.md');
    expect(p.examples).toHaveLength(1);
    expect(p.examples[0]?.text).toBeNull();
  });

  it('splits cells on unescaped pipes only', () => {
    expect(splitCells('| `a` | `x\\|y` | desc |', 'markdown')).toEqual(['`a`', '`x|y`', 'desc']);
    expect(splitCells('└ name | string | 名称 |', 'plain')).toEqual(['└ name', 'string', '名称']);
  });
});

describe('field tree', () => {
  it('builds depth from &nbsp; indentation (2 per level)', () => {
    const { text } = treeOf(join(FIX, 'nested.md'));
    expect(text).toContain('event: -\n  operator_id: user_id\n    union_id: string\n');
    expect(text).toContain('    owners: owner[]\n      name: string\n      email: string\n  old_item: item_info\n');
  });

  it('builds depth from &emsp;∟ indentation (1 per level)', () => {
    const { text, problems } = treeOf(join(DOCS, 'events/attendance-v1/event/user-task-status-change-event.md'));
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(text).toMatch(/ {2}status_changes: [^\n]+\n {4}before_status: /);
  });

  it('reconstructs the plain seed exactly as the Markdown page nests it', () => {
    const plain = treeOf(SEED);
    const md = treeOf(join(DOCS, 'events/application-v6/event/publish_apply.md'));
    expect(plain.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(plain.text).toBe(md.text);
    // The tricky spots: a sub-object named like its child, and the row after the deepest nesting.
    expect(plain.text).toContain('    remark: app_version_remark_event\n      remark: string\n      update_remark: string\n      visibility: app_visibility_event\n');
    expect(plain.text.endsWith('          department_ids: string[]\n  app_status: int\n')).toBe(true);
  });

  it('reconstructs a small plain page (example-guided, repeated doc types)', () => {
    const { text } = treeOf(join(FIX, 'plain-nested.txt'));
    expect(text).toContain([
      'event: -',
      '  operator_id: user_id',
      '    union_id: string',
      '    user_id: string',
      '    open_id: string',
      '  box: box_info',
      '    name: string',
      '    inner: inner_info',
      '      name: string',
      '      size: int',
      '    color: string',
      '  other_box: box_info',
    ].join('\n'));
    expect(text.endsWith('    color: string\n  count: int\n')).toBe(true);
  });

  it('without an example, pops a level when a field name repeats a sibling', () => {
    const { text } = treeOf(join(FIX, 'plain-nested.txt'), false);
    // operator_id is a user_id (known shape), so box goes back to event; the second `name` closes inner.
    expect(text).toContain('  operator_id: user_id\n    union_id: string\n    user_id: string\n    open_id: string\n  box: box_info\n');
  });

  it('reads a scalar-typed row that has children as an object, with a warning', () => {
    const { text, problems } = treeOf(join(DOCS, 'events/calendar-v4/meeting-room-event/event/third-room-event-changes.md'));
    expect(text).toContain('  meeting_rooms: string[]\n    open_id: string\n');
    expect(problems.some((p) => p.severity === 'warning' && /meeting_rooms is typed string\[\] but has child rows/.test(p.message))).toBe(true);
  });
});

describe('doc types', () => {
  it('classifies scalars, arrays, named objects and containers', () => {
    expect(parseDocType('`string`')).toMatchObject({ kind: 'scalar', scalar: 'string' });
    expect(parseDocType('int')).toMatchObject({ kind: 'scalar', scalar: 'integer' });
    expect(parseDocType('int64')).toMatchObject({ kind: 'scalar', scalar: 'int64' });
    expect(parseDocType('long')).toMatchObject({ kind: 'scalar', scalar: 'int64' });
    expect(parseDocType('float')).toMatchObject({ kind: 'scalar', scalar: 'number' });
    expect(parseDocType('number')).toMatchObject({ kind: 'scalar', scalar: 'number' });
    expect(parseDocType('bool')).toMatchObject({ kind: 'scalar', scalar: 'boolean' });
    expect(parseDocType('`app_scope\\[\\]`')).toMatchObject({ kind: 'array', item: { kind: 'object', name: 'app_scope' } });
    expect(parseDocType('string[]')).toMatchObject({ kind: 'array', item: { kind: 'scalar', scalar: 'string' } });
    expect(parseDocType('`\\-`')).toMatchObject({ kind: 'object', name: null });
    expect(parseDocType('object')).toMatchObject({ kind: 'object', name: null });
    expect(parseDocType('application.app_version_event')).toMatchObject({ kind: 'object', name: 'application.app_version_event' });
    expect(parseDocType('object/ string')).toMatchObject({ kind: 'union', types: ['object', 'string'] });
    expect(parseDocType('神秘类型')).toBeNull();
  });
});

describe('description rules', () => {
  it('reads enums from 可选值有 / 可能值有 in both variants', () => {
    expect(parseDescription('权限等级描述<br>**可选值有**：<br>- `1`: 普通权限 - `2`: 高级权限 - `3`: 超敏感权限 - `0`: 未知等级').enumItems.map((e) => e.value)).toEqual(['1', '2', '3', '0']);
    expect(parseDescription('权限等级描述 可选值有: - 1: 普通权限 - 2: 高级权限').enumItems).toEqual([{ value: '1', label: '普通权限' }, { value: '2', label: '高级权限' }]);
    expect(parseDescription('请假单位。可能值有：<br>- 1：天 - 2：半天').enumItems.map((e) => e.value)).toEqual(['1', '2']);
    expect(parseDescription('原因。可能值有：<br>- `Revoked by user action.`：被用户撤销 - `Revoked by administrator action.`：被管理员撤销').enumItems.map((e) => e.value)).toEqual(['Revoked by user action.', 'Revoked by administrator action.']);
  });

  it('separates the description from enums, rules and permissions', () => {
    const r = parseDescription('返回身份类型。 可选值有: - tenant: 应用身份类型 - user: 用户身份类型数据校验规则: - 长度范围: 0 ~ 200');
    expect(r.description).toBe('返回身份类型。');
    expect(r.enumItems.map((e) => e.value)).toEqual(['tenant', 'user']);
    expect(r.constraints).toEqual({ minLength: 0, maxLength: 200 });
  });

  it('reads 数据校验规则 constraints', () => {
    expect(parseDescription('x<br>**数据校验规则**：<br>- 最小长度：`1` 字符').constraints).toEqual({ minLength: 1 });
    expect(parseDescription('x<br>**数据校验规则**：<br>- 最大长度：`3`').constraints).toEqual({ maxLength: 3 });
    expect(parseDescription('x<br>**数据校验规则**：<br>- 长度范围：`0` ～ `200`').constraints).toEqual({ minLength: 0, maxLength: 200 });
    expect(parseDescription('x<br>**数据校验规则**：<br>- 取值范围：`1` ～ `2`').constraints).toEqual({ minimum: 1, maximum: 2 });
    expect(parseDescription('x<br>**数据校验规则**：<br>- 最小值：`0`<br>- 最大值：`100`').constraints).toEqual({ minimum: 0, maximum: 100 });
  });

  it('reads field permissions (字段权限要求, 满足任一)', () => {
    expect(parseDescription('用户的 user id<br>**字段权限要求**： `contact:user.employee_id:readonly` 获取用户 user ID').fieldPermissions).toEqual(['contact:user.employee_id:readonly']);
    expect(parseDescription('用户的 user id 字段权限要求: contact:user.employee_id:readonly 获取用户 user ID').fieldPermissions).toEqual(['contact:user.employee_id:readonly']);
    expect(parseDescription('工号<br>**字段权限要求（满足任一）**： `contact:user.employee:readonly` 获取 `contact:contact:readonly` 读取').fieldPermissions).toEqual(['contact:user.employee:readonly', 'contact:contact:readonly']);
  });
});
