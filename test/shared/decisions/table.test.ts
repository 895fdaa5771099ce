import { formatTable } from '../../../shared/decisions/table';

describe('the decisions table', () => {
  it('aligns columns in the order the fields first appear, leaving missing cells empty', () => {
    const text = formatTable([
      { namespace: 'shop', decision: 'deny' },
      { namespace: 'payments-prod', decision: 'allow', user: 'alice' },
    ]);
    expect(text).toBe(
      [
        'namespace      decision  user',
        '-------------  --------  -----',
        'shop           deny',
        'payments-prod  allow     alice',
        '',
      ].join('\n'),
    );
  });

  it('cuts long cells and flattens line breaks so one reason cannot break the table', () => {
    const text = formatTable([{ reason: `first line\n${'x'.repeat(200)}` }]);
    const row = text.split('\n')[2]!;
    expect(row).toHaveLength(80);
    expect(row.startsWith('first line x')).toBe(true);
    expect(row.endsWith('…')).toBe(true);
  });

  it('says so when nothing matched', () => {
    expect(formatTable([])).toBe('(no matching decisions)\n');
  });
});
