import type { ReactNode } from 'react';

/**
 * A labelled row of a panel. Plain elements styled like antd's vertical form row, not `Form.Item`: a
 * panel holds a dozen rows and Form.Item's contexts and observers were a fifth of a panel's render on
 * selection (bench:panel). Inputs still take `disabled` from the panel's `Form`.
 */
export function Field({ label, children, help, testId }: { label: string; children: ReactNode; help?: ReactNode; testId?: string }) {
  return (
    <div className="mf-field" data-testid={testId}>
      <div className="mf-field-label">{label}</div>
      {children}
      {help && <div className="mf-field-help">{help}</div>}
    </div>
  );
}
