import { Gazetteer, normalizeForSearch } from '../../src/domain/gazetteer';

const gazetteer = new Gazetteer('Bengaluru', [
  { name: 'Koramangala', aliases: ['Koramangala 4th Block'], pincode: '560034', lat: 12.9352, lng: 77.6245 },
  { name: 'JP Nagar', aliases: ['Jayaprakash Nagar'], pincode: '560078', lat: 12.9063, lng: 77.5857 },
  { name: 'Jayanagar', pincode: '560011', lat: 12.925, lng: 77.5938 },
  { name: 'RT Nagar', pincode: '560032', lat: 13.0215, lng: 77.594 },
  { name: 'Nagarbhavi', pincode: '560072', lat: 12.9606, lng: 77.5097 },
  { name: 'Ulsoor', aliases: ['Halasuru'], pincode: '560008', lat: 12.9817, lng: 77.6285 },
  { name: 'Kumaraswamy Layout', pincode: '560078', lat: 12.9055, lng: 77.56 },
]);
const names = (query: string, limit = 10) => gazetteer.search(query, limit).map((l) => l.name);

describe('normalizeForSearch', () => {
  it('when text has case, accents and punctuation, then they are dropped', () => {
    expect(normalizeForSearch('  Kōramangala,  4th-Block ')).toBe('koramangala 4th block');
    expect(normalizeForSearch('HALASŪRU')).toBe('halasuru');
  });
});

describe('Gazetteer.search', () => {
  it('when the query is a prefix in any case or accents, then it finds the locality', () => {
    expect(names('kora')).toEqual(['Koramangala']);
    expect(names('KŌRAM')).toEqual(['Koramangala']);
  });

  it('when the query is inside a name, then it is found after better matches', () => {
    // "nagar": RT Nagar and JP Nagar have a word starting with it, Nagarbhavi starts with it,
    // Jayanagar only contains it.
    expect(names('nagar')).toEqual(['Nagarbhavi', 'JP Nagar', 'RT Nagar', 'Jayanagar']);
  });

  it('when the query equals a name, then that name comes first', () => {
    expect(names('jayanagar')[0]).toBe('Jayanagar');
  });

  it('when the query matches an alias, then the locality is found, after name matches', () => {
    expect(names('halasuru')).toEqual(['Ulsoor']);
    expect(names('jaya')).toEqual(['Jayanagar', 'JP Nagar']);
  });

  it('when spaces differ from the name, then it still matches', () => {
    expect(names('jpnagar')).toEqual(['JP Nagar']);
    expect(names('kumaraswamylayout')).toEqual(['Kumaraswamy Layout']);
  });

  it('when the query is digits, then pincodes match by prefix, exact first', () => {
    expect(names('560078')).toEqual(['JP Nagar', 'Kumaraswamy Layout']);
    expect(names('56003').sort()).toEqual(['Koramangala', 'RT Nagar']);
  });

  it('when a limit is given, then no more are returned', () => {
    expect(names('a', 2)).toHaveLength(2);
  });

  it('when nothing matches or the query is only punctuation, then nothing is returned', () => {
    expect(names('zzz')).toEqual([]);
    expect(names('!!!')).toEqual([]);
  });
});

describe('Gazetteer.nearest', () => {
  it('when asked for a point, then the nearest locality and its distance come back', () => {
    const near = gazetteer.nearest({ lat: 12.93, lng: 77.62 });
    expect(near?.locality.name).toBe('Koramangala');
    expect(near?.distanceKm).toBeCloseTo(0.77, 1);
  });

  it('when asked for pincode localities, then all with that pincode come back', () => {
    expect(gazetteer.withPincode('560078').map((l) => l.name)).toEqual(['JP Nagar', 'Kumaraswamy Layout']);
    expect(gazetteer.withPincode('110001')).toEqual([]);
  });
});
