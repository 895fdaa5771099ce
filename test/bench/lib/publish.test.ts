import { replaceBetweenMarkers, TABLE_END, TABLE_START } from '../../../bench/lib/publish';

describe('publishing the bench table', () => {
  it('replaces what stands between the markers and keeps the rest', () => {
    const text = `# Doc\n${TABLE_START}\nold table\n${TABLE_END}\nafter\n`;
    expect(replaceBetweenMarkers(text, '| new |')).toBe(`# Doc\n${TABLE_START}\n| new |\n${TABLE_END}\nafter\n`);
  });

  it('leaves a document without both markers unchanged', () => {
    expect(replaceBetweenMarkers(`x\n${TABLE_START}\ny`, 'table')).toBe(`x\n${TABLE_START}\ny`);
    expect(replaceBetweenMarkers('no markers', 'table')).toBe('no markers');
  });
});
