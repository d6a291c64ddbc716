using OpenCkv.Client.Alerts;
using OpenCkv.Client.Profiles;
using OpenCkv.Client.Verification;
using OpenCkv.Crypto.Signatures;
using OpenCkv.Protocol;

namespace OpenCkv.Client.Tests;

/// <summary>The status engine of a two-person chat (DESIGN §5): first match wins.</summary>
public sealed class ChatStatusTests : IDisposable
{
    private readonly Account _alice = new();

    public void Dispose() => _alice.Dispose();

    private ContactPin PinOn(bool lastCheckPassed = true)
    {
        HandleRecord on = _alice.Publish(CkvState.On);
        return new ContactPin(Account.Label, on, on.Counter, 0, SeenOn: true, lastCheckPassed, null);
    }

    private string AliceCode => PublicCode.Derive(_alice.Key.PublicKey.Encoded.ToArray());

    private static Alert Alert(string code, bool acknowledged = false, long id = 1) =>
        new(id, 0, AlertCode.SeverityOf(code), code, Account.Label, "evidence", acknowledged);

    [Fact]
    public void Own_ckv_off_asks_to_turn_it_on_even_with_warnings()
    {
        ChatStatus status = ChatStatus.Of(false, PinOn(), AliceCode, [Alert(AlertCode.UnknownDevice)]);

        Assert.Equal(ChatStatusKind.TurnOnCkv, status.Kind);
        Assert.Empty(status.Reasons);
        Assert.Equal(ChatStatusKind.TurnOnCkv, ChatStatus.Of(false, null, null, []).Kind);
    }

    [Fact]
    public void An_unacknowledged_warning_wins_with_its_codes_sorted_and_distinct()
    {
        Alert[] warnings =
        [
            Alert(AlertCode.UnknownDevice, id: 1),
            Alert(AlertCode.CounterRegression, id: 2),
            Alert(AlertCode.UnknownDevice, id: 3),
            Alert(AlertCode.BadSignature, acknowledged: true, id: 4),
        ];

        ChatStatus status = ChatStatus.Of(true, PinOn(), AliceCode, warnings);

        Assert.Equal(ChatStatusKind.Warning, status.Kind);
        Assert.Equal([AlertCode.CounterRegression, AlertCode.UnknownDevice], status.Reasons);
    }

    [Fact]
    public void Acknowledged_warnings_and_notifications_do_not_count()
    {
        Alert[] alerts = [Alert(AlertCode.UnknownDevice, acknowledged: true), Alert(AlertCode.CodeChanged), Alert(AlertCode.ContactTurnedOff)];

        ChatStatus status = ChatStatus.Of(true, PinOn(), AliceCode, alerts);

        Assert.Equal(ChatStatusKind.Verified, status.Kind);
        Assert.Empty(status.Reasons);
    }

    [Fact]
    public void A_contact_never_proven_is_a_warning_that_it_is_unavailable()
    {
        ChatStatus status = ChatStatus.Of(true, null, null, []);

        Assert.Equal(ChatStatusKind.Warning, status.Kind);
        Assert.Equal([AlertCode.Unavailable], status.Reasons);
    }

    [Theory]
    [InlineData(CkvState.Off)]
    [InlineData(CkvState.Removed)]
    public void A_contact_whose_record_is_not_on_shows_verification_off(CkvState state)
    {
        _alice.Publish(CkvState.On);
        HandleRecord record = state == CkvState.Off ? _alice.Publish(CkvState.Off) : _alice.Publish(CkvState.Removed, devices: []);
        var pin = new ContactPin(Account.Label, record, record.Counter, 0, SeenOn: true, LastCheckPassed: true, null);

        ChatStatus status = ChatStatus.Of(true, pin, AliceCode, []);

        Assert.Equal(ChatStatusKind.VerificationOff, status.Kind);
        Assert.Empty(status.Reasons);
    }

    [Fact]
    public void A_saved_code_matching_the_verified_key_is_verified_however_it_was_typed()
    {
        ContactPin pin = PinOn();

        Assert.Equal(ChatStatusKind.Verified, ChatStatus.Of(true, pin, AliceCode, []).Kind);
        Assert.Equal(ChatStatusKind.Verified, ChatStatus.Of(true, pin, PublicCode.Format(AliceCode).ToUpperInvariant(), []).Kind);
    }

    [Fact]
    public void No_saved_code_or_the_code_of_another_key_asks_to_verify_the_contact()
    {
        ContactPin pin = PinOn();
        using var other = EcdsaP256PrivateKey.Generate();

        Assert.Equal(ChatStatusKind.VerifyContact, ChatStatus.Of(true, pin, null, []).Kind);
        Assert.Equal(ChatStatusKind.VerifyContact, ChatStatus.Of(true, pin, PublicCode.Derive(other.PublicKey.Encoded.ToArray()), []).Kind);
        Assert.Equal(ChatStatusKind.VerifyContact, ChatStatus.Of(true, pin, "not a code", []).Kind);
    }

    [Fact]
    public void A_matching_code_is_not_verified_while_the_latest_check_failed()
    {
        ChatStatus status = ChatStatus.Of(true, PinOn(lastCheckPassed: false), AliceCode, []);

        Assert.Equal(ChatStatusKind.VerifyContact, status.Kind);
        Assert.Empty(status.Reasons);
    }
}
