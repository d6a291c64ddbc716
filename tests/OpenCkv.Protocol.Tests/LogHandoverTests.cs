using OpenCkv.Crypto.Signatures;
using OpenCkv.KeyTransparency;

namespace OpenCkv.Protocol.Tests;

/// <summary>
/// The log handover statement (docs/ckv-protocol.md §9): it verifies only under the pinned old log's key, names that
/// log, parses strictly, and never hands a log over to itself.
/// </summary>
public sealed class LogHandoverTests
{
    private static Configuration NewConfiguration(EcdsaP256PrivateKey key) => new Configuration
    {
        Mode = DeploymentMode.ContactMonitoring,
        SignaturePublicKey = key.PublicKey.Encoded.ToArray(),
        VrfPublicKey = EcdsaP256PrivateKey.Generate().PublicKey.Encoded.ToArray(),
        MaxAhead = 60_000,
        MaxBehind = 86_400_000,
        ReasonableMonitoringWindow = 3_600_000,
        MaximumLifetime = null,
    }.Validated();

    private static readonly Hash32 Root = Hash32.From(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());

    [Fact]
    public void A_statement_round_trips_and_every_flipped_byte_is_refused()
    {
        using var oldKey = EcdsaP256PrivateKey.Generate();
        using var newKey = EcdsaP256PrivateKey.Generate();
        Configuration old = NewConfiguration(oldKey), next = NewConfiguration(newKey);
        byte[] encoded = LogHandover.Create(old, oldKey, 42, Root, next, 1_800_000_000_000).Encode();

        LogHandover verified = LogHandover.Verify(old, encoded);
        Assert.Equal(42UL, verified.FinalTreeSize);
        Assert.Equal(Root.ToArray(), verified.FinalRoot);
        Assert.Equal(next.Fingerprint(), verified.New.Fingerprint());
        Assert.Equal(1_800_000_000_000UL, verified.TimestampMs);

        for (int i = 0; i < encoded.Length; i++)
        {
            byte[] flipped = [.. encoded];
            flipped[i] ^= 0x01;
            Assert.Throws<HandoverException>(() => LogHandover.Verify(old, flipped));
        }
    }

    [Fact]
    public void Another_pinned_log_a_truncated_or_extended_statement_and_a_handover_to_itself_are_refused()
    {
        using var oldKey = EcdsaP256PrivateKey.Generate();
        using var newKey = EcdsaP256PrivateKey.Generate();
        Configuration old = NewConfiguration(oldKey), next = NewConfiguration(newKey);
        byte[] encoded = LogHandover.Create(old, oldKey, 42, Root, next, 1).Encode();

        Assert.Equal(HandoverFailure.OtherLog, Assert.Throws<HandoverException>(() => LogHandover.Verify(next, encoded)).Failure);
        Assert.Equal(HandoverFailure.Malformed, Assert.Throws<HandoverException>(() => LogHandover.Verify(old, encoded[..^1])).Failure);
        Assert.Equal(HandoverFailure.Malformed, Assert.Throws<HandoverException>(() => LogHandover.Verify(old, [.. encoded, 0])).Failure);
        Assert.Equal(HandoverFailure.Malformed, Assert.Throws<HandoverException>(() => LogHandover.Verify(old, [])).Failure);

        // Signed by another key than the old log's: refused when made, and when verified.
        Assert.Throws<ArgumentException>(() => LogHandover.Create(old, newKey, 42, Root, next, 1));
        LogHandover statement = LogHandover.Verify(old, encoded);
        byte[] forged = (statement with { Signature = newKey.Sign(LogHandover.ToBeSigned(statement.OldFingerprint, 42, statement.FinalRoot, statement.NewConfiguration, 1)) }).Encode();
        Assert.Equal(HandoverFailure.BadSignature, Assert.Throws<HandoverException>(() => LogHandover.Verify(old, forged)).Failure);

        // To itself: refused when made, and a statement signed by hand is refused when verified.
        Assert.Throws<ArgumentException>(() => LogHandover.Create(old, oldKey, 42, Root, old, 1));
        byte[] self = KeyTransparency.Tls.TlsCodec.Encode(old);
        byte[] signed = oldKey.Sign(LogHandover.ToBeSigned(statement.OldFingerprint, 42, statement.FinalRoot, self, 1));
        byte[] toItself = (statement with { NewConfiguration = self, TimestampMs = 1, Signature = signed }).Encode();
        Assert.Equal(HandoverFailure.SameLog, Assert.Throws<HandoverException>(() => LogHandover.Verify(old, toItself)).Failure);
    }
}
