// The rule tree of the query editor: a group (AND/OR, NOT, add rule / add group / remove) and a
// rule (NOT, what it is about, operator, value editor per type, a where-filter on 1-N links).
// Every control has an accessible name built from the node's position ("Rule 2.1",
// "Group 2"), so that keyboard and screen-reader users, and the end-to-end test, can reach it.

import {
  ActionIcon, Badge, Button, Checkbox, Code, Group as Row, NativeSelect, Paper, SegmentedControl, Stack, TagsInput, Text,
  TextInput, Tooltip,
} from '@mantine/core';
import { IconPlus, IconSitemap, IconTrash } from '@tabler/icons-react';
import type { ReactNode } from 'react';

import {
  AGGREGATE_FNS, aggregatableFields, aggregateKind, aggregateOperators, catalogOf, emptyFieldRule, emptyGroup, findField,
  findLink, newId, operatorDef, operatorsFor, UNITS, type AggregateFn, type Catalog, type FieldChoice, type Group,
  type Node, type OperatorDef, type Rule, type ValueKind,
} from '../../queryeditor/model';

/** Changes the node with this id (null removes it). */
export type Edit = (id: string, update: (n: Node) => Node | null) => void;

const FN_LABELS: Record<AggregateFn, string> = { count: 'number of', sum: 'sum of', avg: 'average of', min: 'smallest', max: 'largest' };
const UNIT_LABELS: Record<string, string> = { days: 'days', weeks: 'weeks', months: 'months', years: 'years' };

function childPath(prefix: string, i: number): string {
  if (!prefix) return String(i + 1);
  return prefix.endsWith('where') ? `${prefix} ${i + 1}` : `${prefix}.${i + 1}`;
}

// ---------------------------------------------------------------------------------------------

interface GroupProps {
  group: Group;
  cat: Catalog;
  edit: Edit;
  /** Accessible name: "Rules" for the root, "Group 1.2", "Filter of Rule 3". */
  label: string;
  /** Prefix of the children's paths ("" at the root). */
  prefix: string;
  /** The root cannot be removed. */
  removable: boolean;
  depth: number;
}

export function GroupEditor({ group, cat, edit, label, prefix, removable, depth }: GroupProps) {
  const set = (patch: Partial<Group>) => edit(group.id, (n) => ({ ...(n as Group), ...patch }));
  const add = (node: Node) => edit(group.id, (n) => ({ ...(n as Group), children: [...(n as Group).children, node] }));
  return (
    <Paper
      withBorder
      radius="md"
      p="sm"
      role="group"
      aria-label={label}
      data-group={label}
      bg={depth % 2 ? 'var(--mantine-color-gray-0)' : undefined}
      style={group.not ? { borderColor: 'var(--mantine-color-red-4)' } : undefined}
    >
      <Row justify="space-between" gap="xs" mb={group.children.length ? 'xs' : 0} wrap="wrap">
        <Row gap="xs">
          <Checkbox
            label="NOT"
            aria-label={`Negate ${label}`}
            checked={group.not}
            onChange={(e) => set({ not: e.currentTarget.checked })}
            size="xs"
          />
          <SegmentedControl
            size="xs"
            aria-label={`Combine ${label} with`}
            value={group.op}
            onChange={(v) => set({ op: v === 'or' ? 'or' : 'and' })}
            data={[{ value: 'and', label: 'AND' }, { value: 'or', label: 'OR' }]}
          />
          <Text size="xs" c="dimmed">
            {group.op === 'and' ? (group.not ? 'not all of the following' : 'all of the following') : group.not ? 'none of the following' : 'any of the following'}
          </Text>
        </Row>
        <Row gap={6}>
          <Button size="compact-xs" variant="light" leftSection={<IconPlus size={12} />} aria-label={`Add rule to ${label}`} onClick={() => add(emptyFieldRule())}>
            Rule
          </Button>
          {depth < 6 ? (
            <Button
              size="compact-xs"
              variant="light"
              color="grape"
              leftSection={<IconSitemap size={12} />}
              aria-label={`Add group to ${label}`}
              onClick={() => add({ ...emptyGroup(group.op === 'and' ? 'or' : 'and'), children: [emptyFieldRule()] })}
            >
              Group
            </Button>
          ) : null}
          {removable ? (
            <Tooltip label="Remove the group" withArrow>
              <ActionIcon size="sm" variant="subtle" color="red" aria-label={`Remove ${label}`} onClick={() => edit(group.id, () => null)}>
                <IconTrash size={14} />
              </ActionIcon>
            </Tooltip>
          ) : null}
        </Row>
      </Row>
      <Stack gap={6}>
        {group.children.length === 0 ? (
          <Text size="sm" c="dimmed">No rule: every {cat.resource.label.toLowerCase()} matches. Add a rule or a group.</Text>
        ) : null}
        {group.children.map((child, i) => {
          const path = childPath(prefix, i);
          return (
            <div key={child.id}>
              {i > 0 ? <Badge size="xs" variant="outline" color={group.op === 'and' ? 'indigo' : 'orange'} mb={4}>{group.op.toUpperCase()}</Badge> : null}
              {child.kind === 'group' ? (
                <GroupEditor group={child} cat={cat} edit={edit} label={`Group ${path}`} prefix={path} removable depth={depth + 1} />
              ) : (
                <RuleEditor rule={child} cat={cat} edit={edit} path={path} depth={depth} />
              )}
            </div>
          );
        })}
      </Stack>
    </Paper>
  );
}

