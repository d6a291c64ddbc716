using OpenCkv.Crypto.Signatures;

namespace OpenCkv.Protocol.Tests;

/// <summary>
/// The transition table (docs/ckv-protocol.md §2.7): a handle's life — first record, CKV on, a device joining,
/// one signed out, a lost one removed with a rotation, CKV off, a tombstone, a reset — is accepted step by step;
/// each step with a second change, a broken succession, a missing authorisation or the wrong key is refused.
/// </summary>
public sealed class TransitionTests
{
    private const Authorization Device = Authorization.AccountDevice;

    private static HandleRecord Next(HandleRecord previous, EcdsaP256PrivateKey key, Func<HandleRecord, HandleRecord> change) =>
        change(previous with { Version = previous.Version + 1, Counter = previous.Counter + 1, PreviousRecordHash = previous.Hash() }).SignedBy(key);

    [Fact]
    public void A_handles_life_is_accepted_step_by_step_and_every_step_needs_its_authorisation()
    {
        using var key = EcdsaP256PrivateKey.Generate();
        using var rotated = EcdsaP256PrivateKey.Generate();
        using var reset = EcdsaP256PrivateKey.Generate();
        byte[] accountKey = key.PublicKey.Encoded.ToArray();
        HandleRecord first = (Records.Signed(key, version: 0, counter: 1, devices: 1) with { State = CkvState.Off }).SignedBy(key);
        RecordTransitions.Check(null, first, Transition.First, Authorization.HandleCode);

        HandleRecord on = Next(first, key, r => r with { State = CkvState.On });
        HandleRecord joined = Next(on, key, r => r with { Devices = [.. r.Devices, Records.NewDevice(accountKey)] });
        HandleRecord signedOut = Next(joined, key, r => r with { Devices = [r.Devices[1]] });
        HandleRecord added = Next(signedOut, key, r => r with { Devices = [.. r.Devices, Records.NewDevice(accountKey)] });
        byte[] newKey = rotated.PublicKey.Encoded.ToArray();
        HandleRecord lost = Next(added, rotated, r => r with
        {
            AccountKey = newKey,
            Chain = [.. r.Chain, KeyLink.Create(r.AccountId, key, newKey, r.Counter)],
            Devices = [.. r.Devices.Take(1).Select(d => Records.NewDevice(newKey))],
        });
        HandleRecord off = Next(lost, rotated, r => r with { State = CkvState.Off });
        HandleRecord resetRecord = Next(off, reset, r => r with { AccountKey = reset.PublicKey.Encoded.ToArray(), Chain = [], Devices = [Records.NewDevice(reset.PublicKey.Encoded.ToArray())] });
        HandleRecord removed = Next(resetRecord, reset, r => r with { State = CkvState.Removed, Devices = [] });

        (HandleRecord Previous, HandleRecord Next, Transition Transition, Authorization Authorization)[] steps =
        [
            (first, on, Transition.CkvOn, Device),
            (on, joined, Transition.DeviceAdded, Authorization.JoinConfirmed | Device),
            (joined, signedOut, Transition.DeviceSignedOut, Device),
            (signedOut, added, Transition.DeviceAdded, Authorization.JoinConfirmed),
            (lost, off, Transition.CkvOff, Device),
            (off, resetRecord, Transition.AccountReset, Authorization.HandleCode | Authorization.SecondFactor),
            (resetRecord, removed, Transition.HandleRemoved, Device),
        ];
        foreach ((HandleRecord previous, HandleRecord next, Transition transition, Authorization authorization) in steps)
        {
            RecordCheck.Verify(OpenCkv.KeyTransparency.Tls.TlsCodec.Encode(next), next.Label, next.Version);
            RecordTransitions.Check(previous, next, transition, authorization);
            Assert.Throws<TransitionException>(() => RecordTransitions.Check(previous, next, transition, Authorization.None));
        }

        // A rotation keeps the remaining devices (re-proven for the new key), drops the lost one and grows the
        // chain by one link from the old key; new devices in their place are refused.
        Assert.Throws<TransitionException>(() => RecordTransitions.Check(added, lost, Transition.DeviceRemovedAsLost, Device));
        using var keptSigning = EcdsaP256PrivateKey.Generate();
        Device kept = OpenCkv.Protocol.Device.Create(Records.AccountId, accountKey, new byte[16], keptSigning, accountKey, accountKey);
        HandleRecord twoDevices = (first with { Devices = [kept, Records.NewDevice(accountKey)] }).SignedBy(key);
        HandleRecord afterLoss = Next(twoDevices, rotated, r => r with
        {
            AccountKey = newKey,
            Chain = [KeyLink.Create(r.AccountId, key, newKey, r.Counter)],
            Devices = [OpenCkv.Protocol.Device.Create(Records.AccountId, newKey, kept.DeviceId, keptSigning, kept.EncryptionKey, kept.RequestKey)],
        });
        RecordCheck.Verify(OpenCkv.KeyTransparency.Tls.TlsCodec.Encode(afterLoss), afterLoss.Label, afterLoss.Version);
        RecordTransitions.Check(twoDevices, afterLoss, Transition.DeviceRemovedAsLost, Device);

        // A reset needs both the handle's code and the second factor; a device alone cannot reset.
        Assert.Throws<TransitionException>(() => RecordTransitions.Check(off, resetRecord, Transition.AccountReset, Authorization.HandleCode | Device));
    }

