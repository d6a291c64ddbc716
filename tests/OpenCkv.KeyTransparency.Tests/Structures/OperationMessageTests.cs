using System.Security.Cryptography;
using OpenCkv.KeyTransparency.Tls;

namespace OpenCkv.KeyTransparency.Tests.Structures;

/// <summary>
/// The request and response messages of contact monitoring, owner initialization and monitoring, updates and
/// distinguished heads (KT §13.2–§13.6): round trips in every mode, and every truncation rejected.
/// </summary>
public sealed class OperationMessageTests
{
    private static readonly CombinedTreeProof Proof = new(
        [1, 2],
        [new PrefixProof([PrefixSearchResult.Create(PrefixSearchResultType.Inclusion, null, 3)], [Hash32.Zero])],
        [Hash32.From(SHA256.HashData("r"u8))],
        new InclusionProof([Hash32.From(SHA256.HashData("i"u8))]));

    private static readonly FullTreeHead Head =
        new(FullTreeHeadType.Updated, new TreeHead(9, RandomNumberGenerator.GetBytes(64)), new AuditorTreeHead(5, 8, RandomNumberGenerator.GetBytes(64)));

    private static readonly BinaryLadderStep Step = new(RandomNumberGenerator.GetBytes(81), Hash32.From(SHA256.HashData("c"u8)));

    [Fact]
    public void Requests_round_trip_and_reject_truncation()
    {
        RoundTrip(new ContactMonitorRequest(7, "tel:+12025550101"u8.ToArray(), [new MonitorMapEntry(3, 1), new MonitorMapEntry(5, 2)]));
        RoundTrip(new OwnerInitRequest(null, "mailto:a@example.com"u8.ToArray(), 42));
        RoundTrip(new OwnerMonitorRequest(7, "mailto:a@example.com"u8.ToArray(), [new MonitorMapEntry(3, 1)], 42, 5));
        RoundTrip(new OwnerMonitorRequest(null, "mailto:a@example.com"u8.ToArray(), [], 0, null));
        RoundTrip(new UpdateRequest(7, "mailto:a@example.com"u8.ToArray(), 3, [new LabelValue([1, 2]), new LabelValue([])]));
        RoundTrip(new DistinguishedRequest(10, null));
        Assert.Equal(new byte[] { 1, 0, 0, 0, 0, 0, 0, 0, 10, 0 }, TlsCodec.Encode(new DistinguishedRequest(10, null)));
    }

    [Theory]
    [InlineData(DeploymentMode.ContactMonitoring)]
    [InlineData(DeploymentMode.ThirdPartyManagement)]
    [InlineData(DeploymentMode.ThirdPartyAuditing)]
    public void Responses_round_trip_in_every_mode_and_reject_truncation(DeploymentMode mode)
    {
        var monitor = new HeadAndProofResponse(Head, Proof);
        byte[] encoded = Encode(w => monitor.Encode(w, mode));
        HeadAndProofResponse decoded = DecodeAll(encoded, (ref TlsReader r) => HeadAndProofResponse.Decode(ref r, mode));
        Assert.Equal(Proof, decoded.Proof);

        var init = new OwnerInitResponse(Head, [0, 3, 5], [Step, Step with { Commitment = null }], Proof);
        OwnerInitResponse initBack = DecodeAll(Encode(w => init.Encode(w, mode)), (ref TlsReader r) => OwnerInitResponse.Decode(ref r, mode));
        Assert.Equal(init.GreatestVersions, initBack.GreatestVersions);
        Assert.Equal(init.BinaryLadder, initBack.BinaryLadder);

        byte[]? signature = mode == DeploymentMode.ThirdPartyManagement ? RandomNumberGenerator.GetBytes(64) : null;
        var update = new UpdateResponse(
            Head, 12, mode == DeploymentMode.ThirdPartyManagement ? 2u : 0u, [new LabelValue([9])],
            [new UpdateInfo(RandomNumberGenerator.GetBytes(16), signature)], [Step], Proof);
        UpdateResponse updateBack = DecodeAll(Encode(w => update.Encode(w, mode)), (ref TlsReader r) => UpdateResponse.Decode(ref r, mode));
        Assert.Equal(update.Position, updateBack.Position);
        Assert.Equal(update.SkippedVersions, updateBack.SkippedVersions);
        Assert.Equal(update.Info, updateBack.Info);
        Assert.Equal(update.Values, updateBack.Values);
        Assert.Equal(update.Update, updateBack.Update);
    }

    private delegate T Decoder<T>(ref TlsReader reader);

    private static void RoundTrip<T>(T value)
        where T : ITlsCodec<T>
    {
        byte[] encoded = TlsCodec.Encode(value);
        Assert.Equal(value, TlsCodec.Decode<T>(encoded));
        for (int length = 0; length < encoded.Length; length++)
        {
            Assert.Throws<KtFormatException>(() => TlsCodec.Decode<T>(encoded.AsSpan(0, length)));
        }
    }

    private static byte[] Encode(Action<TlsWriter> write)
    {
        var writer = new TlsWriter();
        write(writer);
        return writer.ToArray();
    }

    private static T DecodeAll<T>(byte[] encoded, Decoder<T> decode)
    {
        for (int length = 0; length < encoded.Length; length++)
        {
            byte[] truncated = encoded[..length];
            Assert.Throws<KtFormatException>(() =>
            {
                var r = new TlsReader(truncated);
                decode(ref r);
                r.EnsureEnd();
            });
        }

        var reader = new TlsReader(encoded);
        T value = decode(ref reader);
        reader.EnsureEnd();
        return value;
    }
}
