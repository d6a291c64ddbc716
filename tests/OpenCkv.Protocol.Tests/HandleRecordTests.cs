using OpenCkv.Crypto.Signatures;
using OpenCkv.KeyTransparency.Tls;

namespace OpenCkv.Protocol.Tests;

/// <summary>
/// Handle records (docs/ckv-protocol.md §2): they round-trip, decode strictly, and the account key's signature,
/// the key chain, the devices' possession proofs and the place they were found are all checked; every byte of a
/// record is covered by one of those checks.
/// </summary>
public sealed class HandleRecordTests
{
    [Fact]
    public void A_signed_record_round_trips_and_verifies_where_it_was_published()
    {
        using var key = EcdsaP256PrivateKey.Generate();
        HandleRecord record = Records.Signed(key);
        byte[] encoded = TlsCodec.Encode(record);
        Assert.Equal(record, TlsCodec.Decode<HandleRecord>(encoded));
        Assert.Equal(record, RecordCheck.Verify(encoded, Records.Label, 3));
        Assert.Equal(RecordFailure.WrongPlace, Assert.Throws<RecordException>(() => RecordCheck.Verify(encoded, Records.Label, 4)).Failure);
        Assert.Equal(RecordFailure.WrongPlace, Assert.Throws<RecordException>(() => RecordCheck.Verify(encoded, "mailto:bob@example.com"u8.ToArray(), 3)).Failure);
    }

    [Fact]
    public void Every_single_byte_change_of_a_record_is_refused()
    {
        using var key = EcdsaP256PrivateKey.Generate();
        byte[] encoded = TlsCodec.Encode(Records.Signed(key, devices: 1));
        for (int i = 0; i < encoded.Length; i++)
        {
            byte[] mutated = (byte[])encoded.Clone();
            mutated[i] ^= 0x01;
            Assert.Throws<RecordException>(() => RecordCheck.Verify(mutated, Records.Label, 3));
        }

        Assert.Equal(RecordFailure.Malformed, Assert.Throws<RecordException>(() => RecordCheck.Verify([.. encoded, 0], Records.Label, 3)).Failure);
        Assert.Equal(RecordFailure.Malformed, Assert.Throws<RecordException>(() => RecordCheck.Verify(encoded[..^1], Records.Label, 3)).Failure);
    }

    [Fact]
    public void A_chain_of_rotations_verifies_and_a_broken_or_dangling_one_does_not()
    {
        using var first = EcdsaP256PrivateKey.Generate();
        using var second = EcdsaP256PrivateKey.Generate();
        using var third = EcdsaP256PrivateKey.Generate();
        KeyLink a = KeyLink.Create(Records.AccountId, first, second.PublicKey.Encoded.ToArray(), 3);
        KeyLink b = KeyLink.Create(Records.AccountId, second, third.PublicKey.Encoded.ToArray(), 5);
        HandleRecord record = Records.Signed(third, chain: [a, b]);
        RecordCheck.Verify(TlsCodec.Encode(record), Records.Label, 3);
        Assert.Equal(first.PublicKey.Encoded.ToArray(), RecordCheck.OriginKey(record));

        // Out of order, missing a link, ending elsewhere, or a link for another account.
        Assert.Equal(RecordFailure.BrokenChain, Refuse(Records.Signed(third, chain: [b, a])));
        Assert.Equal(RecordFailure.BrokenChain, Refuse(Records.Signed(third, chain: [a])));
        Assert.Equal(RecordFailure.BrokenChain, Refuse(Records.Signed(third, chain: [KeyLink.Create(new byte[16], second, third.PublicKey.Encoded.ToArray(), 5)])));

        // A link made after the record's own counter.
        Assert.Equal(RecordFailure.BrokenChain, Refuse(Records.Signed(third, counter: 4, chain: [a, b])));
    }