// ---------------------------------------------------------------------------------------------

/** The subject select's value: `f:<path>`, `e:<link>`, `a:<fn>:<link>`. */
function subjectKey(rule: Rule): string {
  switch (rule.kind) {
    case 'field': return rule.field ? `f:${rule.field}` : '';
    case 'exists': return `e:${rule.link}`;
    case 'aggregate': return `a:${rule.fn}:${rule.link}`;
    default: return '';
  }
}

function subjectOptions(cat: Catalog) {
  const own = cat.fields.filter((f) => !f.via);
  const groups: { group: string; items: { value: string; label: string }[] }[] = [
    { group: `${cat.resource.label} fields`, items: own.map((f) => ({ value: `f:${f.path}`, label: f.label })) },
  ];
  const vias = new Map<string, FieldChoice[]>();
  for (const f of cat.fields.filter((x) => x.via)) vias.set(f.via!, [...(vias.get(f.via!) ?? []), f]);
  for (const [via, fields] of vias) {
    groups.push({ group: `${via} (link)`, items: fields.map((f) => ({ value: `f:${f.path}`, label: f.label })) });
  }
  for (const link of cat.links) {
    groups.push({
      group: `${link.label} (related records)`,
      items: [
        { value: `e:${link.name}`, label: `${link.label}: exists / does not exist` },
        ...AGGREGATE_FNS.filter((fn) => fn === 'count' || aggregatableFields(link.target, fn).length > 0).map((fn) => ({
          value: `a:${fn}:${link.name}`,
          label: `${link.label}: ${FN_LABELS[fn]}${fn === 'count' ? '' : ' …'}`,
        })),
      ],
    });
  }
  return groups;
}

/** A rule turned to another subject: operator and values start over. */
function retarget(rule: Rule, key: string, cat: Catalog): Rule {
  const base = { id: rule.id, not: rule.kind === 'exists' ? false : rule.not };
  if (key.startsWith('f:')) {
    const path = key.slice(2);
    const choice = findField(cat, path);
    const op = choice ? operatorsFor(choice.kind)[0].op : '';
    return { ...emptyFieldRule(path, op), ...base };
  }
  if (key.startsWith('e:')) return { kind: 'exists', ...base, not: false, link: key.slice(2), where: null };
  const [, fn, link] = key.split(':') as [string, AggregateFn, string];
  const target = findLink(cat, link)?.target;
  const field = target ? aggregatableFields(target, fn)[0] : undefined;
  const op = aggregateOperators(fn, field)[0]?.op ?? '>=';
  return { kind: 'aggregate', ...base, fn, link, field: field?.name ?? '', where: null, op, values: [''] };
}

/** Values resized for another operator: kept where they fit. */
function valuesFor(def: OperatorDef | undefined, values: string[]): string[] {
  if (!def) return values;
  if (def.arity === 2) return [values[0] ?? '', values[1] ?? ''];
  if (def.arity === 'many') return values.filter((v) => v !== '');
  return [values[0] ?? ''];
}

interface RuleProps {
  rule: Rule;
  cat: Catalog;
  edit: Edit;
  path: string;
  depth: number;
}

