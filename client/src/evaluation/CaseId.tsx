import { Typography } from 'antd';

/** A case id in a table cell: on one line, cut with an ellipsis when long, whole in its tooltip (STC-3 ids are long). */
export function CaseId({ id }: { id: string }) {
  return (
    <Typography.Text code ellipsis={{ tooltip: id }} style={{ maxWidth: 150, whiteSpace: 'nowrap' }} data-testid="eval-case-id">
      {id}
    </Typography.Text>
  );
}
