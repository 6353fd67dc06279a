import { newId } from '@qc/shared/db';
import { AppError } from '@qc/shared/http';
import {
  deleteAddress as removeAddress,
  findAddress,
  insertAddress,
  listAddresses,
  makeDefault,
  updateAddress as writeAddress,
  type AddressFields,
  type AddressRow,
} from '../data/addresses.repository';
import { findUserById } from '../data/users.repository';
import { userEvent, type Identity } from './identity';

/** Enough for home, work and family; a list beyond that is a sign of abuse, not of a customer. */
export const MAX_ADDRESSES = 20;

export type AddressView = Omit<AddressRow, 'userId'>;

function toAddressView({ userId: _owner, ...address }: AddressRow): AddressView {
  return address;
}

const notFound = () => new AppError('not_found', 'ADDRESS_NOT_FOUND', 'Address not found');

export async function addressesOf(identity: Identity, userId: string): Promise<AddressView[]> {
  return (await listAddresses(identity.dataSource, userId)).map(toAddressView);
}

export async function addressOf(identity: Identity, userId: string, id: string): Promise<AddressView> {
  const address = await findAddress(identity.dataSource, userId, id);
  if (!address) throw notFound();
  return toAddressView(address);
}

/**
 * Adds an address. The first one is the default; `isDefault` moves the default to the new one.
 * The user's row is locked first, so concurrent changes to one user's addresses run one at a time
 * and there is always exactly one default.
 */
export async function addAddress(
  identity: Identity,
  userId: string,
  fields: AddressFields & { isDefault?: boolean | undefined },
): Promise<AddressView> {
  return identity.outbox.transaction(async (tx, emit) => {
    await findUserById(tx, userId, { lock: true });
    const existing = await listAddresses(tx, userId);
    if (existing.length >= MAX_ADDRESSES)
      throw new AppError('rule_violation', 'TOO_MANY_ADDRESSES', `At most ${MAX_ADDRESSES} addresses per account`);
    const id = newId();
    const { isDefault, ...address } = fields;
    await insertAddress(tx, { ...address, id, userId, isDefault: existing.length === 0 });
    if (isDefault && existing.length > 0) await makeDefault(tx, userId, id);
    emit(userEvent('user.address.added', userId, { userId, addressId: id, lat: address.lat, lng: address.lng }));
    return toAddressView((await findAddress(tx, userId, id))!);
  });
}

export async function updateAddress(
  identity: Identity,
  userId: string,
  id: string,
  changes: Partial<AddressFields> & { isDefault?: true | undefined },
): Promise<AddressView> {
  return identity.outbox.transaction(async (tx) => {
    await findUserById(tx, userId, { lock: true });
    if (!(await findAddress(tx, userId, id))) throw notFound();
    const { isDefault, ...fields } = changes;
    await writeAddress(tx, userId, id, fields);
    if (isDefault) await makeDefault(tx, userId, id);
    return toAddressView((await findAddress(tx, userId, id))!);
  });
}

/** Deletes an address; when it was the default, the most recently added one left takes over. */
export async function deleteAddress(identity: Identity, userId: string, id: string): Promise<void> {
  await identity.outbox.transaction(async (tx) => {
    await findUserById(tx, userId, { lock: true });
    const address = await findAddress(tx, userId, id);
    if (!address) throw notFound();
    await removeAddress(tx, userId, id);
    const newest = (await listAddresses(tx, userId)).at(-1);
    if (address.isDefault && newest) await makeDefault(tx, userId, newest.id);
  });
}
