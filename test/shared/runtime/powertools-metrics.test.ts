import { formatDimension, METRIC } from '../../../shared/observer';
import { powertoolsTelemetry } from '../../../shared/runtime/powertools';
import { captureLambdaOutput, metricTotal } from '../../faults/support/lambda-output';

describe('metrics on Powertools (EMF)', () => {
  it('publish a count under two dimensions as one metric with both', async () => {
    const { output } = await captureLambdaOutput(async () => {
      powertoolsTelemetry.observer.count(
        METRIC.originErrors,
        2,
        { name: 'code', value: 'REGISTRY_UNREACHABLE' },
        formatDimension('registry'),
      );
      powertoolsTelemetry.observer.count(
        METRIC.originErrors,
        1,
        { name: 'code', value: 'NOTARY_ERROR' },
        formatDimension('notary-v1'),
      );
      powertoolsTelemetry.flush();
    });
    const points = output.metrics.filter((point) => point.name === 'OriginErrors');
    expect(points).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          value: 2,
          dimensions: expect.objectContaining({ code: 'REGISTRY_UNREACHABLE', format: 'registry' }),
        }),
        expect.objectContaining({
          value: 1,
          dimensions: expect.objectContaining({ code: 'NOTARY_ERROR', format: 'notary-v1' }),
        }),
      ]),
    );
    expect(metricTotal(output, 'OriginErrors', { format: 'registry' })).toBe(2);
    expect(metricTotal(output, 'OriginErrors', { code: 'NOTARY_ERROR', format: 'registry' })).toBe(0);
  });

  it('keep a one-dimension count as before', async () => {
    const { output } = await captureLambdaOutput(async () => {
      powertoolsTelemetry.observer.count(METRIC.denials, 1, { name: 'code', value: 'NOT_SIGNED' });
      powertoolsTelemetry.flush();
    });
    expect(metricTotal(output, 'Denials', { code: 'NOT_SIGNED' })).toBe(1);
    expect(output.metrics.find((point) => point.name === 'Denials')?.dimensions).not.toHaveProperty('format');
  });
});
