using System.Buffers.Binary;
using OpenCkv.Client.Alerts;
using OpenCkv.Client.Keychain;
using OpenCkv.Client.Profiles;
using OpenCkv.Crypto.Signatures;
using OpenCkv.Protocol;
using OpenCkv.Protocol.Api;

namespace OpenCkv.Client;

public sealed partial class CkvDevice
{
    /// <summary>What the keychain holds on this device: the account key, the circle and the contact book.</summary>
    private KeychainPayload Payload()
    {
        IReadOnlyList<CircleMember> circle = _db.Circle().Select(c => new CircleMember(c.DeviceId, c.Name)).ToArray();
        IReadOnlyList<ContactCard> contacts = _db.Contacts().Select(c => new ContactCard(c.Name, c.Label, c.SavedCode ?? string.Empty)).ToArray();
        return new KeychainPayload(Secret(Keys.AccountSecret), circle, contacts);
    }

    /// <summary>The next blob version: above every earlier one, whatever the clock does.</summary>
    private ulong NextBlobVersion()
    {
        ulong last = _db.Setting(Keys.BlobVersion) is { } bytes ? BinaryPrimitives.ReadUInt64BigEndian(bytes) : 0;
        ulong next = Math.Max(last + 1, NowMs);
        byte[] encoded = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(encoded, next);
        _db.SetSetting(Keys.BlobVersion, encoded);
        return next;
    }

    /// <summary>
    /// Sends the keychain (account key, circle, contacts with codes) to every other device of the circle that the
    /// account's own record lists, each sealed to that device alone (docs/ckv-protocol.md §6.3).
    /// </summary>
    public Task<int> PushKeychainAsync(CancellationToken cancellation = default) => PushKeychainAsync(except: null, cancellation);

    /// <summary>Sends the keychain to every other circle device of the own record but <paramref name="except"/>.</summary>
    private async Task<int> PushKeychainAsync(byte[]? except, CancellationToken cancellation)
    {
        var circle = CircleIds();
        Device[] others = _db.OwnRecords().Where(r => LabelOf(r) == Label).SelectMany(r => r.Devices)
            .Where(d => circle.Contains(Convert.ToHexStringLower(d.DeviceId)) && !d.DeviceId.AsSpan().SequenceEqual(DeviceId))
            .Where(d => except is null || !d.DeviceId.AsSpan().SequenceEqual(except)).ToArray();
        KeychainPayload payload = Payload();
        foreach (Device other in others)
        {
            ulong version = NextBlobVersion();
            byte[] body = KeychainSeal.Seal(payload, AccountId, DeviceId, _keys.Signing, other, version, KeychainSeal.NoJoin);
            await Call(() => _api.PutBlobAsync(Credentials, other.DeviceId, version, body, cancellation)).ConfigureAwait(false);
        }

        _db.SetSetting(Keys.KeychainDirty, [0]);
        return others.Length;
    }

    /// <summary>
    /// Takes the keychain blobs waiting for this device, after checking the account's own records (so that a device
    /// joined or signed out elsewhere, or a key rotated, is known first): each must come from a circle device of the
    /// account's own verified record, verify under its signing key, open for this device, and carry the account key
    /// this device holds or one the key's chain replaced (a keychain sent just before a rotation). Contacts and codes
    /// merge in (a card this device lacks is added; a code fills an empty one); a blob that fails is an
    /// <c>own-account-mismatch</c> warning and changes nothing. A blob that a circle device sent before it was signed
    /// out is of no use any more, and is dropped without a word.
    /// </summary>
    public async Task<int> ReceiveKeychainAsync(CancellationToken cancellation = default)
    {
        await CheckOwnRecordsAsync(cancellation).ConfigureAwait(false);
        return await ReceiveKeychainAsync(verified: null, cancellation).ConfigureAwait(false);
    }