    [Fact]
    public void Devices_must_prove_possession_for_this_account_and_key_and_the_state_must_fit_them()
    {
        using var key = EcdsaP256PrivateKey.Generate();
        using var other = EcdsaP256PrivateKey.Generate();
        byte[] accountKey = key.PublicKey.Encoded.ToArray();
        HandleRecord honest = Records.Signed(key);

        // A device that proved possession for another account key, or for another account, is refused.
        Device moved = Records.NewDevice(other.PublicKey.Encoded.ToArray());
        Assert.Equal(RecordFailure.BadDevice, Refuse((honest with { Devices = [.. honest.Devices, moved] }).SignedBy(key)));
        Device foreign = Records.NewDevice(accountKey, new byte[16]);
        Assert.Equal(RecordFailure.BadDevice, Refuse((honest with { Devices = [foreign] }).SignedBy(key)));
        Assert.Equal(RecordFailure.BadDevice, Refuse((honest with { Devices = [honest.Devices[0], honest.Devices[0]] }).SignedBy(key)));

        // A removed handle carries no device; a live one has at least one.
        Assert.Equal(RecordFailure.InconsistentState, Refuse((honest with { State = CkvState.Removed }).SignedBy(key)));
        Assert.Equal(RecordFailure.InconsistentState, Refuse((honest with { Devices = [] }).SignedBy(key)));
        RecordCheck.Verify(TlsCodec.Encode((honest with { State = CkvState.Removed, Devices = [] }).SignedBy(key)), Records.Label, 3);
    }

    [Fact]
    public void Only_device_entries_carried_byte_for_byte_from_a_checked_record_under_the_same_keys_skip_their_proof()
    {
        using var key = EcdsaP256PrivateKey.Generate();
        using var rotated = EcdsaP256PrivateKey.Generate();
        HandleRecord honest = Records.Signed(key, version: 3);
        Device bad = honest.Devices[0] with { Possession = [.. honest.Devices[1].Possession] }; // another device's proof

        // A "checked" record holding the bad entry stands in for one that proved it: the same entry is then taken as
        // proven, and nothing else is.
        HandleRecord checkedBefore = honest with { Devices = [bad, honest.Devices[1]] };
        byte[] next = TlsCodec.Encode((honest with { Version = 4, Counter = 8, Devices = [bad, honest.Devices[1]] }).SignedBy(key));
        Assert.Equal(4u, RecordCheck.Verify(next, Records.Label, 4, checkedBefore).Version);
        Assert.Equal(RecordFailure.BadDevice, Assert.Throws<RecordException>(() => RecordCheck.Verify(next, Records.Label, 4)).Failure);

        // One byte different, another account key, or another account: checked in full.
        Device flipped = bad with { Possession = [.. bad.Possession[..^1], (byte)(bad.Possession[^1] ^ 1)] };
        byte[] changed = TlsCodec.Encode((honest with { Version = 4, Counter = 8, Devices = [flipped, honest.Devices[1]] }).SignedBy(key));
        Assert.Equal(RecordFailure.BadDevice, Assert.Throws<RecordException>(() => RecordCheck.Verify(changed, Records.Label, 4, checkedBefore)).Failure);
        Assert.Equal(RecordFailure.BadDevice, Assert.Throws<RecordException>(() => RecordCheck.Verify(next, Records.Label, 4, checkedBefore with { AccountKey = rotated.PublicKey.Encoded.ToArray() })).Failure);
        Assert.Equal(RecordFailure.BadDevice, Assert.Throws<RecordException>(() => RecordCheck.Verify(next, Records.Label, 4, checkedBefore with { AccountId = new byte[16] })).Failure);
    }

    [Fact]
    public void A_record_signed_by_a_key_other_than_its_own_is_refused_and_cannot_be_made()
    {
        using var key = EcdsaP256PrivateKey.Generate();
        using var other = EcdsaP256PrivateKey.Generate();
        HandleRecord record = Records.Signed(key);
        Assert.Throws<ArgumentException>(() => record.SignedBy(other));
        HandleRecord forged = record with { Signature = other.Sign(record.ToBeSigned()) };
        Assert.Equal(RecordFailure.BadSignature, Refuse(forged));
    }

