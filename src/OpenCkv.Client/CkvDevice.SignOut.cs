using OpenCkv.Client.Keychain;
using OpenCkv.Client.Records;
using OpenCkv.Client.Verification;
using OpenCkv.Crypto.Signatures;
using OpenCkv.Protocol;
using OpenCkv.Protocol.Api;

namespace OpenCkv.Client;

/// <summary>What a sign-out did: the device taken off, whether the account key rotated, the log entry.</summary>
public sealed record SignedOut(string DeviceId, bool Rotated, ulong Position, bool ThisDevice);

public sealed partial class CkvDevice
{
    /// <summary>
    /// Signs a device out of the account (DESIGN §5 "Key rotation"). A device in hand (this one, or another the
    /// person holds) just leaves the record, signed by the account key; this device then erases its keys. A device
    /// that is <paramref name="lost"/> or stolen also takes the account key with it: the key rotates — the new key
    /// cross-signed by the old one as the chain's next link, the remaining devices' entries proven for the new key —
    /// and the keychain is re-keyed for the remaining devices. Contacts who saved the old code are told it changed.
    /// </summary>
    /// <param name="deviceId">The device (hex id); null for this device.</param>
    /// <param name="lost">Whether the device is out of the person's hands.</param>
    /// <param name="timeout">How long a rotation waits for the other remaining devices' proofs for the new key (they
    /// answer at their next sync; two minutes by default); nothing is published when one does not answer.</param>
    /// <param name="cancellation">Cancels the calls.</param>
    /// <exception cref="CkvException">No such device, this device named as lost, or a refusal.</exception>
    public async Task<SignedOut> SignOutAsync(string? deviceId, bool lost, TimeSpan? timeout = null, CancellationToken cancellation = default)
    {
        IReadOnlyList<Finding> own = await CheckOwnRecordsAsync(cancellation).ConfigureAwait(false);
        if (own.Count > 0)
        {
            throw new CkvException(own[0].Code, $"This account's own records do not check out, so nothing was signed: {own[0].Detail}");
        }

        byte[] target = deviceId is null ? DeviceId : ParseDeviceId(deviceId);
        bool self = target.AsSpan().SequenceEqual(DeviceId);
        if (lost && self)
        {
            throw new CkvException("lost-self", "This device is in your hands: sign it out without --lost, or run --lost on another device of the account.");
        }

        HandleRecord[] live = _db.OwnRecords().Where(r => r.State != CkvState.Removed).ToArray();
        if (!live.Any(r => r.Devices.Any(d => d.DeviceId.AsSpan().SequenceEqual(target))))
        {
            throw new CkvException("device-unknown", $"Device {Convert.ToHexStringLower(target)} is not in this account's record.");
        }

        ulong counter = _db.OwnRecords().Max(r => r.Counter) + 1;
        using EcdsaP256PrivateKey accountKey = AccountKey();
        HandleRecord[] next;
        EcdsaP256PrivateKey? rotated = null;
        try
        {
            if (!lost)
            {
                next = live.Select(r => RecordBuilder.Next(r, counter, accountKey, devices: r.Devices.Where(d => !d.DeviceId.AsSpan().SequenceEqual(target)).ToArray())).ToArray();
            }
            else
            {
                rotated = EcdsaP256PrivateKey.Generate();
                byte[] newKey = rotated.PublicKey.Encoded.ToArray();

                // The new key is kept beside the old one before anyone sees it: a crash in between loses neither.
                _secrets.Put(Keys.NextAccountSecret, rotated.Export());

                // Every remaining entry must be proven for the new key by its own device (docs/ckv-protocol.md §2.3):
                // the others are asked through the keychain and answer at their next sync.
                Device[] others = live.SelectMany(r => r.Devices)
                    .Where(d => !d.DeviceId.AsSpan().SequenceEqual(target) && !d.DeviceId.AsSpan().SequenceEqual(DeviceId))
                    .DistinctBy(d => Convert.ToHexStringLower(d.DeviceId)).ToArray();
                IReadOnlyList<Device> proven = await CollectRotationProofsAsync(others, rotated, target, timeout ?? TimeSpan.FromMinutes(2), cancellation).ConfigureAwait(false);
                KeyLink link = KeyLink.Create(AccountId, accountKey, newKey, counter);
                Device entry = _keys.EntryFor(AccountId, newKey);

                // Each entry proven for the new key takes its device's place: the record is the previous one less the
                // lost device, in the same order (what the log checks), whichever device rotates.
                var renewed = others.Zip(proven).ToDictionary(p => Convert.ToHexStringLower(p.First.DeviceId), p => p.Second, StringComparer.Ordinal);
                renewed[Convert.ToHexStringLower(DeviceId)] = entry;
                next = live.Select(r => RecordBuilder.Next(
                    r, counter, rotated, devices: r.Devices.Where(d => !d.DeviceId.AsSpan().SequenceEqual(target)).Select(d => renewed[Convert.ToHexStringLower(d.DeviceId)]).ToArray(), chain: [.. r.Chain, link])).ToArray();
            }

            ChangeReceiptMessage receipt = await Call(() => _api.ChangeAsync(
                Credentials, lost ? Transition.DeviceRemovedAsLost : Transition.DeviceSignedOut, next, cancellation: cancellation)).ConfigureAwait(false);
            if (rotated is not null)
            {
                _secrets.Put(Keys.AccountSecret, rotated.Export());
                _secrets.Delete(Keys.NextAccountSecret);
            }

            _db.InTransaction(() =>
            {
                foreach (HandleRecord record in next)
                {
                    _db.SetOwnRecord(record);
                }

                _db.RemoveFromCircle(target);
                MarkKeychainChanged();
            });

            if (self)
            {
                // Signing out a device in hand erases its keys: the account key and the device's own.
                foreach (string secret in (string[])[Keys.AccountSecret, Keys.SigningSecret, Keys.EncryptionSecret, Keys.RequestSecret])
                {
                    _secrets.Delete(secret);
                }
            }
            else
            {
                await PushKeychainAsync(cancellation).ConfigureAwait(false);
            }

            return new SignedOut(Convert.ToHexStringLower(target), rotated is not null, receipt.Position, self);
        }
        finally
        {
            rotated?.Dispose();
        }
    }