    [Fact]
    public void A_step_that_changes_more_than_it_says_or_breaks_the_succession_is_refused()
    {
        using var key = EcdsaP256PrivateKey.Generate();
        using var other = EcdsaP256PrivateKey.Generate();
        byte[] accountKey = key.PublicKey.Encoded.ToArray();
        HandleRecord first = (Records.Signed(key, version: 0, counter: 1, devices: 2) with { State = CkvState.Off }).SignedBy(key);

        // CKV on that also adds a device; a device added that also turns CKV on; two devices signed out at once.
        Assert.Throws<TransitionException>(() => RecordTransitions.Check(
            first, Next(first, key, r => r with { State = CkvState.On, Devices = [.. r.Devices, Records.NewDevice(accountKey)] }), Transition.CkvOn, Device));
        Assert.Throws<TransitionException>(() => RecordTransitions.Check(
            first, Next(first, key, r => r with { State = CkvState.On, Devices = [.. r.Devices, Records.NewDevice(accountKey)] }), Transition.DeviceAdded, Authorization.JoinConfirmed));
        Assert.Throws<TransitionException>(() => RecordTransitions.Check(first, Next(first, key, r => r with { Devices = [] }), Transition.DeviceSignedOut, Device));

        // A key change passed off as a device removal without the old key's cross-signature.
        Assert.Throws<TransitionException>(() => RecordTransitions.Check(
            first, Next(first, other, r => r with { AccountKey = other.PublicKey.Encoded.ToArray(), Devices = [r.Devices[0]] }), Transition.DeviceRemovedAsLost, Device));

        // Broken succession: same version, same counter, wrong previous hash.
        HandleRecord on = Next(first, key, r => r with { State = CkvState.On });
        Assert.Throws<TransitionException>(() => RecordTransitions.Check(first, (on with { Version = 0 }).SignedBy(key), Transition.CkvOn, Device));
        Assert.Throws<TransitionException>(() => RecordTransitions.Check(first, (on with { Counter = 1 }).SignedBy(key), Transition.CkvOn, Device));
        Assert.Throws<TransitionException>(() => RecordTransitions.Check(first, (on with { PreviousRecordHash = new byte[32] }).SignedBy(key), Transition.CkvOn, Device));

        // A first record that claims a predecessor, or comes after a tombstone without being a new first record.
        Assert.Throws<TransitionException>(() => RecordTransitions.Check(null, on, Transition.First, Authorization.HandleCode));
        HandleRecord removed = Next(on, key, r => r with { State = CkvState.Removed, Devices = [] });
        Assert.Throws<TransitionException>(() => RecordTransitions.Check(removed, Next(removed, key, r => r with { State = CkvState.On, Devices = on.Devices }), Transition.CkvOn, Device));

        // After the tombstone the handle starts over as a first record at the next version; never over a live one.
        HandleRecord readded = (Next(removed, key, r => r with { State = CkvState.On, Devices = on.Devices }) with { PreviousRecordHash = new byte[32] }).SignedBy(key);
        RecordTransitions.Check(removed, readded, Transition.First, Authorization.HandleCode);
        Assert.Throws<TransitionException>(() => RecordTransitions.Check(on, readded, Transition.First, Authorization.HandleCode));

        // A reset may change the key and the devices, not the state.
        using var reset = EcdsaP256PrivateKey.Generate();
        HandleRecord resetOff = Next(on, reset, r => r with { AccountKey = reset.PublicKey.Encoded.ToArray(), Chain = [], State = CkvState.Off, Devices = [Records.NewDevice(reset.PublicKey.Encoded.ToArray())] });
        Assert.Throws<TransitionException>(() => RecordTransitions.Check(on, resetOff, Transition.AccountReset, Authorization.HandleCode | Authorization.SecondFactor));
    }
}
