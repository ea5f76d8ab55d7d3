import { withoutRemoteData } from './strip-remote-data.js';

describe('withoutRemoteData', () => {
  it('drops remote_data on the record and on nested copies, keeping everything else', () => {
    const record = {
      id: 'j1',
      remote_data: { '/jobs': { secret: 1 } },
      stages: [{ id: 's1', name: 'Screen', remote_data: null }, { id: 's2' }],
      location: { city: 'Berlin', remote_data: {} },
      custom_fields: null,
    };
    expect(withoutRemoteData(record)).toEqual({
      id: 'j1',
      stages: [{ id: 's1', name: 'Screen' }, { id: 's2' }],
      location: { city: 'Berlin' },
      custom_fields: null,
    });
    expect(record.remote_data).toEqual({ '/jobs': { secret: 1 } });
  });

  it('returns the very value when there is nothing to drop', () => {
    const record = { id: 'e1', groups: [{ id: 'g1' }], home_address: { city: 'Rome' } };
    expect(withoutRemoteData(record)).toBe(record);
    expect(withoutRemoteData(null)).toBeNull();
  });
});
