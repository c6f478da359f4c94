// One input of a record form, chosen by the field's kind: text, text area, number, switch,
// date, date-time, a select with the enumeration's labels, or a link (the target's id).

import { Anchor, NativeSelect, Switch, Textarea, TextInput } from '@mantine/core';
import { Link } from 'react-router';

import { recordHref, type FormField, type FormValue } from './fields';

interface Props {
  field: FormField;
  value: FormValue;
  onChange: (value: FormValue) => void;
  error?: string;
  disabled?: boolean;
  autoFocus?: boolean;
}

export function RecordInput({ field, value, onChange, error, disabled, autoFocus }: Props) {
  const common = {
    label: field.label,
    description: field.description || undefined,
    required: field.required,
    error,
    disabled: disabled || field.readOnly,
    'data-field': field.name,
    'data-autofocus': autoFocus || undefined,
  };
  const text = typeof value === 'string' ? value : '';
  switch (field.kind) {
    case 'switch':
      return (
        <Switch
          label={field.label}
          description={field.description || undefined}
          error={error}
          disabled={disabled || field.readOnly}
          checked={value === true}
          onChange={(e) => onChange(e.currentTarget.checked)}
          data-field={field.name}
          mt={4}
        />
      );
    case 'select':
      return (
        <NativeSelect
          {...common}
          data={[
            ...(field.required && text ? [] : [{ value: '', label: field.required ? 'Choose…' : '—' }]),
            ...(field.options ?? []),
          ]}
          value={text}
          onChange={(e) => onChange(e.currentTarget.value)}
        />
      );
    case 'textarea':
      return <Textarea {...common} autosize minRows={2} maxRows={8} value={text} onChange={(e) => onChange(e.currentTarget.value)} />;
    case 'integer':
    case 'float':
      return (
        <TextInput
          {...common}
          type="number"
          step={field.kind === 'integer' ? 1 : 'any'}
          value={text}
          onChange={(e) => onChange(e.currentTarget.value)}
        />
      );
    case 'date':
      return <TextInput {...common} type="date" value={text} onChange={(e) => onChange(e.currentTarget.value)} />;
    case 'datetime':
      return <TextInput {...common} type="datetime-local" value={text} onChange={(e) => onChange(e.currentTarget.value)} />;
    case 'link': {
      const href = field.target ? recordHref(field.target, text) : null;
      return (
        <TextInput
          {...common}
          type="number"
          step={1}
          description={
            <>
              Id of a {field.target}
              {href && text ? (
                <>
                  {' · '}
                  <Anchor component={Link} to={href} size="xs">open #{text}</Anchor>
                </>
              ) : null}
            </>
          }
          value={text}
          onChange={(e) => onChange(e.currentTarget.value)}
        />
      );
    }
    default:
      return <TextInput {...common} maxLength={field.maxLength} value={text} onChange={(e) => onChange(e.currentTarget.value)} />;
  }
}
