using OpenCkv.Client.Alerts;
using OpenCkv.Client.Profiles;
using OpenCkv.Client.Records;
using OpenCkv.Client.Verification;
using OpenCkv.Protocol;

namespace OpenCkv.Client.Tests;

/// <summary>
/// The whole-record checks (DESIGN §5, docs/ckv-protocol.md §2.5–§2.6) on records built and signed the way a device
/// builds them: what an honest history is accepted with, and what each forgery a server could serve is named.
/// </summary>
public sealed class RecordJudgeTests : IDisposable
{
    private const ulong Now = 1_700_000_000_000;

    private readonly Account _alice = new();

    public void Dispose() => _alice.Dispose();

    private static Judgement Judge(HandleRecord record, ContactPin? pin, bool hasSavedCode = false, uint? version = null, ulong now = Now) =>
        RecordJudge.Judge(Account.Label, version ?? record.Version, Account.Value(record), pin, hasSavedCode, now);

    private static string[] Codes(Judgement judgement) => [.. judgement.Findings.Select(f => f.Code)];

    /// <summary>The pin a device holds after accepting <paramref name="records"/> in turn from first contact.</summary>
    private static ContactPin PinAfter(params HandleRecord[] records)
    {
        ContactPin? pin = null;
        foreach (HandleRecord record in records)
        {
            Judgement judgement = Judge(record, pin);
            Assert.Empty(judgement.Findings);
            pin = judgement.NewPin!;
        }

        return pin!;
    }

    [Theory]
    [InlineData(CkvState.Off)]
    [InlineData(CkvState.On)]
    public void First_contact_is_accepted_without_findings_and_the_pin_sees_on_as_the_record_says(CkvState state)
    {
        HandleRecord record = state == CkvState.Off ? _alice.Latest : _alice.Publish(CkvState.On);

        Judgement judgement = Judge(record, pin: null);

        Assert.Empty(judgement.Findings);
        Assert.True(judgement.Passed);
        ContactPin pin = Assert.IsType<ContactPin>(judgement.NewPin);
        Assert.Equal(Account.Label, pin.Label);
        Assert.Equal(record, pin.Record);
        Assert.Equal(record.Counter, pin.HighestCounter);
        Assert.Equal(Now, pin.VerifiedMs);
        Assert.Equal(state == CkvState.On, pin.SeenOn);
        Assert.True(pin.LastCheckPassed);
        Assert.Null(pin.Monitored);
    }

    [Fact]
    public void The_same_record_again_is_accepted_without_findings()
    {
        HandleRecord record = _alice.Publish(CkvState.On);
        ContactPin pin = PinAfter(record);

        Judgement again = Judge(record, pin, now: Now + 5);

        Assert.Empty(again.Findings);
        Assert.True(again.Passed);
        Assert.Equal(record, again.NewPin!.Record);
        Assert.Equal(record.Counter, again.NewPin.HighestCounter);
        Assert.Equal(Now + 5, again.NewPin.VerifiedMs);
        Assert.True(again.NewPin.SeenOn);
        Assert.True(again.NewPin.LastCheckPassed);
    }

    [Fact]
    public void The_next_record_turning_ckv_on_is_accepted_and_the_pin_has_seen_on()
    {
        ContactPin pin = PinAfter(_alice.Latest);
        Assert.False(pin.SeenOn);
        HandleRecord next = _alice.Publish(CkvState.On);

        Judgement judgement = Judge(next, pin);

        Assert.Empty(judgement.Findings);
        Assert.True(judgement.Passed);
        Assert.Equal(next, judgement.NewPin!.Record);
        Assert.Equal(next.Counter, judgement.NewPin.HighestCounter);
        Assert.True(judgement.NewPin.SeenOn);
        Assert.True(judgement.NewPin.LastCheckPassed);
    }

    [Fact]
    public void A_key_change_the_pinned_key_did_not_sign_warns_once_ckv_was_seen_on_and_pins_the_new_key()
    {
        ContactPin pin = PinAfter(_alice.Latest, _alice.Publish(CkvState.On));
        HandleRecord reset = _alice.ChangeKey(crossSigned: false);

        Judgement judgement = Judge(reset, pin, hasSavedCode: true);

        Assert.Equal([AlertCode.UncrossSignedKeyChange], Codes(judgement));
        Assert.False(judgement.Passed);
        Assert.Equal(reset, judgement.NewPin!.Record);
        Assert.Equal(_alice.Key.PublicKey.Encoded.ToArray(), judgement.NewPin.AccountKey);
        Assert.False(judgement.NewPin.LastCheckPassed);
        Assert.True(judgement.NewPin.SeenOn);
    }

