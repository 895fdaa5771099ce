import { InvalidReferenceError, NotaryGateError } from '../../shared/errors';

describe('errors', () => {
  it('carry a stable code and keep the cause', () => {
    const cause = new Error('root');
    const error = new NotaryGateError('NOT_SIGNED', 'no trust data', { cause });
    expect(error.code).toBe('NOT_SIGNED');
    expect(error.cause).toBe(cause);
    expect(error.name).toBe('NotaryGateError');
  });

  it('name invalid references with their input', () => {
    const error = new InvalidReferenceError('UPPER', 'repository name must be lowercase');
    expect(error).toBeInstanceOf(NotaryGateError);
    expect(error.code).toBe('INVALID_REFERENCE');
    expect(error.input).toBe('UPPER');
  });
});
