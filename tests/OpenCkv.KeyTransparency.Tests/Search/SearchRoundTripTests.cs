using OpenCkv.KeyTransparency.Logs;
using OpenCkv.KeyTransparency.Search;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.KeyTransparency.Verification;

namespace OpenCkv.KeyTransparency.Tests.Search;

/// <summary>
/// Greatest-version search end to end: an honest in-memory log answers, the client verifies, over randomized
/// histories with clients that join late and come back after long gaps; and every single-byte change of a fixed
/// corpus of encoded responses is rejected.
/// </summary>
public sealed class SearchRoundTripTests
{
    private sealed class Client(byte[] label)
    {
        public byte[] Label { get; } = label;

        public ClientState? State { get; set; }
    }

    private static (SearchRequest Request, byte[] Encoded) Ask(TransparencyLog log, Client client, uint? version = null)
    {
        var request = new SearchRequest(client.State?.TreeSize, client.Label, version);
        SearchResponse response = log.Search(request);
        var writer = new TlsWriter();
        response.Encode(writer, versionRequested: version is not null, log.Configuration.Mode);
        return (request, writer.ToArray());
    }

    private static VerifiedSearch Verify(TransparencyLog log, Client client, SearchRequest request, byte[] encoded, ulong now)
    {
        var reader = new TlsReader(encoded);
        SearchResponse response = SearchResponse.Decode(ref reader, versionRequested: request.Version is not null, log.Configuration.Mode);
        reader.EnsureEnd();
        return SearchVerifier.Verify(LogFixture.Suite, log.Configuration, client.State, request, response, now);
    }

    [Theory]
    [InlineData(1, 0UL, false)]
    [InlineData(2, 500UL, false)]
    [InlineData(3, 5_000UL, false)]
    [InlineData(4, 500UL, true)]
    public void Honest_randomized_histories_always_verify(int seed, ulong window, bool paged)
    {
        var random = new Random(seed);
        TransparencyLog log = LogFixture.NewLog(reasonableMonitoringWindow: window, paged: paged);
        var latest = new Dictionary<int, (uint Version, byte[] Value)>();
        var clients = new List<(int Label, Client Client)>();
        ulong now = 1_700_000_000_000;

        for (int step = 0; step < 160; step++)
        {
            now += (ulong)random.Next(0, 400);
            int updates = random.Next(0, 4); // 0 = heartbeat entry
            for (int u = 0; u < updates; u++)
            {
                int label = random.Next(0, 12);
                byte[] value = BitConverter.GetBytes(random.NextInt64());
                uint version = log.Stage(LogFixture.Label(label), value);
                latest[label] = (version, value);
            }

            log.Sequence(now);

            if (random.Next(0, 3) == 0 && latest.Count > 0)
            {
                int label = latest.Keys.ElementAt(random.Next(latest.Count));
                clients.Add((label, new Client(LogFixture.Label(label))));
            }

            foreach ((int label, Client client) in clients)
            {
                if (random.Next(0, 4) != 0)
                {
                    continue; // clients stay away for random stretches
                }

                (SearchRequest request, byte[] encoded) = Ask(log, client);
                VerifiedSearch result = Verify(log, client, request, encoded, now);
                Assert.Equal(latest[label].Version, result.Version);
                Assert.Equal(latest[label].Value, result.Value.Value);
                Assert.Equal(log.Size, result.State.TreeSize);
                client.State = result.State;
            }
        }

        Assert.True(clients.Count > 10);
    }

    [Fact]
    public void A_returning_client_with_an_unchanged_tree_gets_same_and_verifies()
    {
        TransparencyLog log = LogFixture.NewLog();
        log.Stage(LogFixture.Label(1), [1]);
        log.Sequence(1_000);
        var client = new Client(LogFixture.Label(1));
        (SearchRequest first, byte[] encoded) = Ask(log, client);
        client.State = Verify(log, client, first, encoded, 1_000).State;

        (SearchRequest again, byte[] second) = Ask(log, client);
        Assert.Equal((byte)FullTreeHeadType.Same, second[0]);
        Assert.Equal(client.State, Verify(log, client, again, second, 1_000).State);
    }

    [Fact]
    public void Every_single_byte_change_of_a_response_corpus_is_rejected()
    {
        TransparencyLog log = LogFixture.NewLog(reasonableMonitoringWindow: 300);
        ulong now = LogFixture.PublishRoundRobin(log, entries: 20, labels: 3, start: 10_000, step: 100);

        var client = new Client(LogFixture.Label(1));
        (SearchRequest firstRequest, byte[] firstContact) = Ask(log, client);
        ClientState state = Verify(log, client, firstRequest, firstContact, now).State;

        for (int i = 0; i < 6; i++)
        {
            log.Stage(LogFixture.Label(i % 2), BitConverter.GetBytes(100 + i));
            log.Sequence(now += 100);
        }

        client.State = state;
        (SearchRequest laterRequest, byte[] returning) = Ask(log, client);
        Verify(log, client, laterRequest, returning, now);

        (SearchRequest fixedRequest, byte[] fixedVersion) = Ask(log, client, version: 2);
        Assert.Equal(2u, Verify(log, client, fixedRequest, fixedVersion, now).Version);

        AssertEveryFlipRejected(log, new Client(client.Label), firstRequest, firstContact, now);
        AssertEveryFlipRejected(log, client, laterRequest, returning, now);
        AssertEveryFlipRejected(log, client, fixedRequest, fixedVersion, now);
        Assert.Equal(state, client.State); // failed verifications left the retained state as it was
    }

    private static void AssertEveryFlipRejected(TransparencyLog log, Client client, SearchRequest request, byte[] encoded, ulong now)
    {
        for (int i = 0; i < encoded.Length; i++)
        {
            byte[] mutated = (byte[])encoded.Clone();
            mutated[i] ^= 0x01;
            Assert.True(Rejected(log, client, request, mutated, now), $"flipped byte {i} of {encoded.Length} was accepted");
        }

        Assert.True(Rejected(log, client, request, encoded[..^1], now));
        Assert.True(Rejected(log, client, request, [.. encoded, 0], now));
    }

    private static bool Rejected(TransparencyLog log, Client client, SearchRequest request, byte[] encoded, ulong now)
    {
        try
        {
            Verify(log, client, request, encoded, now);
            return false;
        }
        catch (KtFormatException)
        {
            return true;
        }
        catch (KtVerificationException)
        {
            return true;
        }
    }
}
