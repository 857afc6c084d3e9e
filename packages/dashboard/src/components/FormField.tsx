import { useId, type ReactNode } from 'react';

/** What a FormField hands its control: its id (the label's target), its description and whether it is in error. */
export interface ControlProps {
  id: string;
  'aria-describedby': string | undefined;
  'aria-invalid': boolean;
}

/**
 * A labelled control with its hint and error messages under it. They describe the control rather than name it, so
 * its name stays the label alone (what screen readers announce first, and what tests find it by).
 */
export function FormField({ label, hint, errors = [], control }: {
  label: string;
  hint?: ReactNode;
  errors?: string[];
  control: (props: ControlProps) => ReactNode;
}) {
  const id = useId();
  const describedBy = [hint ? `${id}-hint` : '', errors.length > 0 ? `${id}-errors` : ''].filter(Boolean).join(' ');
  return (
    <div className="form-field">
      <label htmlFor={id}>{label}</label>
      {control({ id, 'aria-describedby': describedBy || undefined, 'aria-invalid': errors.length > 0 })}
      {hint && (
        <span id={`${id}-hint`} className="hint">
          {hint}
        </span>
      )}
      {errors.length > 0 && (
        <div id={`${id}-errors`}>
          {errors.map((m) => (
            <div key={m} className="field-error">
              {m}
            </div>
          ))}
        </div>
      )}
    </div>
  );
}