function RuleEditor({ rule, cat, edit, path, depth }: RuleProps) {
  const label = `Rule ${path}`;
  const set = (patch: Partial<Rule>) => edit(rule.id, (n) => ({ ...n, ...patch }) as Node);
  const remove = (
    <Tooltip label="Remove the rule" withArrow>
      <ActionIcon size="sm" variant="subtle" color="red" aria-label={`Remove ${label}`} onClick={() => edit(rule.id, () => null)}>
        <IconTrash size={14} />
      </ActionIcon>
    </Tooltip>
  );

  if (rule.kind === 'raw') {
    return (
      <Paper withBorder radius="sm" p={6} role="group" aria-label={label}>
        <Row justify="space-between" wrap="nowrap">
          <Stack gap={2}>
            <Text size="xs" c="dimmed">{rule.not ? 'NOT · ' : ''}Kept as written (edit it in text mode):</Text>
            <Code style={{ wordBreak: 'break-all' }}>{JSON.stringify(rule.json)}</Code>
          </Stack>
          {remove}
        </Row>
      </Paper>
    );
  }

  const subject = (
    <NativeSelect
      size="xs"
      aria-label={`Field of ${label}`}
      value={subjectKey(rule)}
      onChange={(e) => edit(rule.id, (n) => retarget(n as Rule, e.currentTarget.value, cat))}
      data={[{ value: '', label: 'Choose a field…', disabled: true }, ...subjectOptions(cat)] as never}
      w={260}
    />
  );
  const notBox = rule.kind === 'exists' ? null : (
    <Checkbox size="xs" label="NOT" aria-label={`Negate ${label}`} checked={rule.not} onChange={(e) => set({ not: e.currentTarget.checked })} />
  );

  let body: ReactNode = null;
  let where: Group | null = null;
  let link = null as ReturnType<typeof findLink> | null;
  if (rule.kind === 'field') {
    const choice = rule.field ? findField(cat, rule.field) : undefined;
    if (choice) {
      const ops = operatorsFor(choice.kind);
      body = (
        <>
          <OperatorSelect label={label} ops={ops} value={rule.op} onChange={(op) => set({ op, values: valuesFor(operatorDef(choice.kind, op), rule.values) })} />
          <ValueEditor
            label={label}
            kind={choice.kind}
            def={operatorDef(choice.kind, rule.op)}
            op={rule.op}
            options={choice.field.values?.map((v) => ({ value: v.value, label: v.label || v.value }))}
            values={rule.values}
            amount={rule.amount}
            unit={rule.unit}
            onValues={(values) => set({ values })}
            onAmount={(amount) => set({ amount })}
            onUnit={(unit) => set({ unit: unit as typeof rule.unit })}
          />
        </>
      );
    } else if (rule.field) {
      body = <Text size="xs" c="red">Unknown field {rule.field}</Text>;
    }
  } else if (rule.kind === 'exists') {
    link = findLink(cat, rule.link);
    where = rule.where;
    body = (
      <NativeSelect
        size="xs"
        aria-label={`Operator of ${label}`}
        value={rule.not ? 'not exists' : 'exists'}
        onChange={(e) => set({ not: e.currentTarget.value === 'not exists' })}
        data={[{ value: 'exists', label: 'exists' }, { value: 'not exists', label: 'does not exist' }]}
        w={150}
      />
    );
  } else if (rule.kind === 'aggregate') {
    link = findLink(cat, rule.link);
    where = rule.where;
    const target = link?.target;
    const fieldDef = target?.fields.find((f) => f.name === rule.field);
    const kind: ValueKind = aggregateKind(rule.fn, fieldDef);
    const ops = aggregateOperators(rule.fn, fieldDef);
    body = (
      <>
        {rule.fn !== 'count' && target ? (
          <NativeSelect
            size="xs"
            aria-label={`Aggregated field of ${label}`}
            value={rule.field}
            onChange={(e) => {
              const f = target.fields.find((x) => x.name === e.currentTarget.value);
              const nextOps = aggregateOperators(rule.fn, f);
              set({ field: e.currentTarget.value, op: nextOps.some((o) => o.op === rule.op) ? rule.op : nextOps[0]?.op ?? '', values: [''] } as Partial<Rule>);
            }}
            data={aggregatableFields(target, rule.fn).map((f) => ({ value: f.name, label: f.label || f.name }))}
            w={150}
          />
        ) : null}
        <OperatorSelect label={label} ops={ops} value={rule.op} onChange={(op) => set({ op, values: valuesFor(ops.find((o) => o.op === op), rule.values) } as Partial<Rule>)} />
        <ValueEditor
          label={label}
          kind={kind}
          def={ops.find((o) => o.op === rule.op)}
          op={rule.op}
          values={rule.values}
          amount=""
          unit="days"
          onValues={(values) => set({ values } as Partial<Rule>)}
          onAmount={() => undefined}
          onUnit={() => undefined}
        />
      </>
    );
  }

  const canFilter = (rule.kind === 'exists' || rule.kind === 'aggregate') && link;
  return (
    <Paper withBorder radius="sm" p={6} role="group" aria-label={label} data-rule={label} style={rule.not ? { borderColor: 'var(--mantine-color-red-4)' } : undefined}>
      <Row justify="space-between" wrap="nowrap" align="flex-start">
        <Row gap={6} wrap="wrap" align="center">
          {notBox}
          {subject}
          {body}
          {canFilter && !where ? (
            <Button
              size="compact-xs"
              variant="subtle"
              aria-label={`Add a filter to ${label}`}
              onClick={() => set({ where: { ...emptyGroup(), id: newId(), children: [emptyFieldRule()] } } as Partial<Rule>)}
            >
              + where…
            </Button>
          ) : null}
        </Row>
        {remove}
      </Row>
      {canFilter && where && link ? (
        <Stack gap={4} mt={6} ml="md">
          <Text size="xs" c="dimmed">where the {link.target.label.toLowerCase()} matches:</Text>
          <GroupEditor group={where} cat={catalogOf(cat, link)} edit={edit} label={`Filter of ${label}`} prefix={`${path} where`} removable depth={depth + 1} />
        </Stack>
      ) : null}
    </Paper>
  );
}

