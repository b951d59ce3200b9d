import { normalisedPhone, probedIdentifiers } from './subject-identifiers';

describe('the spellings a phone number is probed by', () => {
  it('keeps digits only, the leading + kept and a leading 00 read as +', () => {
    expect(normalisedPhone('+44 20 7946 0001')).toBe('+442079460001');
    expect(normalisedPhone(' 0044 (20) 7946-0001 ')).toBe('+442079460001');
    expect(normalisedPhone('020/7946.0001 ext')).toBe('02079460001');
    expect(normalisedPhone('+49 (0) 30 1234')).toBe('+490301234');
  });

  it('probes the number as given, without punctuation, and in its normal form', () => {
    expect(probedIdentifiers({ phone: '0044 20/7946-0001' })).toEqual([
      { kind: 'phone', values: ['0044 20/7946-0001', '004420/79460001', '+442079460001'] },
    ]);
    expect(probedIdentifiers({ phone: '+442079460001' })).toEqual([
      { kind: 'phone', values: ['+442079460001'] },
    ]);
  });
});