    /// <summary>
    /// <see cref="ReceiveKeychainAsync(CancellationToken)"/> without checking the own records first, and with the
    /// devices of <paramref name="verified"/> — an own record that just verified and is not held yet — counted as
    /// devices of the own record. The circle grows blob by blob: a device a merged keychain names may send the next one.
    /// </summary>
    private async Task<int> ReceiveKeychainAsync(HandleRecord? verified, CancellationToken cancellation)
    {
        BlobList blobs = await Call(() => _api.BlobsAsync(Credentials, cancellation)).ConfigureAwait(false);
        Device[] own = [.. _db.OwnRecords().SelectMany(r => r.Devices), .. verified?.Devices ?? []];
        int merged = 0;
        foreach (BlobMessage blob in blobs.Blobs.OrderBy(b => b.Version))
        {
            var circle = CircleIds();
            Device? sender = own.FirstOrDefault(d => Convert.ToHexStringLower(d.DeviceId) == blob.SenderDevice && circle.Contains(blob.SenderDevice));
            if (sender is null && (circle.Contains(blob.SenderDevice) || _db.LeftCircle(Convert.FromHexString(blob.SenderDevice))))
            {
                // A device of the circle the own record no longer lists: signed out since it sent this (the server
                // takes blobs from signed-in devices only). Its keychain is not taken, and nothing is wrong.
                await Call(() => _api.AcknowledgeBlobAsync(Credentials, blob.Id, cancellation)).ConfigureAwait(false);
                continue;
            }

            KeychainMessage? message = sender is null ? null : KeychainSeal.OpenMessage(Convert.FromBase64String(blob.Body), AccountId, sender, DeviceId, _keys.Encryption, blob.Version, KeychainSeal.NoJoin);
            if (message is { Kind: 2 } && sender is not null)
            {
                await AnswerRotationAsync(message, sender, cancellation).ConfigureAwait(false);
                await Call(() => _api.AcknowledgeBlobAsync(Credentials, blob.Id, cancellation)).ConfigureAwait(false);
                continue;
            }

            if (message is { Kind: 3 })
            {
                // A proof for a rotation this device is not collecting now: it is of no use any more.
                await Call(() => _api.AcknowledgeBlobAsync(Credentials, blob.Id, cancellation)).ConfigureAwait(false);
                continue;
            }

            KeychainPayload? payload = message?.Keychain;
            if (payload is null || !HoldsOrReplaced(payload.AccountPrivateKey))
            {
                _db.Raise(NowMs, AlertCode.OwnAccountMismatch, null, $"a keychain blob from device {blob.SenderDevice} did not come from a device of this account's circle, did not verify, or carried another account key; it was ignored");
            }
            else
            {
                _db.InTransaction(() => Merge(payload));
                merged++;
            }

            await Call(() => _api.AcknowledgeBlobAsync(Credentials, blob.Id, cancellation)).ConfigureAwait(false);
        }

        return merged;
    }

    /// <summary>
    /// Whether a keychain's account key is the one this device holds, the one it was asked to prove for a rotation
    /// (sealed after a rotation this device has not seen published yet), or one that the own record's chain of
    /// cross-signatures replaced (sealed before a rotation).
    /// </summary>
    private bool HoldsOrReplaced(byte[] accountPrivateKey)
    {
        if (accountPrivateKey.AsSpan().SequenceEqual(Secret(Keys.AccountSecret)))
        {
            return true;
        }

        if (_secrets.Read(Keys.NextAccountSecret) is { } pending && accountPrivateKey.AsSpan().SequenceEqual(pending))
        {
            // Sealed after a rotation this device proved the key for, and took part in, before it saw it published.
            return true;
        }

        byte[] carried;
        try
        {
            using EcdsaP256PrivateKey key = EcdsaP256PrivateKey.Import(accountPrivateKey);
            carried = key.PublicKey.Encoded.ToArray();
        }
        catch (Exception e) when (e is ArgumentException or System.Security.Cryptography.CryptographicException)
        {
            return false;
        }

        return _db.OwnRecords().SelectMany(r => r.Chain).Any(link => link.PreviousKey.AsSpan().SequenceEqual(carried));
    }

    /// <summary>
    /// Answers another circle device's rotation request (a lost device is being removed): keeps the new key as the
    /// one pending, and sends back this device's entry proven for it. The key becomes this device's account key only
    /// once its own verified record carries it, cross-signed by the key it holds (<see cref="CheckOwnRecordsAsync"/>).
    /// </summary>
    private async Task AnswerRotationAsync(KeychainMessage request, Device requester, CancellationToken cancellation)
    {
        if (request.LostDevice.AsSpan().SequenceEqual(DeviceId))
        {
            return; // a request to prove a key that removes this very device: nothing to answer
        }

        using EcdsaP256PrivateKey next = EcdsaP256PrivateKey.Import(request.NewAccountKey);
        _secrets.Put(Keys.NextAccountSecret, request.NewAccountKey);
        Device entry = _keys.EntryFor(AccountId, next.PublicKey.Encoded.ToArray());
        ulong version = NextBlobVersion();
        byte[] body = KeychainSeal.Seal(KeychainMessage.RotationProof(entry), AccountId, DeviceId, _keys.Signing, requester, version, KeychainSeal.NoJoin);
        await Call(() => _api.PutBlobAsync(Credentials, requester.DeviceId, version, body, cancellation)).ConfigureAwait(false);
    }

    private void Merge(KeychainPayload payload)
    {
        foreach (CircleMember member in payload.Circle)
        {
            _db.AddToCircle(member.DeviceId, member.Name);
        }

        foreach (ContactCard card in payload.Contacts)
        {
            ContactEntry? mine = _db.Contact(card.Name);
            if (mine is null)
            {
                _db.AddContact(new ContactEntry(card.Name, card.Label, card.Code.Length == 0 ? null : card.Code, NowMs));
            }
            else if (mine.Label == card.Label && mine.SavedCode is null && card.Code.Length > 0)
            {
                _db.SetContactCode(card.Name, card.Code);
            }
        }
    }

    private void MarkKeychainChanged() => _db.SetSetting(Keys.KeychainDirty, [1]);

    private bool KeychainChanged => _db.Setting(Keys.KeychainDirty) is [1];

    private static void StoreAccountKey(Secrets.ISecretStore secrets, EcdsaP256PrivateKey accountKey) => secrets.Put(Keys.AccountSecret, accountKey.Export());
}