    [Fact]
    public void A_key_change_the_pinned_key_did_not_sign_is_no_finding_while_ckv_was_never_on()
    {
        ContactPin pin = PinAfter(_alice.Latest);
        HandleRecord reset = _alice.ChangeKey(crossSigned: false);
        Assert.Equal(CkvState.Off, reset.State);

        Judgement judgement = Judge(reset, pin);

        Assert.Empty(judgement.Findings);
        Assert.True(judgement.Passed);
        Assert.Equal(reset, judgement.NewPin!.Record);
        Assert.True(judgement.NewPin.LastCheckPassed);
        Assert.False(judgement.NewPin.SeenOn);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_cross_signed_rotation_passes_and_notifies_only_who_saved_a_code(bool hasSavedCode)
    {
        ContactPin pin = PinAfter(_alice.Latest, _alice.Publish(CkvState.On));
        HandleRecord rotated = _alice.ChangeKey(crossSigned: true);

        Judgement judgement = Judge(rotated, pin, hasSavedCode);

        Assert.Equal(hasSavedCode ? [AlertCode.CodeChanged] : [], Codes(judgement));
        Assert.True(judgement.Passed);
        Assert.Equal(rotated, judgement.NewPin!.Record);
        Assert.True(judgement.NewPin.LastCheckPassed);
    }

    [Fact]
    public void Ckv_turned_off_by_the_account_key_after_on_is_a_notification_and_passes()
    {
        ContactPin pin = PinAfter(_alice.Latest, _alice.Publish(CkvState.On));
        HandleRecord off = _alice.Publish(CkvState.Off);

        Judgement judgement = Judge(off, pin);

        Assert.Equal([AlertCode.ContactTurnedOff], Codes(judgement));
        Assert.True(judgement.Passed);
        Assert.Equal(off, judgement.NewPin!.Record);
        Assert.True(judgement.NewPin.SeenOn);
        Assert.True(judgement.NewPin.LastCheckPassed);
    }

    [Fact]
    public void A_device_added_under_an_old_signature_is_an_unknown_device_and_keeps_the_old_pin()
    {
        HandleRecord on = _alice.Publish(CkvState.On);
        ContactPin pin = PinAfter(_alice.Records[0], on);
        DeviceKeys intruder = _alice.NewDevice();
        HandleRecord forged = _alice.Next(devices: [.. on.Devices, _alice.Entry(intruder)]) with { Signature = on.Signature };

        Judgement judgement = Judge(forged, pin);

        Assert.Equal([AlertCode.UnknownDevice], Codes(judgement));
        Assert.Contains(Convert.ToHexStringLower(intruder.DeviceId), judgement.Findings[0].Detail, StringComparison.Ordinal);
        Assert.False(judgement.Passed);
        Assert.Null(judgement.NewPin);
    }

    [Fact]
    public void Ckv_shown_off_under_an_old_signature_is_an_unsigned_opt_out()
    {
        HandleRecord on = _alice.Publish(CkvState.On);
        ContactPin pin = PinAfter(_alice.Records[0], on);
        HandleRecord forged = _alice.Next(CkvState.Off) with { Signature = on.Signature };

        Judgement judgement = Judge(forged, pin);

        Assert.Equal([AlertCode.UnsignedOptOut], Codes(judgement));
        Assert.False(judgement.Passed);
        Assert.Null(judgement.NewPin);
    }

    [Fact]
    public void A_bad_signature_that_adds_no_device_and_flips_nothing_off_is_a_bad_signature()
    {
        HandleRecord on = _alice.Publish(CkvState.On);
        ContactPin pin = PinAfter(_alice.Records[0], on);
        HandleRecord forged = _alice.Next() with { Signature = on.Signature };

        Assert.Equal([AlertCode.BadSignature], Codes(Judge(forged, pin)));
        Assert.Equal([AlertCode.BadSignature], Codes(Judge(forged, pin: null)));
    }

    [Fact]
    public void A_signed_record_whose_counter_is_below_the_highest_seen_is_a_counter_regression()
    {
        HandleRecord on = _alice.Publish(CkvState.On);
        ContactPin pin = PinAfter(_alice.Records[0], on) with { HighestCounter = on.Counter + 10 };
        HandleRecord next = _alice.Next();
        Assert.True(next.Counter < pin.HighestCounter);

        Judgement judgement = Judge(next, pin);

        Assert.Equal([AlertCode.CounterRegression], Codes(judgement));
        Assert.False(judgement.Passed);
        Assert.Null(judgement.NewPin);
    }

    [Fact]
    public void A_signed_next_record_with_a_lower_counter_or_an_older_version_is_a_counter_regression()
    {
        HandleRecord on = _alice.Publish(CkvState.On);
        ContactPin pin = PinAfter(_alice.Records[0], on);

        Assert.Equal([AlertCode.CounterRegression], Codes(Judge(_alice.Next(counter: on.Counter - 1), pin)));
        Assert.Equal([AlertCode.CounterRegression], Codes(Judge(_alice.Records[0], pin)));
        Assert.Null(Judge(_alice.Records[0], pin).NewPin);
    }

    [Fact]
    public void A_record_served_at_another_version_than_it_names_is_malformed()
    {
        HandleRecord on = _alice.Publish(CkvState.On);
        ContactPin pin = PinAfter(_alice.Records[0]);

        Judgement moved = Judge(on, pin, version: on.Version + 1);
        Judgement firstContact = Judge(on, pin: null, version: on.Version + 1);

        Assert.Equal([AlertCode.MalformedRecord], Codes(moved));
        Assert.Null(moved.NewPin);
        Assert.Equal([AlertCode.MalformedRecord], Codes(firstContact));
        Assert.Null(firstContact.NewPin);
        Assert.Equal([AlertCode.MalformedRecord], Codes(RecordJudge.Judge("mailto:bob@example.com", on.Version, Account.Value(on), null, false, Now)));
    }

    [Theory]
    [InlineData(0x01)]
    [InlineData(0x80)]
    public void No_single_flipped_byte_of_a_valid_next_record_is_accepted_as_another_record(byte mask)
    {
        HandleRecord on = _alice.Publish(CkvState.On);
        ContactPin pin = PinAfter(_alice.Records[0], on);
        HandleRecord honest = _alice.Next(devices: [.. on.Devices, _alice.Entry(_alice.NewDevice())]);
        Assert.True(Judge(honest, pin).Passed);
        byte[] value = Account.Value(honest);

        for (int i = 0; i < value.Length; i++)
        {
            byte[] flipped = (byte[])value.Clone();
            flipped[i] ^= mask;
            Judgement j = RecordJudge.Judge(Account.Label, honest.Version, flipped, pin, false, Now);
            Assert.True(!j.Passed || j.NewPin!.Record.Equals(honest), $"byte {i} flipped with {mask:x2} was accepted as another record");
        }
    }

    [Fact]
    public void A_signed_tombstone_is_a_handle_removed_notification_and_passes()
    {
        ContactPin pin = PinAfter(_alice.Latest, _alice.Publish(CkvState.On));
        HandleRecord tombstone = _alice.Next(CkvState.Removed, devices: []);

        Judgement judgement = Judge(tombstone, pin);

        Assert.Equal([AlertCode.HandleRemoved], Codes(judgement));
        Assert.True(judgement.Passed);
        Assert.Equal(CkvState.Removed, judgement.NewPin!.Record.State);
    }

    [Fact]
    public void A_device_whose_possession_proof_does_not_verify_is_bad_device_even_when_the_account_key_signed_the_record()
    {
        ContactPin pin = PinAfter(_alice.Latest);
        Device honest = _alice.Entry(_alice.Phone);
        byte[] proof = [.. honest.Possession];
        proof[^1] ^= 0x01;
        HandleRecord record = _alice.Next(devices: [honest with { Possession = proof }]);

        Judgement judgement = Judge(record, pin);

        Assert.Equal([AlertCode.BadDevice], Codes(judgement));
        Assert.Null(judgement.NewPin);
    }

    [Fact]
    public void A_rotation_whose_link_the_old_key_did_not_sign_is_a_broken_chain()
    {
        ContactPin pin = PinAfter(_alice.Latest, _alice.Publish(CkvState.On));
        using var stranger = OpenCkv.Crypto.Signatures.EcdsaP256PrivateKey.Generate();
        using var next = OpenCkv.Crypto.Signatures.EcdsaP256PrivateKey.Generate();
        byte[] nextPublic = next.PublicKey.Encoded.ToArray();
        ulong counter = _alice.Latest.Counter + 1;
        KeyLink forged = KeyLink.Create(_alice.AccountId, stranger, nextPublic, counter) with { PreviousKey = _alice.Key.PublicKey.Encoded.ToArray() };
        HandleRecord record = RecordBuilder.Next(_alice.Latest, counter, next, devices: [_alice.Phone.EntryFor(_alice.AccountId, nextPublic)], chain: [forged]);

        Judgement judgement = Judge(record, pin);

        Assert.Equal([AlertCode.BrokenChain], Codes(judgement));
        Assert.Null(judgement.NewPin);
    }
}