    /// <summary>
    /// Asks each of <paramref name="others"/> for its entry proven for the new account key, and waits until all
    /// answered: each answer must come from that device, keep its id and three keys, and prove possession for this
    /// account and the new key.
    /// </summary>
    private async Task<IReadOnlyList<Device>> CollectRotationProofsAsync(Device[] others, EcdsaP256PrivateKey newKey, byte[] lost, TimeSpan timeout, CancellationToken cancellation)
    {
        if (others.Length == 0)
        {
            return [];
        }

        byte[] newPublic = newKey.PublicKey.Encoded.ToArray();
        foreach (Device other in others)
        {
            ulong version = NextBlobVersion();
            byte[] body = KeychainSeal.Seal(KeychainMessage.RotationRequest(newKey.Export(), lost), AccountId, DeviceId, _keys.Signing, other, version, KeychainSeal.NoJoin);
            await Call(() => _api.PutBlobAsync(Credentials, other.DeviceId, version, body, cancellation)).ConfigureAwait(false);
        }

        var proofs = new Dictionary<string, Device>(StringComparer.Ordinal);
        DateTimeOffset deadline = _time.GetUtcNow() + timeout;
        while (proofs.Count < others.Length)
        {
            BlobList blobs = await Call(() => _api.BlobsAsync(Credentials, cancellation)).ConfigureAwait(false);
            foreach (BlobMessage blob in blobs.Blobs)
            {
                Device? sender = others.FirstOrDefault(d => Convert.ToHexStringLower(d.DeviceId) == blob.SenderDevice);
                KeychainMessage? message = sender is null ? null : KeychainSeal.OpenMessage(Convert.FromBase64String(blob.Body), AccountId, sender, DeviceId, _keys.Encryption, blob.Version, KeychainSeal.NoJoin);
                if (message is { Kind: 3, Entry: { } entry } && sender is not null && entry.DeviceId.AsSpan().SequenceEqual(sender.DeviceId) &&
                    entry.SigningKey.AsSpan().SequenceEqual(sender.SigningKey) && entry.EncryptionKey.AsSpan().SequenceEqual(sender.EncryptionKey) &&
                    entry.RequestKey.AsSpan().SequenceEqual(sender.RequestKey) && entry.PossessionVerifies(AccountId, newPublic))
                {
                    proofs[blob.SenderDevice] = entry;
                    await Call(() => _api.AcknowledgeBlobAsync(Credentials, blob.Id, cancellation)).ConfigureAwait(false);
                }
            }

            if (proofs.Count < others.Length)
            {
                if (_time.GetUtcNow() >= deadline)
                {
                    string[] silent = others.Select(d => Convert.ToHexStringLower(d.DeviceId)).Where(id => !proofs.ContainsKey(id)).ToArray();
                    throw new CkvException("timeout", $"Devices {string.Join(", ", silent)} did not answer the rotation in time (they answer when they sync); nothing was published.");
                }

                await Task.Delay(Poll, cancellation).ConfigureAwait(false);
            }
        }

        return others.Select(d => proofs[Convert.ToHexStringLower(d.DeviceId)]).ToArray();
    }

    private static byte[] ParseDeviceId(string hex)
    {
        try
        {
            byte[] id = Convert.FromHexString(hex);
            return id.Length == Device.IdSize ? id : throw new FormatException();
        }
        catch (FormatException)
        {
            throw new CkvException("device-unknown", $"'{hex}' is not a device id (32 hex digits; see `ckv device list`).");
        }
    }
}