function OperatorSelect({ label, ops, value, onChange }: { label: string; ops: OperatorDef[]; value: string; onChange: (op: string) => void }) {
  return (
    <NativeSelect
      size="xs"
      aria-label={`Operator of ${label}`}
      value={value}
      onChange={(e) => onChange(e.currentTarget.value)}
      data={ops.map((o) => ({ value: o.op, label: o.label }))}
      w={170}
    />
  );
}

interface ValueProps {
  label: string;
  kind: ValueKind;
  def: OperatorDef | undefined;
  op: string;
  options?: { value: string; label: string }[];
  values: string[];
  amount: string;
  unit: string;
  onValues: (values: string[]) => void;
  onAmount: (amount: string) => void;
  onUnit: (unit: string) => void;
}

function ValueEditor({ label, kind, def, op, options, values, amount, unit, onValues, onAmount, onUnit }: ValueProps) {
  if (!def || def.arity === 0) return null;
  const one = (value: string, onChange: (v: string) => void, name: string) => {
    if (kind === 'enum' && options) {
      return (
        <NativeSelect
          size="xs"
          aria-label={name}
          value={value}
          onChange={(e) => onChange(e.currentTarget.value)}
          data={[{ value: '', label: 'Choose…', disabled: true }, ...options] as never}
          w={170}
        />
      );
    }
    const dateLike = kind === 'date' || (kind === 'datetime' && (value === '' || /^\d{4}-\d{2}-\d{2}$/.test(value)));
    return (
      <TextInput
        size="xs"
        aria-label={name}
        type={dateLike ? 'date' : 'text'}
        inputMode={kind === 'number' || kind === 'integer' ? 'decimal' : undefined}
        placeholder={kind === 'number' || kind === 'integer' ? 'number' : kind === 'string' ? 'text' : undefined}
        value={value}
        onChange={(e) => onChange(e.currentTarget.value)}
        w={kind === 'string' ? 200 : 150}
      />
    );
  };
  const setAt = (i: number) => (v: string) => onValues(values.map((x, j) => (j === i ? v : x)));

  if (def.arity === 1) return one(values[0] ?? '', setAt(0), `Value of ${label}`);
  if (def.arity === 2) {
    return (
      <Row gap={4}>
        {one(values[0] ?? '', setAt(0), `Lower bound of ${label}`)}
        <Text size="xs">and</Text>
        {one(values[1] ?? '', setAt(1), `Upper bound of ${label}`)}
      </Row>
    );
  }
  if (def.arity === 'many') {
    if (kind === 'enum' && options) {
      const chosen = new Set(values);
      return (
        <Row gap={8} role="group" aria-label={`Values of ${label}`}>
          {options.map((o) => (
            <Checkbox
              key={o.value}
              size="xs"
              label={o.label}
              checked={chosen.has(o.value)}
              onChange={(e) => onValues(options.map((x) => x.value).filter((v) => (v === o.value ? e.currentTarget.checked : chosen.has(v))))}
            />
          ))}
        </Row>
      );
    }
    return (
      <TagsInput
        size="xs"
        aria-label={`Values of ${label}`}
        placeholder="Type a value, Enter"
        value={values.filter((v) => v !== '')}
        onChange={onValues}
        w={260}
      />
    );
  }
  // Relative dates.
  const days = op.endsWith('days ago');
  return (
    <Row gap={4}>
      <TextInput size="xs" aria-label={`Number of ${label}`} inputMode="numeric" value={amount} onChange={(e) => onAmount(e.currentTarget.value)} w={80} />
      {days ? (
        <Text size="xs">days ago</Text>
      ) : (
        <NativeSelect size="xs" aria-label={`Unit of ${label}`} value={unit} onChange={(e) => onUnit(e.currentTarget.value)} data={UNITS.map((u) => ({ value: u, label: UNIT_LABELS[u] }))} w={100} />
      )}
    </Row>
  );
}
