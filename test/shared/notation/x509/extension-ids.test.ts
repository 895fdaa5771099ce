import {
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  KeyUsageFlags as Library,
} from '@peculiar/asn1-x509';
import {
  ID_CE_BASIC_CONSTRAINTS,
  ID_CE_EXT_KEY_USAGE,
  ID_CE_KEY_USAGE,
  KeyUsageFlags,
} from '../../../../shared/notation/x509/extension-ids';

describe('the X.509 extension ids spelled out for the bundle (not imported from @peculiar/asn1-x509 at init)', () => {
  it('are the library’s OIDs', () => {
    expect([ID_CE_KEY_USAGE, ID_CE_BASIC_CONSTRAINTS, ID_CE_EXT_KEY_USAGE]).toEqual([
      id_ce_keyUsage,
      id_ce_basicConstraints,
      id_ce_extKeyUsage,
    ]);
  });

  it('are the library’s keyUsage flag bits, every one of them', () => {
    const library = Object.fromEntries(
      Object.entries(Library).filter(([name, value]) => typeof value === 'number' && Number.isNaN(Number(name))),
    );
    expect({ ...KeyUsageFlags }).toEqual(library);
  });
});
