using System.Security.Cryptography;
using OpenCkv.Crypto.Signatures;
using OpenCkv.Directory;
using OpenCkv.Directory.Publishing;
using OpenCkv.Protocol;

namespace OpenCkv.Server.Dev;

/// <summary>
/// The scenarios in which a lying server publishes a handle record of its own making (docs/threat-model.md). Each
/// forgery is the handle's next version in the log — the log proves it like any other — and is made only with what
/// a dishonest operator has: the records it serves, keys it generates, and (for <c>retired-key</c>) a key a stolen
/// device gave it. None has the account key, so every forgery is caught by a check of the record itself or of its
/// place in the handle's history; the comments name which (ckv-protocol §2.5–§2.6).
/// </summary>
internal static class RecordForgeries
{
    /// <summary>
    /// Publishes the forgery <paramref name="scenario"/> names on <paramref name="handle"/>. Devices the server
    /// makes get their encryption keys from <paramref name="attacker"/>, so the suite can tell whether any message
    /// was ever encrypted to them.
    /// </summary>
    /// <returns>The forged record, the version it was published at, and the id of the device the scenario is about (made, substituted or moved), if any.</returns>
    /// <exception cref="DirectoryException">The handle cannot carry the forgery (none, removed, a full record).</exception>
    public static async Task<(HandleRecord Record, uint Version, byte[]? DeviceId)> PublishAsync(
        DirectoryService directory, AttackerKeys attacker, string scenario, string handle, string? to, string? retiredKey)
    {
        byte[]? device = null;
        switch (scenario)
        {
            case Misbehaviour.MoveDevices:
                // Bob's (handle's) devices, possession proofs and all, listed in the record of `to`, which the
                // server re-keys so it can sign it. The proofs bind Bob's account and key: BadDevice (§2.5).
                ArgumentException.ThrowIfNullOrEmpty(to);
                HandleRecord victim = directory.DevNewestRecord(handle);
                device = victim.Devices[0].DeviceId;
                (HandleRecord moved, uint at) = await PublishOnAsync(directory, to, newest => Resigned(Next(newest), [.. victim.Devices], chain: [])).ConfigureAwait(false);
                return (moved, at, device);
            default:
                (HandleRecord forged, uint version) = await PublishOnAsync(directory, handle, newest =>
                {
                    Live(newest, scenario);
                    (HandleRecord record, byte[]? id) = Forge(scenario, newest, attacker, retiredKey);
                    device = id;
                    return record;
                }).ConfigureAwait(false);
                return (forged, version, device);
        }
    }

