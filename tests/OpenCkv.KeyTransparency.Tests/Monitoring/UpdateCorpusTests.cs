using OpenCkv.KeyTransparency.Logs;
using OpenCkv.KeyTransparency.Search;
using OpenCkv.KeyTransparency.Tests.Search;
using OpenCkv.KeyTransparency.Tls;

namespace OpenCkv.KeyTransparency.Tests.Monitoring;

/// <summary>
/// Update responses against a fixed corpus: every single-byte change, truncation and extension is rejected, for
/// an owner's own new versions and for versions someone else wrote; requests the log must refuse are refused.
/// </summary>
public sealed class UpdateCorpusTests
{
    private const ulong Window = 1_000;

    /// <summary>
    /// An owner of label 1 that took over at the log's root and then caught up with the versions written after it,
    /// by an update request with no values (KT §13.5).
    /// </summary>
    private static (TransparencyLog Log, OwnerState Owner, ClientState Client, ulong Now) Setup()
    {
        TransparencyLog log = LogFixture.NewLog(reasonableMonitoringWindow: Window);
        ulong now = LogFixture.PublishRoundRobin(log, entries: 31, labels: 3, start: 1_000_000, step: 100);
        var init = new OwnerInitRequest(null, LogFixture.Label(1), 15); // the root of 31 entries
        VerifiedOwnerInit owner = OwnerInitVerifier.Verify(LogFixture.Suite, log.Configuration, null, init, log.OwnerInit(init), now);
        var catchUp = new UpdateRequest(owner.State.TreeSize, owner.Owner.Label, owner.Owner.GreatestVersion, []);
        IReadOnlyList<UpdateResponse> responses = log.Update(catchUp, now);
        Assert.Equal(5, responses.Count); // label 1 got a version at entries 16, 19, 22, 25 and 28
        VerifiedUpdate caughtUp = UpdateVerifier.VerifyAll(LogFixture.Suite, log.Configuration, owner.State, owner.Owner, catchUp, responses, now);
        Assert.Equal(5, caughtUp.OthersValues.Count);
        return (log, caughtUp.Owner, caughtUp.State, now);
    }

    [Fact]
    public void Every_single_byte_change_of_an_update_response_is_rejected()
    {
        (TransparencyLog log, OwnerState owner, ClientState client, ulong now) = Setup();

        // Two heartbeats, so that the update's entry (33 of 34) is the root's right child, 250 ms from its left
        // bound: not distinguished.
        log.Sequence(now += 100);
        log.Sequence(now += 100);
        var request = new UpdateRequest(client.TreeSize, owner.Label, owner.GreatestVersion, [new([1, 2, 3]), new([4, 5])]);
        UpdateResponse response = Assert.Single(log.Update(request, now += 50));
        Assert.Equal(33UL, response.Position);
        VerifiedUpdate honest = UpdateVerifier.Verify(LogFixture.Suite, log.Configuration, client, owner, request, response, now);
        Assert.Empty(honest.OthersValues);
        // The new entry is not distinguished: the owner monitors it as a contact would.
        Assert.Equal(new MonitorMapEntry(response.Position, owner.GreatestVersion!.Value + 2), honest.Owner.Map[^1]);
        Assert.Equal(owner.Map.Count + 1, honest.Owner.Map.Count);

        AssertEveryChangeRejected(log, client, owner, request, Encode(response, log), now);
    }

    [Fact]
    public void Every_single_byte_change_of_a_response_showing_others_versions_is_rejected()
    {
        (TransparencyLog log, OwnerState owner, ClientState client, ulong now) = Setup();
        log.Stage(owner.Label, [0xEE]);
        log.Sequence(now += 50);
        var request = new UpdateRequest(client.TreeSize, owner.Label, owner.GreatestVersion, [new([1])]);
        IReadOnlyList<UpdateResponse> responses = log.Update(request, now += 50);
        VerifiedUpdate honest = UpdateVerifier.VerifyAll(LogFixture.Suite, log.Configuration, client, owner, request, responses, now);
        Assert.Equal([0xEE], Assert.Single(honest.OthersValues).Value);
        Assert.Equal(owner.Map, honest.Owner.Map); // entry 31, the root of 32, is distinguished at once

        AssertEveryChangeRejected(log, client, owner, request, Encode(responses[0], log), now);
    }

    [Fact]
    public void The_log_refuses_updates_from_an_owner_ahead_of_it_or_with_nothing_to_write()
    {
        (TransparencyLog log, OwnerState owner, ClientState client, ulong now) = Setup();
        uint current = owner.GreatestVersion!.Value;
        ulong size = log.Size;
        Assert.Throws<ArgumentException>(() => log.Update(new UpdateRequest(client.TreeSize, owner.Label, current + 1, [new([1])]), now));
        Assert.Throws<ArgumentException>(() => log.Update(new UpdateRequest(client.TreeSize, owner.Label, current, []), now));
        Assert.Throws<ArgumentException>(() => log.Update(new UpdateRequest(client.TreeSize, LogFixture.Label(9), 0, [new([1])]), now));
        Assert.Equal(size, log.Size); // nothing was sequenced
    }

    private static void AssertEveryChangeRejected(TransparencyLog log, ClientState client, OwnerState owner, UpdateRequest request, byte[] encoded, ulong now)
    {
        for (int i = 0; i < encoded.Length; i++)
        {
            byte[] mutated = (byte[])encoded.Clone();
            mutated[i] ^= 0x01;
            Assert.True(Rejection.Rejected(() => Verify(log, client, owner, request, mutated, now)), $"flipped byte {i} of {encoded.Length} was accepted");
        }

        Assert.True(Rejection.Rejected(() => Verify(log, client, owner, request, encoded[..^1], now)));
        Assert.True(Rejection.Rejected(() => Verify(log, client, owner, request, [.. encoded, 0], now)));
    }

    private static VerifiedUpdate Verify(TransparencyLog log, ClientState client, OwnerState owner, UpdateRequest request, byte[] encoded, ulong now)
    {
        var reader = new TlsReader(encoded);
        UpdateResponse response = UpdateResponse.Decode(ref reader, log.Configuration.Mode);
        reader.EnsureEnd();
        return UpdateVerifier.Verify(LogFixture.Suite, log.Configuration, client, owner, request, response, now);
    }

    private static byte[] Encode(UpdateResponse response, TransparencyLog log)
    {
        var writer = new TlsWriter();
        response.Encode(writer, log.Configuration.Mode);
        return writer.ToArray();
    }
}