    [Fact]
    public void Key_continuity_tells_a_rotation_from_an_uncrosssigned_change_and_catches_counter_regressions()
    {
        using var first = EcdsaP256PrivateKey.Generate();
        using var second = EcdsaP256PrivateKey.Generate();
        using var reset = EcdsaP256PrivateKey.Generate();
        byte[] pinned = first.PublicKey.Encoded.ToArray();
        HandleRecord rotated = Records.Signed(second, chain: [KeyLink.Create(Records.AccountId, first, second.PublicKey.Encoded.ToArray(), 2)]);
        Assert.Equal(KeyChange.Same, KeyContinuity.Compare(pinned, Records.Signed(first)));
        Assert.Equal(KeyChange.CrossSigned, KeyContinuity.Compare(pinned, rotated));
        Assert.Equal(KeyChange.Uncrosssigned, KeyContinuity.Compare(pinned, Records.Signed(reset)));
        Assert.True(KeyContinuity.CounterRegressed(8, rotated));
        Assert.False(KeyContinuity.CounterRegressed(7, rotated));
    }

    [Fact]
    public void A_record_follows_the_one_before_only_through_its_hash_version_and_counter()
    {
        using var key = EcdsaP256PrivateKey.Generate();
        HandleRecord first = Records.Signed(key, version: 3, counter: 7);
        HandleRecord next = (first with { Version = 4, Counter = 8, PreviousRecordHash = first.Hash() }).SignedBy(key);
        Assert.True(KeyContinuity.Follows(first, next));
        Assert.False(KeyContinuity.Follows(first, (next with { Version = 5 }).SignedBy(key)));
        Assert.False(KeyContinuity.Follows(first, (next with { Counter = 7 }).SignedBy(key)));
        Assert.False(KeyContinuity.Follows(first, (next with { PreviousRecordHash = new byte[32] }).SignedBy(key)));
        Assert.False(KeyContinuity.Follows(next, first));
    }

    [Fact]
    public void Unknown_formats_and_states_and_oversized_lists_are_format_errors()
    {
        using var key = EcdsaP256PrivateKey.Generate();
        byte[] encoded = TlsCodec.Encode(Records.Signed(key, devices: 1));
        byte[] format2 = (byte[])encoded.Clone();
        format2[1] = 2;
        Assert.Throws<KtFormatException>(() => TlsCodec.Decode<HandleRecord>(format2));

        int stateOffset = 2 + 1 + Records.Label.Length + 4 + 16 + 8 + 32;
        byte[] state3 = (byte[])encoded.Clone();
        state3[stateOffset] = 3;
        Assert.Throws<KtFormatException>(() => TlsCodec.Decode<HandleRecord>(state3));

        // 65 devices: the writer refuses to encode them, and a reader refuses a count above 64.
        HandleRecord crowded = Records.Signed(key, devices: 1);
        Assert.Throws<ArgumentException>(() => TlsCodec.Encode(crowded with { Devices = [.. Enumerable.Repeat(crowded.Devices[0], HandleRecord.MaxDevices + 1)] }));
        int devicesOffset = stateOffset + 1 + 65 + 2; // state, account key, the chain's 2-byte count (0)
        Assert.Equal(1, encoded[devicesOffset]);
        byte[] sixtyFive = (byte[])encoded.Clone();
        sixtyFive[devicesOffset] = 65;
        Assert.Throws<KtFormatException>(() => TlsCodec.Decode<HandleRecord>(sixtyFive));
    }

    private static RecordFailure Refuse(HandleRecord record) =>
        Assert.Throws<RecordException>(() => RecordCheck.Verify(TlsCodec.Encode(record), Records.Label, record.Version)).Failure;
}