    private static (HandleRecord Record, byte[]? DeviceId) Forge(string scenario, HandleRecord newest, AttackerKeys attacker, string? retiredKey)
    {
        HandleRecord next = Next(newest);
        switch (scenario)
        {
            case Misbehaviour.InjectDevice:
            {
                // A device with a valid possession proof the server holds, in a record the account key never
                // signed: the old signature stays, so BadSignature, shown as unknown-device.
                byte[] id = RandomNumberGenerator.GetBytes(Device.IdSize);
                return (next with { Devices = [.. newest.Devices, NewDevice(attacker, newest.AccountId, newest.AccountKey, id)] }, id);
            }

            case Misbehaviour.SubstituteKey:
            {
                // The first device's encryption key swapped for the server's: BadSignature.
                Device target = newest.Devices.Count > 0 ? newest.Devices[0] : throw new DirectoryException(DirectoryError.NotAllowed, "The record lists no device.");
                Device swapped = target with { EncryptionKey = attacker.NewKeyFor(newest.AccountId, target.DeviceId) };
                return (next with { Devices = [swapped, .. newest.Devices.Skip(1)] }, target.DeviceId);
            }

            case Misbehaviour.ForeignSignature:
                // Every field as the owner would have it, signed by a key that is not the one the record names: BadSignature.
                using (var other = EcdsaP256PrivateKey.Generate())
                {
                    return (next with { Signature = other.Sign(next.ToBeSigned()) }, null);
                }

            case Misbehaviour.UnsignedOptOut:
                // CKV shown off with the old signature: BadSignature, shown as unsigned-opt-out.
                return (next with { State = CkvState.Off }, null);

            case Misbehaviour.ReplayRecord:
                // The newest record, exactly as its owner signed it, served again as the next version: it names its
                // own version, so the place check refuses it (a replayed counter never gets as far as the pin).
                return (newest, null);

            case Misbehaviour.SwapAccountKey:
            {
                // A key of the server's own, the chain kept, devices it made for the new key, all validly signed by
                // that key: the record checks, but the pinned key never cross-signed the new one.
                byte[] id = RandomNumberGenerator.GetBytes(Device.IdSize);
                return (Resigned(next, [], newest.Chain, attacker, id), id);
            }

            case Misbehaviour.FakeReset:
            {
                // What an account reset looks like (a new key, an empty chain, one new device) without the reset's
                // handle code and second factor: contacts see an uncross-signed change; the owner's devices see
                // a key they do not hold.
                byte[] id = RandomNumberGenerator.GetBytes(Device.IdSize);
                return (Resigned(next, [], chain: [], attacker, id), id);
            }

            case Misbehaviour.UnsignedRotation:
            {
                // A rotation to the server's key whose cross-signature is the new key's, not the old one's: the
                // chain does not verify (BrokenChain).
                using var fresh = EcdsaP256PrivateKey.Generate();
                byte[] freshKey = fresh.PublicKey.Encoded.ToArray();
                KeyLink forgedLink = KeyLink.Create(newest.AccountId, fresh, freshKey, next.Counter) with { PreviousKey = newest.AccountKey };
                byte[] id = RandomNumberGenerator.GetBytes(Device.IdSize);
                HandleRecord rotated = next with
                {
                    AccountKey = freshKey,
                    Chain = [.. newest.Chain, forgedLink],
                    Devices = [NewDevice(attacker, newest.AccountId, freshKey, id)],
                };
                return (rotated.SignedBy(fresh), id);
            }

            case Misbehaviour.RetiredKey:
            {
                // A record signed by a key the account rotated away from (a lost device held it), naming that key
                // again with the chain before the rotation: to a reader who pinned the newer key, the pinned key
                // never cross-signed this one.
                ArgumentException.ThrowIfNullOrEmpty(retiredKey);
                using var retired = EcdsaP256PrivateKey.Import(Convert.FromHexString(retiredKey));
                byte[] retiredPublic = retired.PublicKey.Encoded.ToArray();
                int before = newest.Chain.ToList().FindIndex(l => l.PreviousKey.AsSpan().SequenceEqual(retiredPublic));
                if (before < 0)
                {
                    throw new DirectoryException(DirectoryError.NotAllowed, "That key is not one the handle's chain rotated away from.");
                }

                byte[] id = RandomNumberGenerator.GetBytes(Device.IdSize);
                HandleRecord rolledBack = next with
                {
                    AccountKey = retiredPublic,
                    Chain = [.. newest.Chain.Take(before)],
                    Devices = [NewDevice(attacker, newest.AccountId, retiredPublic, id)],
                };
                return (rolledBack.SignedBy(retired), id);
            }

            default:
                throw new ArgumentException($"'{scenario}' is not a record forgery.", nameof(scenario));
        }
    }

    /// <summary>The record re-keyed to a fresh server key and signed by it, with the given devices (plus one the server makes, when <paramref name="madeDevice"/> is given).</summary>
    private static HandleRecord Resigned(HandleRecord record, Device[] devices, IReadOnlyList<KeyLink> chain, AttackerKeys? attacker = null, byte[]? madeDevice = null)
    {
        using var key = EcdsaP256PrivateKey.Generate();
        byte[] publicKey = key.PublicKey.Encoded.ToArray();
        Device[] listed = madeDevice is null ? devices : [.. devices, NewDevice(attacker!, record.AccountId, publicKey, madeDevice)];
        return (record with { AccountKey = publicKey, Chain = chain, Devices = listed, Signature = [] }).SignedBy(key);
    }

    /// <summary>The record's successor as its owner would start it (next version and counter, its hash), still carrying its signature.</summary>
    private static HandleRecord Next(HandleRecord newest) =>
        newest with { Version = checked(newest.Version + 1), Counter = checked(newest.Counter + 1), PreviousRecordHash = newest.Hash() };

    private static async Task<(HandleRecord Record, uint Version)> PublishOnAsync(DirectoryService directory, string handle, Func<HandleRecord, HandleRecord> forge)
    {
        (HandleRecord forged, ChangeReceipt receipt) = await directory.DevPublishForgedAsync(handle, forge).ConfigureAwait(false);
        return (forged, receipt.Versions.Values.Single());
    }

    private static void Live(HandleRecord newest, string scenario)
    {
        if (newest.State == CkvState.Removed)
        {
            throw new DirectoryException(DirectoryError.NotAllowed, $"The handle was removed; {scenario} needs a live handle.");
        }

        if (newest.Devices.Count >= HandleRecord.MaxDevices)
        {
            throw new DirectoryException(DirectoryError.NotAllowed, $"The record already lists {HandleRecord.MaxDevices} devices.");
        }
    }

    /// <summary>A device entry with fresh keys and a valid possession proof for the account and key; the attacker keeps its encryption key.</summary>
    private static Device NewDevice(AttackerKeys attacker, byte[] accountId, byte[] accountKey, byte[] deviceId)
    {
        using var signing = EcdsaP256PrivateKey.Generate();
        using var request = EcdsaP256PrivateKey.Generate();
        return Device.Create(accountId, accountKey, deviceId, signing, attacker.NewKeyFor(accountId, deviceId), request.PublicKey.Encoded.ToArray());
    }
}
